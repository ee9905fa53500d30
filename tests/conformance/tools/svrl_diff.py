#!/usr/bin/env python3
"""Compare the findings of the native engine with SVRL reports of the
official validator, document by document.

usage: svrl_diff.py SVRL_DIR MINE_DIR [-v]
SVRL_DIR holds NAME.xml reports; MINE_DIR holds NAME.txt (or NAME.xml.txt)
with one "flag id location" line per finding (peppol_unit --dump / --doc).
Locations are compared after turning the SVRL form
/*:X[namespace-uri()='...'][n] into the cbc:/cac:/ext: form.
A report that is not well-formed (the XSLT stopped on a dynamic error) is
skipped and counted. Exit 1 when any document differs."""
import collections, os, re, sys
import xml.etree.ElementTree as ET

SVRL = '{http://purl.oclc.org/dsdl/svrl}'
PREFIX = {
    'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2': 'cbc:',
    'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2': 'cac:',
    'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2': 'ext:',
    'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2': '',
    'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2': '',
}
STEP = re.compile(r"/\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]\[(\d+)\]")


def location(svrl_loc):
    return STEP.sub(lambda m: '/%s%s[%s]' % (PREFIX.get(m.group(2), '?'), m.group(1), m.group(3)), svrl_loc)


def theirs(path):
    found = collections.Counter()
    for e in ET.parse(path).getroot().iter():
        if e.tag in (SVRL + 'failed-assert', SVRL + 'successful-report'):
            found[(e.get('flag'), e.get('id'), location(e.get('location')))] += 1
    return found


def mine(path):
    found = collections.Counter()
    with open(path) as f:
        for line in f:
            parts = line.strip().split(' ', 2)
            if len(parts) == 3:
                found[tuple(parts)] += 1
    return found


def main():
    svrl_dir, mine_dir = sys.argv[1], sys.argv[2]
    verbose = '-v' in sys.argv
    docs = differ = skipped = findings = 0
    for name in sorted(os.listdir(svrl_dir)):
        try:
            t = theirs(os.path.join(svrl_dir, name))
        except ET.ParseError:
            skipped += 1
            continue
        base = os.path.join(mine_dir, name[:-4] + '.txt')
        if not os.path.exists(base):
            base = os.path.join(mine_dir, name + '.txt')
        m = mine(base)
        docs += 1
        findings += sum(t.values())
        if m != t:
            differ += 1
            if verbose:
                print(name, 'only native:', dict(m - t), 'only official:', dict(t - m))
    print('%d documents, %d official findings, %d differ, %d skipped (XSLT dynamic error)'
          % (docs, findings, differ, skipped))
    return 1 if differ else 0


if __name__ == '__main__':
    sys.exit(main())
