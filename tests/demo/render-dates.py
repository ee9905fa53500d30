#!/usr/bin/env python3
"""render-dates.py [--quarter] TODAY TEMPLATE OUT - write a record file from
a template whose start_date and end_date are day offsets from TODAY (@+9,
@-5), so that make demo tells the same story on any day: the same contracts
in the future, the same one declared late. With --quarter the offsets count
from the first day of TODAY's quarter instead, so that every contract falls
in that one quarter (the DmfA step: the same workers and amounts any day).

A student contract (STU, O17, S17) must end in the quarter it starts (the
Dimona's same-quarter rule): when an offset would make it straddle a
quarter boundary, the whole contract moves forward to the next quarter's
first day, keeping its length, so it stays in the future and valid.
Prints the DmfA quarter (YYYYQ) that holds most of the contracts."""
import csv
import datetime
import sys
from collections import Counter


def quarter(d):
    return d.year * 10 + (d.month - 1) // 3 + 1


def next_quarter_start(d):
    q = (d.month - 1) // 3 + 1
    return datetime.date(d.year + (q == 4), 1 if q == 4 else q * 3 + 1, 1)


def main():
    args = sys.argv[1:]
    in_quarter = args[0] == "--quarter"
    if in_quarter:
        args = args[1:]
    today = datetime.date.fromisoformat(args[0])
    if in_quarter:
        today = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    with open(args[1], newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    si, ei, ti = head.index("start_date"), head.index("end_date"), head.index("worker_type")
    quarters = Counter()
    for r in rows[1:]:
        start = today + datetime.timedelta(days=int(r[si][1:])) if r[si] else None
        end = today + datetime.timedelta(days=int(r[ei][1:])) if r[ei] else None
        if start and end and r[ti] in ("STU", "O17", "S17") and quarter(start) != quarter(end):
            length = end - start
            start = next_quarter_start(start)
            end = start + length
        r[si] = start.isoformat() if start else ""
        r[ei] = end.isoformat() if end else ""
        if start:
            quarters[quarter(start)] += 1
    with open(args[2], "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    print(quarters.most_common(1)[0][0])


main()
