#!/usr/bin/env python3
"""Independent --attach for the tests, from the shipped tables alone:

  attach_check.py FILE KEYCOL NAME[,NAME...]          (a shipped zoning, population_YYYY)
  attach_check.py FILE KEYCOL --file F FKEY COL[,COL...]

prints KEYCOL and the attached columns (a zoning NAME as NAME and
NAME_nom) as TSV with a header, one line per row of FILE, as
`fund-cat -k KEYCOL --attach ... -c KEYCOL,...` does.  A commune code
(4 digits lost a zero; a former commune counts for its commune nouvelle),
an EPCI SIREN or a département code gets a zone when all its communes are
in that one; file keys are compared trimmed, all-digit ones without
leading zeros."""
import csv
import sys


def rows(p):
    with open(p, newline='', encoding='utf-8-sig') as f:
        return list(csv.DictReader(f))


path, keycol = sys.argv[1], sys.argv[2]
data = rows(path)


def norm(s):
    s = s.strip()
    return s.lstrip('0') or '0' if s.isdigit() else s


if sys.argv[3] == '--file':
    f, fkey, cols = sys.argv[4], sys.argv[5], sys.argv[6].split(',')
    table = {norm(r[fkey]): r for r in rows(f)}
    print('\t'.join([keycol] + cols))
    for r in data:
        m = table.get(norm(r[keycol]))
        print('\t'.join([r[keycol]] + [(m[c] if m else '') for c in cols]))
    sys.exit(0)

names = sys.argv[3].split(',')
com = rows('data/communes.csv')
zt = {r['code_insee']: r for r in rows('data/communes-zonages.csv')}
lib = {(r['niveau'], r['code']): r['libelle'] for r in rows('data/zonages-libelles.csv')}
former = {r['code_insee']: r['code_commune_actuelle'] for r in rows('data/communes-deleguees.csv')
          if r['code_insee'] not in zt}
group = {}
for c in com:
    group.setdefault(c['epci_siren'], []).append(c['code_insee'])
    group.setdefault(c['departement'], []).append(c['code_insee'])


def communes(code):
    code = code.strip()
    if len(code) == 4 and code.isdigit():
        code = '0' + code
    if code in zt:
        return [code]
    if code in former:
        return [former[code]]
    if (len(code) == 9 or len(code) in (2, 3)) and code in group:
        return group[code]
    return None


head = [keycol]
for n in names:
    head += [n] if n.startswith('population') else [n, n + '_nom']
print('\t'.join(head))
for r in data:
    cs = communes(r[keycol])
    out = [r[keycol]]
    for n in names:
        if n.startswith('population'):
            vals = [zt[c][n] for c in cs] if cs else []
            out.append(str(sum(int(v) for v in vals if v)) if vals and any(vals) else '')
            continue
        zs = {zt[c][n] for c in cs} if cs else set()
        z = zs.pop() if len(zs) == 1 else ''
        out += [z, lib.get((n, z), '') if z else '']
    print('\t'.join(out))
