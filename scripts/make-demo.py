#!/usr/bin/env python3
"""Rebuild public/demo/uci-online-retail-demo.csv from ../shared (see public/demo/README.md)."""
import csv
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
src = root.parent / 'shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv'
rows = list(csv.reader(open(src, encoding='utf-8')))
header, data = rows[0], rows[1:]
ci = header.index('CustomerID')
customers, seen = [], set()
for r in data:
    if r[ci] and r[ci] not in seen:
        seen.add(r[ci])
        customers.append(r[ci])
keep = set(customers[:250])
out, without_customer = [], 0
for r in data:
    if r[ci] in keep:
        out.append(r)
    elif not r[ci] and without_customer < 120:
        out.append(r)
        without_customer += 1
with open(root / 'public/demo/uci-online-retail-demo.csv', 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(header)
    w.writerows(out)
print(len(out), 'rows')
