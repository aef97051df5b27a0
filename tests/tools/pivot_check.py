#!/usr/bin/env python3
"""Independent --pivot for the tests, with Python's csv, decimal and
fractions:

  pivot_check.py FILE DELIM GROUPS PIVOT SUMS ROLLUP [NAME=A/B...]

GROUPS (possibly empty) and SUMS comma-separated column names, ROLLUP 0 or
1 (with at most one group column: a "(total)" column per block and a
"(total)" row).  Prints the table `fund-total -g GROUPS --pivot PIVOT -s
SUMS --ratio ... --sort key [--rollup]` prints: the rows and the pivot's
values sorted by key (numbers as numbers), then per value "count:V", each
sum's "V" (or "SUM:V"), each ratio's "NAME:V"; sums exact at the largest
number of decimals the column has, ratios rounded half away from zero to
4 decimals from the exact totals; cells without rows empty."""
import csv
import sys
from decimal import Decimal
from fractions import Fraction
from functools import cmp_to_key

from keyorder import cmp1, cmpk

path, delim, groups, pivot, sums, rollup = sys.argv[1:7]
groups = [g for g in groups.split(',') if g]
sums = sums.split(',')
rollup = rollup == '1'
ratios = [(r.split('=')[0],) + tuple(r.split('=')[1].split('/')) for r in sys.argv[7:]]


cells, scale = {}, {s: 0 for s in sums}
rows, cols = set(), set()
with open(path, newline='', encoding='utf-8-sig') as f:
    for r in csv.DictReader(f, delimiter=delim):
        rk, v = tuple(r[g] for g in groups), r[pivot]
        rows.add(rk)
        cols.add(v)
        c = cells.setdefault((rk, v), {'count': 0, **{s: None for s in sums}})
        c['count'] += 1
        for s in sums:
            t = r[s].strip().replace('\u202f', '').replace('\xa0', '').replace(' ', '').replace(',', '.')
            if t:
                d = Decimal(t)
                scale[s] = max(scale[s], -d.as_tuple().exponent)
                c[s] = (c[s] or Decimal(0)) + d
rows = sorted(rows, key=cmp_to_key(cmpk))
cols = sorted(cols, key=cmp_to_key(cmp1))


def add(a, b):
    if a is None:
        return b
    out = {'count': a['count'] + b['count']}
    for s in sums:
        out[s] = b[s] if a[s] is None else a[s] if b[s] is None else a[s] + b[s]
    return out


def half_up(x, n):
    y = abs(x) * 10 ** n
    q = int(y) + (1 if y - int(y) >= Fraction(1, 2) else 0)
    return ('-' if x < 0 else '') + '%d.%0*d' % (q // 10 ** n, n, q % 10 ** n)


TOTAL = '(total)'
vals = cols + ([TOTAL] if rollup else [])


def name(v):
    return '(empty)' if v == '' else v


head = groups + ['count:' + name(v) for v in vals]
for s in sums:
    head += [(name(v) if len(sums) == 1 else s + ':' + name(v)) for v in vals]
for n, a, b in ratios:
    head += [n + ':' + name(v) for v in vals]
print('\t'.join(head))


def line(keys, get):
    out = list(keys)
    got = [get(v) for v in vals]
    out += ['' if c is None else str(c['count']) for c in got]
    for s in sums:
        out += ['' if c is None or c[s] is None else format(c[s].quantize(Decimal(1).scaleb(-scale[s])), 'f')
                for c in got]
    for n, a, b in ratios:
        for c in got:
            if c is None or c[a] is None or c[b] is None or c[b] == 0:
                out.append('')
            else:
                out.append(half_up(Fraction(c[a]) / Fraction(c[b]), 4))
    print('\t'.join(out))


def rowcell(rk, v):
    if v != TOTAL:
        return cells.get((rk, v))
    t = None
    for w in cols:
        if (rk, w) in cells:
            t = add(t, cells[(rk, w)])
    return t


for rk in rows:
    line(rk, lambda v: rowcell(rk, v))
if rollup:
    def colcell(v):
        t = None
        for rk in rows:
            c = rowcell(rk, v)
            if c is not None:
                t = add(t, c)
        return t
    line([TOTAL] * len(groups), colcell)
