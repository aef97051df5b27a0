#!/usr/bin/env python3
"""Independent --codes-year for the tests: the amounts of FILE, whose
commune codes are of 1 January YEAR, carried to today's communes through
data/mouvements-communes.csv by data/tools/cog_history.py (a commune since
divided: its amount over its parts by population, in cents, largest
remainder), summed per commune with Python's Decimal.

  history_check.py FILE CODECOL AMOUNTCOL YEAR

prints code and total per commune of today, sorted by code, as
`fund-percapita -k CODECOL -s AMOUNTCOL --codes-year YEAR -l commune | cut -f1,4`."""
import csv
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'data', 'tools'))
import cog_history  # noqa: E402

path, codecol, amtcol, year = sys.argv[1:5]
with open('data/communes.csv', encoding='utf-8', newline='') as f:
    com = list(csv.DictReader(f))
pop = {c['code_insee']: int(c['population'] or 0) for c in com}
order = {c['code_insee']: i for i, c in enumerate(com)}
with open(path, encoding='utf-8-sig', newline='') as f:
    data = list(csv.DictReader(f))
inv = cog_history.translate(cog_history.load('data/mouvements-communes.csv'), year + '-01-01',
                            {r[codecol] for r in data})
tot, scale = {}, 0
for r in data:
    code, a = r[codecol], Decimal(r[amtcol])
    parts = sorted((c for c in inv.get(code, [code]) if c in pop), key=order.get)
    if not parts:
        continue
    if len(parts) == 1:
        tot[parts[0]] = tot.get(parts[0], Decimal(0)) + a
        scale = max(scale, -a.as_tuple().exponent)
        continue
    s = max(2, -a.as_tuple().exponent)
    mag = abs(a).scaleb(s)
    w = [pop[c] for c in parts]
    P = sum(w)
    base = [mag * x // P for x in w]
    left = int(mag - sum(base))
    for k in sorted(range(len(parts)), key=lambda k: (-(mag * w[k] % P), k))[:left]:
        base[k] += 1
    for c, b in zip(parts, base):
        if b or w[parts.index(c)]:
            tot[c] = tot.get(c, Decimal(0)) + b.scaleb(-s) * (1 if a >= 0 else -1)
    scale = max(scale, s)
for c in sorted(tot):
    print('%s\t%s' % (c, tot[c].quantize(Decimal(1).scaleb(-scale))))
