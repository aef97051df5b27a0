#!/usr/bin/env python3
"""Independent per-zone figures for the tests, from the shipped tables
alone (data/communes.csv, communes-zonages.csv, zonages-libelles.csv,
communes-deleguees.csv), with Python's csv and Decimal:

  zoning_check.py FILE CODECOL AMOUNTCOL LEVEL[,LEVEL...] [--in-region R] [--split]
                  [--population-year Y] [--zoning F:CODE:ZONE[:NAME]]
                  [--member F:CODE[:NAME]] [--precision N]

prints what fund-percapita prints for it (its first nine columns, sorted
by code; with several levels each after a line '# LEVEL'): the rows of FILE whose code is a commune (5 characters, or 4 that
lost their zero; a former commune counts for its commune nouvelle), an EPCI
SIREN or a département go to the zone of their communes; with --split an
EPCI's or a département's amount is divided over its communes by
population in cents (largest remainder), each part to its commune's zone.
With --in-region, a zone is its communes in the région.
"""
import csv
import sys
from decimal import Decimal, ROUND_HALF_UP, getcontext

getcontext().prec = 80
args = sys.argv[1:]
path, codecol, amtcol, level = args[:4]
opt = {}
i = 4
while i < len(args):
    if args[i] == '--split':
        opt['split'] = True
        i += 1
    else:
        opt[args[i][2:]] = args[i + 1]
        i += 2
prec = int(opt.get('precision', 2))
R = opt.get('in-region')


def rows(p):
    with open(p, newline='', encoding='utf-8-sig') as f:
        return list(csv.DictReader(f))


def q(x, n):
    return x.quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP)


com = rows('data/communes.csv')
order = [c['code_insee'] for c in com]
region = {c['code_insee']: c['region'] for c in com}
pop = {c['code_insee']: int(c['population']) if c['population'] else None for c in com}
zt = {r['code_insee']: r for r in rows('data/communes-zonages.csv')}
if 'population-year' in opt:
    pop = {c: (int(zt[c]['population_' + opt['population-year']])
               if c in zt and zt[c]['population_' + opt['population-year']] else None) for c in order}
former = {r['code_insee']: r['code_commune_actuelle'] for r in rows('data/communes-deleguees.csv')
          if r['code_insee'] not in pop}
members = {}
for c in com:
    members.setdefault(('epci', c['epci_siren']), []).append(c['code_insee'])
    members.setdefault(('dep', c['departement']), []).append(c['code_insee'])


def commune(code):
    code = code.strip()
    if len(code) == 4 and code.isdigit():
        code = '0' + code
    if code in pop:
        return code
    return former.get(code)


def run(level):
    zone, names = {}, {}
    if 'zoning' in opt or 'member' in opt:
        spec = (opt.get('zoning') or opt['member']).split(':')
        f, cc = spec[0], spec[1]
        for r in rows(f):
            c = commune(r[cc])
            if not c:
                continue
            if 'zoning' in opt:
                zone[c] = r[spec[2]]
                names.setdefault(zone[c], r[spec[3]] if len(spec) > 3 else zone[c])
            else:
                zone[c] = 'member'
        if 'member' in opt:
            label = spec[2] if len(spec) > 2 else f.split('/')[-1]
            names = {'member': label, 'other': 'hors ' + label}
            for c in order:
                zone.setdefault(c, 'other')
    else:
        for c, r in zt.items():
            if r[level]:
                zone[c] = r[level]
        names = {r['code']: r['libelle'] for r in rows('data/zonages-libelles.csv') if r['niveau'] == level}


    def in_scope(c):
        return R is None or region[c] == R


    tot, cnt, placed_scale = {}, {}, 0
    for n, r in enumerate(rows(path)):
        code = r[codecol].strip()
        amt = r[amtcol].strip()
        if not code or not amt:
            continue
        a = Decimal(amt)
        c = commune(code)
        if c:
            group = [c]
        elif ('epci', code) in members:
            group = members[('epci', code)]
        elif len(code) in (2, 3) and ('dep', code) in members:
            group = members[('dep', code)]
        else:
            continue
        if len(group) == 1 or not opt.get('split'):
            zs = {zone.get(c) for c in group}
            sc = {in_scope(c) for c in group}
            if len(zs) != 1 or None in zs or sc != {True}:
                continue
            z = zs.pop()
            tot[z] = tot.get(z, Decimal(0)) + a
            cnt[z] = cnt.get(z, 0) + 1
            placed_scale = max(placed_scale, -a.as_tuple().exponent)
            continue
        # split in units of max(2, the amount's decimals)
        s = max(2, -a.as_tuple().exponent)
        mag = abs(a).scaleb(s)
        ps = [pop[c] if pop[c] and pop[c] > 0 else 0 for c in group]
        P = sum(ps)
        if P == 0:
            continue
        base = [mag * p // P for p in ps]
        rem = [mag * p % P if p > 0 else -1 for p in ps]
        left = int(mag - sum(base))
        for k in sorted(range(len(group)), key=lambda k: (-rem[k], k))[:left]:
            base[k] += 1
        seen = set()
        for c, part in zip(group, base):
            if part == 0 and not ps[group.index(c)]:
                continue
            z = zone.get(c)
            if z is None or not in_scope(c):
                continue
            v = part.scaleb(-s) * (1 if a >= 0 else -1)
            tot[z] = tot.get(z, Decimal(0)) + v
            if z not in seen:
                cnt[z] = cnt.get(z, 0) + 1
                seen.add(z)
        placed_scale = max(placed_scale, s)

    zpop = {}
    for c in order:
        z = zone.get(c)
        if z is not None and in_scope(c) and pop[c] is not None:
            zpop[z] = zpop.get(z, 0) + pop[c]
    scope_pop = sum(p for c, p in pop.items() if p is not None and p > 0 and in_scope(c))
    T = sum(tot.values())
    for z in sorted(tot):
        t = tot[z]
        pp = zpop.get(z)
        out = [z, names.get(z, ''), str(cnt[z]), str(q(t, placed_scale)), str(pp) if pp is not None else '']
        out.append(str(q(t / pp, prec)) if pp else '')
        out.append(str(q(t / T, 6)) if T else '')
        out.append(str(q(Decimal(pp) / scope_pop, 6)) if pp is not None else '')
        out.append(str(q((t * scope_pop) / (T * pp), 4)) if pp and T else '')
        print('\t'.join(out))


for lv in level.split(','):
    if ',' in level:
        print('# ' + lv)
    run(lv)
