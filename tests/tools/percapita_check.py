#!/usr/bin/env python3
"""Independent per-capita figures for a test: Python csv and Decimal.
  percapita_check.py FILE CODECOL AMOUNTCOL departements.csv
prints code, total, per capita (6 decimals), share of amount, share of
population (6), ratio (4), rounded half away from zero, for the codes of
FILE, the scope being the région of the first code."""
import csv, sys
from decimal import Decimal, ROUND_HALF_UP

def q(x, n):
    return x.quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP)

path, codecol, amtcol, refs = sys.argv[1:5]
tot, scale = {}, 0
for r in csv.DictReader(open(path, newline="", encoding="utf-8")):
    a = Decimal(r[amtcol])
    scale = max(scale, -a.as_tuple().exponent)
    tot[r[codecol]] = tot.get(r[codecol], Decimal(0)) + a
deps = {d["code"]: d for d in csv.DictReader(open(refs, newline="", encoding="utf-8"))}
region = deps[next(iter(tot))]["region"]
P = sum(int(d["population"]) for d in deps.values() if d["region"] == region)
T = sum(tot.values())
for code in sorted(tot):
    pop = int(deps[code]["population"])
    t = tot[code]
    print("\t".join([code, str(q(t, scale)), str(q(t / pop, 6)), str(q(t / T, 6)),
                     str(q(Decimal(pop) / P, 6)), str(q((t / T) / (Decimal(pop) / P), 4))]))
