#!/usr/bin/env python3
"""Write N randomly mutated copies of the official complete examples:
elements deleted, duplicated or added, values and attributes changed.
UBL-CR paths of the native table are inserted too, so that the table is
checked against the official rules rather than against itself.
They drive the differential check against the official validator.

usage: mutate.py REF OUT_DIR N [SEED [EXTRA_SOURCE_DIR]]
EXTRA_SOURCE_DIR adds its *.xml (e.g. the unit-test documents) as sources."""
import copy, glob, os, random, sys
import xml.etree.ElementTree as ET

CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'
CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2'
VALUES = ['0', '0.00', '-0.005', '0.005', '1.005', '12.345', '100', 'S', 'Z', 'E', 'AE', 'K', 'G',
          'O', 'L', 'M', 'B', 'VAT', 'vat', ' VAT ', 'EUR', 'SEK', 'XX', '380', '381', '30', '58', '',
          ' ', 'IT', 'BE', '0208', 'SEPA', '130', '50', '2024-01-01', '2023-12-31', '#AAI#x',
          '#ZZZ#', 'AAA', 'C62', 'XYZ', 'true', 'false', '1', 'abc']
ATTRS = ['currencyID', 'schemeID', 'listID', 'unitCode', 'mimeCode', 'filename', 'name',
         'languageID', 'schemeName', 'unitCodeListID', 'format']
NEW = [(CBC, n) for n in ('UUID', 'Note', 'ID', 'Percent', 'TaxExemptionReason', 'TaxExemptionReasonCode',
                          'CopyIndicator', 'PaymentID', 'PaymentMeansCode', 'StartDate', 'EndDate',
                          'DescriptionCode', 'TaxPointDate', 'ActualDeliveryDate', 'Amount', 'BaseAmount',
                          'PrepaidAmount', 'PayableRoundingAmount', 'AllowanceTotalAmount',
                          'ChargeTotalAmount', 'Name', 'CompanyID', 'ChargeIndicator',
                          'AllowanceChargeReason', 'AllowanceChargeReasonCode',
                          'EmbeddedDocumentBinaryObject', 'UBLVersionID', 'TaxCurrencyCode')] + \
      [(CAC, n) for n in ('InvoicePeriod', 'AddressLine', 'Delivery')]


def cr_paths(top):
    """The UBL-CR paths of the native table: inserting them checks the table itself."""
    import re
    src = open(os.path.join(top, 'gateway/peppol/rules/cen_cr_table.c')).read()
    return re.findall(r'\{ "UBL-CR-\d+", "([^"]+)" \}', src)


def insert_path(root, path, rnd):
    """Create the elements (and final attribute) of a table path below the root."""
    ns = {'cbc': CBC, 'cac': CAC, 'ext': 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2'}
    steps = path.split('/')
    node = root
    if path.startswith('//'):
        steps = path[2:].split('/')
        node = rnd.choice(list(root.iter()))
    for st in steps:
        if st == '$L':
            st = rnd.choice(['cac:InvoiceLine', 'cac:CreditNoteLine'])
        if st.startswith('@'):
            node.set(st[1:], rnd.choice(VALUES))
            return
        pfx, name = st.split(':')
        tag = '{%s}%s' % (ns[pfx], name)
        found = node.find(tag)
        node = found if found is not None and rnd.random() < 0.7 else ET.SubElement(node, tag)
    node.text = rnd.choice(VALUES)


def parent_of(root, e):
    for p in root.iter():
        if e in list(p):
            return p
    return None


def mutate(root, rnd, crs):
    for _ in range(rnd.randint(0, 3)):
        insert_path(root, rnd.choice(crs), rnd)
    for _ in range(rnd.randint(1, 6)):
        e = rnd.choice(list(root.iter()))
        op = rnd.random()
        p = parent_of(root, e) if e is not root else None
        if op < 0.15 and len(e) == 0:
            e.text = rnd.choice(VALUES)
        elif op < 0.3 and len(e) == 0:
            # nudge a number: another last digit, a sign, more decimals
            t = (e.text or '').strip()
            if t[:1].isdigit() or t[:1] == '-':
                k = rnd.randint(0, 3)
                if k == 0:
                    e.text = t[:-1] + str(rnd.randint(0, 9))
                elif k == 1:
                    e.text = t[1:] if t.startswith('-') else '-' + t
                elif k == 2:
                    e.text = t + ('5' if '.' in t else '.005')
                else:
                    e.text = ' %s ' % t
            else:
                e.text = rnd.choice(VALUES)
        elif op < 0.45 and p is not None:
            p.remove(e)
        elif op < 0.6 and p is not None:
            p.insert(list(p).index(e), copy.deepcopy(e))
        elif op < 0.75:
            ns, name = rnd.choice(NEW)
            ET.SubElement(e, '{%s}%s' % (ns, name)).text = rnd.choice(VALUES)
        elif op < 0.9:
            e.set(rnd.choice(ATTRS), rnd.choice(VALUES))
        elif e.attrib:
            del e.attrib[rnd.choice(list(e.attrib))]


def main():
    ref, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    ET.register_namespace('cbc', CBC)
    ET.register_namespace('cac', CAC)
    sources = sorted(glob.glob(os.path.join(ref, 'peppol/examples/peppol/*.xml')) +
                     glob.glob(os.path.join(ref, 'peppol/examples/peppol-snippets/*.xml')))
    if len(sys.argv) > 5:
        sources += sorted(f for f in glob.glob(os.path.join(sys.argv[5], '*.xml'))
                          if not os.path.basename(f).startswith(('m', 'ex-')))
    crs = cr_paths(os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../..'))
    for i in range(n):
        tree = ET.parse(rnd.choice(sources))
        mutate(tree.getroot(), rnd, crs)
        tree.write(os.path.join(out, 'm%05d.xml' % i), xml_declaration=True, encoding='UTF-8')


if __name__ == '__main__':
    main()
