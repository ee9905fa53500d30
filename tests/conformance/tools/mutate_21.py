#!/usr/bin/env python3
"""Write N mutated copies of complete documents aimed at the rules that
changed from Peppol BIS 3.0.19 to 3.0.21 (docs/peppol-conformance.md lists
them): the new identifier formats (PEPPOL-COMMON-R052..R057), the stricter
R004, the closed $profile list (R007, P0100, P0101), DK-R-003/-014/-017,
the German block's string comparisons, Skonto, e-mail and URL forms
(DE-R-017..-028, DE-R-T02) and the changed currency and EAS lists (CL007,
CL008). Each copy first moves both parties to one country (DK, DE, NL or
none), then applies one to five targeted changes and, sometimes, one of
mutate.py's random ones. They drive the differential check against the
official 3.0.21 XSLT (peppol_saxon_diff.sh).

usage: mutate_21.py OUT_DIR N SEED SOURCE_FILE..."""
import os, random, sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutate  # noqa: E402  (the generic mutations)

CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'
CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2'


def c(name):
    return '{%s}%s' % (CAC, name)


def b(name):
    return '{%s}%s' % (CBC, name)


def path(node, *steps, create=True):
    """Follow (or create) child elements named by steps ('cac:X' / 'cbc:Y')."""
    for st in steps:
        pfx, name = st.split(':')
        tag = c(name) if pfx == 'cac' else b(name)
        nxt = node.find(tag)
        if nxt is None:
            if not create:
                return None
            nxt = ET.SubElement(node, tag)
        node = nxt
    return node


SCHEMES = {
    '0096': ['1234567890', '123456789', '12345678901', '123456789a', ' 1234567890', '123456789\u00e9',
             '12345 7890'],
    '0198': ['DK12345678', 'dk12345678', 'DK1234567', 'DK123456789', 'DK1234567X', ' DK12345678',
             'SE12345678'],
    '0106': ['12345678', ' 12345678 ', '1234567', '123456789', '1234567A', '\u0661\u0662345678'],
    '0190': ['12345678901234567890', '1234567890123456789', '123456789012345678901',
             ' 12345678901234567890', '1234567890123456789X'],
    '9944': ['NL123456789B01', 'NL123456789B1', 'NL12345678B01', 'nl123456789B01', ' NL123456789B01 ',
             'NL123456789C01', 'NL123456789B012', 'BE0123456749'],
    '0217': ['123456789012', '12345678901', '1234567890123', ' 123456789012', '12345678901X'],
    '0184': ['DK12345678', '12345678', '1234567'],
    '0208': ['0123456749', '0123456748'],
    '0037': ['003712345'], '0242': ['X1'], '0147': ['X2'], '0248': ['X3'],
}
PROFILES = ['urn:fdc:peppol.eu:2017:poacc:billing:01:1.0', 'urn:fdc:peppol.eu:2017:poacc:billing:02:1.0',
            'urn:fdc:peppol.eu:2017:poacc:billing:03:1.0', 'urn:peppol:france:billing:regulated',
            'urn:peppol:france:billing:non-regulated', 'urn:peppol:bis:billing_with_response',
            ' urn:fdc:peppol.eu:2017:poacc:billing:01:1.0 ', 'xurn:fdc:peppol.eu:2017:poacc:billing:01:1.0',
            'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0:extra', 'urn:peppol:france:billing']
CUSTOMIZATIONS = ['urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0',
                  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::x',
                  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::',
                  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0#conformant#a::b',
                  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0:',
                  ' urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0 ']
TYPE_CODES = ['380', ' 380 ', '384', ' 384 ', '0384', '384.0', '381', '326', '389', '875', '999', '71']
PM_CODES = ['30', ' 30 ', '58', ' 58', '058', '58.0', '59', ' 59 ', '48', '54', ' 55 ', '31', '49']
IBANS = ['DE75512108001245126199', 'DE75512108001245126198', 'de75512108001245126199', 'DE 7551 2108 0012 4512 6199']
URIS = ['http://example.com/a.pdf', 'https://x', 'h:x', 'ht:', 'a+b.c-d:x', '1http://x', ' http://x', '', None,
        'mailto:a@b.c', 'http//x', 'x1:', 'Z9:']
SKONTO = ['#SKONTO#TAGE=14#PROZENT=2.00#\n', 'x #SKONTO#TAGE=14#PROZENT=2.00#\n',
          '#A#SKONTO#TAGE=14#PROZENT=2.00#\n', '#SKONTO#TAGE=14#PROZENT=2.00#BASISBETRAG=-10.00#\n',
          '#SKONTO#TAGE=14#PROZENT=2.0#\n', 'Net 30\n#SKONTO#TAGE=7#PROZENT=3.00#\n',
          '#SKONTO#TAGE=14#PROZENT=2.00#']
EMAILS = ['a@b.c', 'a@b', 'a b@c.de', '\u00e4@\u00f6.de', 'a@@b.c', 'a@.b.c', 'a.@b.c', '.a@b.c',
          'a@b..c', 'a@b.c.', 'first.last@sub.example.com', '"q"@x.y', 'a@b_c.d']
CURRENCIES = ['EUR', 'CNH', 'XCG', 'ANG', 'BGN', 'XXX']
LIST_VERSIONS = ['19.05.01', '26.08.01', '26.0801', '25.01.01', '']


def parties(root):
    return [p for p in (root.find(c('AccountingSupplierParty')), root.find(c('AccountingCustomerParty')))
            if p is not None]


def set_country(root, code):
    for ap in parties(root):
        path(ap, 'cac:Party', 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').text = code
    # $supplierCountry prefers the VAT prefix: keep it in step.
    sp = root.find(c('AccountingSupplierParty'))
    for pts in (sp.iter(c('PartyTaxScheme')) if sp is not None else []):
        cid = pts.find(b('CompanyID'))
        if cid is not None and cid.text and len(cid.text) > 2:
            cid.text = code + cid.text[2:]


def id_elements(root):
    out = []
    for e in root.iter():
        if e.tag in (b('EndpointID'), b('CompanyID')):
            out.append(e)
        elif e.tag == c('PartyIdentification'):
            out.append(path(e, 'cbc:ID'))
    return out


def op_identifier(root, rnd):
    els = id_elements(root)
    if not els:
        return
    e = rnd.choice(els)
    scheme = rnd.choice(list(SCHEMES))
    e.set('schemeID', scheme)
    e.text = rnd.choice(SCHEMES[scheme])


def op_nl_vat(root, rnd):
    party = path(rnd.choice(parties(root)), 'cac:Party')
    pts = party.find(c('PartyTaxScheme'))
    if pts is None:
        pts = ET.SubElement(party, c('PartyTaxScheme'))
    path(pts, 'cbc:CompanyID').text = rnd.choice(SCHEMES['9944'])
    if rnd.random() < 0.3:
        path(pts, 'cbc:CompanyID').set('schemeID', rnd.choice(['9944', '0217', '0106']))
    path(pts, 'cac:TaxScheme', 'cbc:ID').text = rnd.choice(['VAT', ' VAT ', 'TAX'])


def op_profile(root, rnd):
    path(root, 'cbc:ProfileID').text = rnd.choice(PROFILES)


def op_customization(root, rnd):
    path(root, 'cbc:CustomizationID').text = rnd.choice(CUSTOMIZATIONS)


def op_type_code(root, rnd):
    for tag in ('InvoiceTypeCode', 'CreditNoteTypeCode'):
        e = root.find(b(tag))
        if e is not None:
            e.text = rnd.choice(TYPE_CODES)


def op_dk_legal(root, rnd):
    ap = rnd.choice(parties(root))
    cid = path(ap, 'cac:Party', 'cac:PartyLegalEntity', 'cbc:CompanyID')
    cid.text = cid.text or 'DK12345678'
    v = rnd.choice(['0184', ' 0184 ', '01 84', None, '0096', '0198'])
    if v is None:
        cid.attrib.pop('schemeID', None)
    else:
        cid.set('schemeID', v)


def op_dk_classification(root, rnd):
    lines = [e for e in root if e.tag in (c('InvoiceLine'), c('CreditNoteLine'))]
    if not lines:
        return
    code = path(rnd.choice(lines), 'cac:Item', 'cac:CommodityClassification', 'cbc:ItemClassificationCode')
    code.text = '12345678'
    code.set('listID', 'TST')
    code.set('listVersionID', rnd.choice(LIST_VERSIONS))


def op_payment(root, rnd):
    pm = root.find(c('PaymentMeans'))
    if pm is None:
        pm = ET.SubElement(root, c('PaymentMeans'))
    path(pm, 'cbc:PaymentMeansCode').text = rnd.choice(PM_CODES)
    if rnd.random() < 0.6:
        path(pm, 'cac:PayeeFinancialAccount', 'cbc:ID').text = rnd.choice(IBANS)
    if rnd.random() < 0.2:
        path(pm, 'cac:PaymentMandate', 'cac:PayerFinancialAccount', 'cbc:ID').text = rnd.choice(IBANS)


def op_external(root, rnd):
    adr = ET.SubElement(root, c('AdditionalDocumentReference'))
    path(adr, 'cbc:ID').text = 'ext-%d' % rnd.randint(1, 99)
    ext = path(adr, 'cac:Attachment', 'cac:ExternalReference')
    uri = rnd.choice(URIS)
    if uri is not None:
        path(ext, 'cbc:URI').text = uri


def op_skonto(root, rnd):
    pt = root.find(c('PaymentTerms'))
    if pt is None:
        pt = ET.SubElement(root, c('PaymentTerms'))
    path(pt, 'cbc:Note').text = rnd.choice(SKONTO)


def op_email(root, rnd):
    sp = root.find(c('AccountingSupplierParty'))
    if sp is not None:
        path(sp, 'cac:Party', 'cac:Contact', 'cbc:ElectronicMail').text = rnd.choice(EMAILS)


def op_currency(root, rnd):
    cur = rnd.choice(CURRENCIES)
    path(root, 'cbc:DocumentCurrencyCode').text = cur
    for e in root.iter():
        if 'currencyID' in e.attrib:
            e.set('currencyID', cur)


def op_endpoint_scheme(root, rnd):
    eps = [e for e in root.iter(b('EndpointID'))]
    if eps:
        rnd.choice(eps).set('schemeID', rnd.choice(['0037', '0242', '0217', '0147', '0248', '0208']))


OPS = [op_identifier, op_identifier, op_nl_vat, op_profile, op_customization, op_type_code, op_dk_legal,
       op_dk_classification, op_payment, op_external, op_skonto, op_email, op_currency, op_endpoint_scheme]


def main():
    out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sources = sys.argv[4:]
    rnd = random.Random(seed)
    ET.register_namespace('cbc', CBC)
    ET.register_namespace('cac', CAC)
    crs = mutate.cr_paths(os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../..'))
    for i in range(n):
        tree = ET.parse(rnd.choice(sources))
        root = tree.getroot()
        country = rnd.choice(['DK', 'DE', 'NL', None])
        if country and parties(root):
            set_country(root, country)
        if parties(root):
            for _ in range(rnd.randint(1, 5)):
                rnd.choice(OPS)(root, rnd)
        if rnd.random() < 0.25:
            mutate.mutate(root, rnd, crs)
        tree.write(os.path.join(out, 't%05d.xml' % i), xml_declaration=True, encoding='UTF-8')


if __name__ == '__main__':
    main()
