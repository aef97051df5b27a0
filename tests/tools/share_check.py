#!/usr/bin/env python3
"""Independent --share and --ratio for the tests, with Python's csv and
fractions:

  share_check.py FILE GROUPS SUMS WITHIN PREC [NAME=A/B...]

GROUPS and SUMS comma-separated column names; prints, sorted by key, the
group keys, each share (the group's exact total over its parent's, the
groups sharing the first WITHIN keys, rounded down to PREC decimals, the
units left to the largest remainders, ties to the first group in key
order) and each ratio (rounded half away from zero to 4 decimals, empty
when the denominator is 0), as `fund-total -g GROUPS -s SUMS --share=WITHIN
--ratio ... --sort key | cut` of those columns prints them."""
import csv
import sys
from fractions import Fraction as F
from math import floor

path, groups, sums, within, prec = sys.argv[1:6]
groups, sums, within, prec = groups.split(','), sums.split(','), int(within), int(prec)
ratios = [(r.split('=')[0],) + tuple(r.split('=')[1].split('/')) for r in sys.argv[6:]]
tot = {}
for r in csv.DictReader(open(path, newline='', encoding='utf-8')):
    k = tuple(r[g] for g in groups)
    t = tot.setdefault(k, {s: None for s in sums})
    for s in sums:
        if r[s].strip():
            t[s] = (t[s] or F(0)) + F(r[s])


def numkey(k):
    return tuple((0, float(x), x) if x.replace('.', '', 1).isdigit() else (1, 0, x) for x in k)


keys = sorted(tot, key=numkey)
one = 10 ** prec
share = {}
for s in sums:
    parents = {}
    for k in keys:
        if tot[k][s] is not None:
            parents[k[:within]] = parents.get(k[:within], F(0)) + tot[k][s]
    q, rem, left = {}, {}, {p: one for p in parents}
    for k in keys:
        P = parents.get(k[:within])
        if tot[k][s] is None or not P:
            continue
        x = tot[k][s] / P * one
        q[k] = floor(x)
        rem[k] = x - q[k]
        left[k[:within]] -= q[k]
    for i, k in sorted(enumerate(keys), key=lambda e: (-rem.get(e[1], -1), e[0])):
        if k in q and left[k[:within]] > 0 and rem[k] > 0:
            q[k] += 1
            left[k[:within]] -= 1
    share[s] = q


def half_up(x, n):
    y = abs(x) * 10 ** n
    r = floor(y) + (1 if y - floor(y) >= F(1, 2) else 0)
    return ('-' if x < 0 else '') + ('%d.%0*d' % (r // 10 ** n, n, r % 10 ** n))


for k in keys:
    out = list(k)
    for s in sums:
        v = share[s].get(k)
        out.append('' if v is None else ('-' if v < 0 else '') + '%d.%0*d' % (abs(v) // one, prec, abs(v) % one))
    for name, a, b in ratios:
        A, B = tot[k][a], tot[k][b]
        out.append(half_up(A / B, 4) if A is not None and B else '')
    print('\t'.join(out))
