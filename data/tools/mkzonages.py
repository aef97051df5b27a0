#!/usr/bin/env python3
"""Build data/communes-zonages.csv and data/zonages-libelles.csv from the raw
zonings, populations and the INSEE history of communes.

    python3 data/tools/mkzonages.py SHARED_DATA_DIR DATA_DIR

SHARED_DATA_DIR holds zonages/, cog/ and real/insee_population/ (see
data/SOURCES.md); DATA_DIR is fundkit's data/ (communes.csv is read from it,
the two tables are written to it).  Every zoning and population is given in
the geography of its own year: each is carried to the geography of
communes.csv through the mouvements des communes, as lib/history.c does for
codes read with --codes-year.  What could not be carried is counted on
stderr and in data/SOURCES.md.
"""
import csv
import io
import os
import sys
from collections import defaultdict

SH, OUT = sys.argv[1], sys.argv[2]


def rows(path, delim=',', enc='utf-8-sig', skip='#'):
    with open(path, encoding=enc, newline='') as f:
        lines = [l for l in f if not l.startswith(skip)]
    return list(csv.DictReader(io.StringIO(''.join(lines)), delimiter=delim))


# ---- the history ----
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cog_history  # noqa: E402
MOVES = rows(SH + '/cog/mouvements-communes-cog2026.csv')
GROUPS = cog_history.load(SH + '/cog/mouvements-communes-cog2026.csv')


def translate(start, codes):
    return cog_history.translate(GROUPS, start, codes)


CUR = rows(OUT + '/communes.csv')
POP = {r['code_insee']: int(r['population']) if r['population'] else 0 for r in CUR}
CODES = [r['code_insee'] for r in CUR]
counts = []


def carry(name, start, values):
    """values: code of year start -> zone; returns today's code -> zone."""
    inv = translate(start, values.keys())
    got = defaultdict(dict)     # today's commune -> {atom: value}
    for a, v in values.items():
        for c in inv.get(a, []):
            if c in POP:
                got[c][a] = v
    out, mixed, lost = {}, 0, 0
    for c in CODES:
        g = got.get(c)
        if not g:
            lost += 1
            continue
        vals = set(g.values())
        if len(vals) > 1:
            mixed += 1
            # the zone of the commune whose code it kept, else of the first
            out[c] = g[c] if c in g else g[min(g)]
        else:
            out[c] = vals.pop()
    counts.append((name, start, len(values), mixed, lost))
    return out


def carry_population(name, start, pops):
    """Populations of year start's communes -> today's: merged communes add
    up; a commune later divided is divided by today's populations (largest
    remainder, whole inhabitants)."""
    # Paris, Lyon and Marseille are given by arrondissement
    arm = {r['code_insee']: r['code_commune'] for r in rows(OUT + '/arrondissements-municipaux.csv')}
    folded = defaultdict(int)
    for a, p in pops.items():
        folded[arm[a] if a in arm and arm[a] not in pops else a] += p
    pops = folded
    inv = translate(start, pops.keys())
    out, divided = defaultdict(int), 0
    touched = set()
    for a, p in pops.items():
        cs = [c for c in inv.get(a, []) if c in POP]
        if not cs:
            continue
        touched.update(cs)
        if len(cs) == 1:
            out[cs[0]] += p
            continue
        divided += 1
        w = [POP[c] for c in cs]
        tw = sum(w) or len(cs)
        if sum(w) == 0:
            w = [1] * len(cs)
        parts = [p * x // tw for x in w]
        rest = p - sum(parts)
        order = sorted(range(len(cs)), key=lambda i: (-(p * w[i] % tw), i))
        for i in order[:rest]:
            parts[i] += 1
        for c, x in zip(cs, parts):
            out[c] += x
    lost = sum(1 for c in CODES if c not in touched)
    counts.append((name, start, len(pops), divided, lost))
    return out


Z = SH + '/zonages/'
t23 = {r['CODGEO']: r for r in rows(Z + 'tagc-2023-communes.csv')}
t24 = {r['CODGEO']: r for r in rows(Z + 'tagc-2024-communes.csv')}
# size classes depend on the zone only: 2023's, by zone code
tuu = {r['UU2020']: r['TUU2017'] for r in t23.values()}
taav = {r['AAV2020']: r['TAAV2017'] for r in t23.values()}

cols = {}
cols['bassin_vie'] = carry('bassin_vie (TAGC 2024)', '2024-01-01', {c: r['BV2022'] for c, r in t24.items()})
cols['zone_emploi'] = carry('zone_emploi (TAGC 2024)', '2024-01-01', {c: r['ZE2020'] for c, r in t24.items()})
cols['unite_urbaine'] = carry('unite_urbaine (TAGC 2024)', '2024-01-01', {c: r['UU2020'] for c, r in t24.items()})
cols['unite_urbaine_taille'] = {c: tuu.get(v, '') for c, v in cols['unite_urbaine'].items()}
cols['aav'] = carry('aav (TAGC 2024)', '2024-01-01', {c: r['AAV2020'] for c, r in t24.items()})
cols['aav_taille'] = {c: taav.get(v, '') for c, v in cols['aav'].items()}
cols['aav_categorie'] = carry('aav_categorie (TAGC 2023)', '2023-01-01', {c: r['CATEAAV2020'] for c, r in t23.items()})

DENS = ['Grands centres urbains', 'Centres urbains intermédiaires', 'Ceintures urbaines', 'Petites villes',
        'Bourgs ruraux', 'Rural à habitat dispersé', 'Rural à habitat très dispersé']
cols['densite'] = carry('densite (grille 2025)', '2025-01-01',
                        {r['insee_com']: str(DENS.index(r['niveau_densite']) + 1)
                         for r in rows(Z + 'grille-densite-7-niveaux-2025.csv')})
# INSEE's groupings of the grid: 1 dense, 2-4 intermédiaire, 5-7 rural
# (the rural communes of INSEE's 2020 definition, against urbain)
cols['densite3'] = {c: ('dense', 'intermediaire', 'intermediaire', 'intermediaire', 'rural', 'rural', 'rural')[int(v) - 1]
                    for c, v in cols['densite'].items()}
cols['rural'] = {c: 'rural' if int(v) >= 5 else 'urbain' for c, v in cols['densite'].items()}
massif = {r['insee_com']: r['niveau_montagne'][:2] for r in rows(Z + 'zones-de-massif-2025.csv')}
allc25 = {r['insee_com'] for r in rows(Z + 'grille-densite-7-niveaux-2025.csv')}
cols['massif'] = carry('massif (zones de massif 2025)', '2025-01-01', {c: massif.get(c, '00') for c in allc25})
FRR = {'FRR+': 'frr_plus', 'FRR socle': 'frr_socle', 'FRR bénéficiaire': 'beneficiaire',
       'FRR bénéficiaire partiellement': 'beneficiaire_partiel', 'Classée FRR partiellement': 'partiel',
       'Non classée': 'non_classee'}
cols['frr'] = carry('frr (FRR juillet 2025)', '2025-01-01',
                    {r['Code_insee']: FRR[r['Classement FRR et FRR+ au 10 juillet 2025']]
                     for r in rows(Z + 'france-ruralites-revitalisation-2025-07.csv', ';')})
cols['zrr'] = carry('zrr (ZRR 2017)', '2017-01-01',
                    {r['CODGEO']: r['ZRR_SIMP'].split(' ')[0] for r in rows(Z + 'zrr-2017-cog2017.csv')})
qpv = {r['insee_com'] for r in rows(Z + 'qpv-2024-communes.csv')}
cols['qpv'] = carry('qpv (QPV 2024)', '2024-01-01', {c: '1' if c in qpv else '0' for c in t24})

P = SH + '/real/insee_population/'
p19 = {r['COM']: int(r['PMUN']) for r in rows(P + 'insee_populations_2019_geo2021_communes.csv', ';')}
p21 = {r['COM']: int(r['PMUN']) for r in rows(P + 'insee_populations_2021_geo2023_communes.csv', ';')}
p22 = {}
for r in rows(P + 'insee_populations_reference_2025_rp2022_communes_raw.csv', ';'):
    d, c = r['Code département'], r['Code commune']
    code = d + c if len(d) == 2 else d[:2] + c
    p22[code] = int(r['Population municipale'].replace('\u00a0', '').replace(' ', ''))
cols['population_2019'] = carry_population('population_2019 (COG 2021)', '2021-01-01', p19)
cols['population_2021'] = carry_population('population_2021 (COG 2023)', '2023-01-01', p21)
cols['population_2022'] = carry_population('population_2022 (COG 2024)', '2024-01-01', p22)
# communes.csv's own: populations municipales of 1 January 2023 (in force
# from 1 January 2026), in its geography
cols['population_2023'] = {r['code_insee']: r['population'] for r in CUR if r['population']}

names = list(cols)
with open(OUT + '/communes-zonages.csv', 'w', encoding='utf-8', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['code_insee'] + names)
    for c in CODES:
        w.writerow([c] + [cols[n].get(c, '') for n in names])

# ---- the history, as lib/geo.c reads it for --codes-year ----
with open(OUT + '/mouvements-communes.csv', 'w', encoding='utf-8', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['MOD', 'DATE_EFF', 'COM_AV', 'COM_AP'])
    for r in MOVES:
        if r['TYPECOM_AV'] == 'COM' and r['TYPECOM_AP'] == 'COM':
            w.writerow([r['MOD'], r['DATE_EFF'], r['COM_AV'], r['COM_AP']])

# ---- names of the zones ----
lib = []
L23 = rows(Z + 'tagc-2023-libelles.csv')
L24 = rows(Z + 'tagc-2024-libelles.csv')
for level, niv in (('bassin_vie', 'BV2022'), ('zone_emploi', 'ZE2020'), ('unite_urbaine', 'UU2020'), ('aav', 'AAV2020')):
    seen = set()
    for r in L24 + L23:
        if r['NIVGEO'] == niv and r['CODGEO'] not in seen:
            seen.add(r['CODGEO'])
            lib.append((level, r['CODGEO'], r['LIBGEO']))
lib += [('unite_urbaine_taille', k, v) for k, v in (
    ('0', 'Commune hors unité urbaine'), ('1', 'Unité urbaine de 2 000 à 4 999 habitants'),
    ('2', 'Unité urbaine de 5 000 à 9 999 habitants'), ('3', 'Unité urbaine de 10 000 à 19 999 habitants'),
    ('4', 'Unité urbaine de 20 000 à 49 999 habitants'), ('5', 'Unité urbaine de 50 000 à 99 999 habitants'),
    ('6', 'Unité urbaine de 100 000 à 199 999 habitants'), ('7', 'Unité urbaine de 200 000 à 1 999 999 habitants'),
    ('8', 'Unité urbaine de Paris'))]
lib += [('aav_taille', k, v) for k, v in (
    ('0', 'Commune hors attraction des villes'), ('1', 'Aire de moins de 50 000 habitants'),
    ('2', 'Aire de 50 000 à moins de 200 000 habitants'), ('3', 'Aire de 200 000 à moins de 700 000 habitants'),
    ('4', 'Aire de 700 000 habitants ou plus (hors Paris)'), ('5', 'Aire de Paris'))]
lib += [('aav_categorie', k, v) for k, v in (
    ('11', 'Commune-centre'), ('12', 'Autre commune du pôle principal'), ('13', "Commune d'un pôle secondaire"),
    ('20', 'Commune de la couronne'), ('30', 'Commune hors attraction des villes'))]
lib += [('densite', str(i + 1), n) for i, n in enumerate(DENS)]
names_massif = {r['niveau_montagne'][:2]: r['niveau_montagne'][5:] for r in rows(Z + 'zones-de-massif-2025.csv')}
lib += [('densite3', 'dense', 'Communes densément peuplées (niveau 1)'),
        ('densite3', 'intermediaire', 'Communes de densité intermédiaire (niveaux 2 à 4)'),
        ('densite3', 'rural', 'Communes rurales (niveaux 5 à 7)'),
        ('rural', 'urbain', 'Communes urbaines (niveaux 1 à 4 de la grille de densité)'),
        ('rural', 'rural', 'Communes rurales (niveaux 5 à 7 de la grille de densité)')]
lib += [('massif', '00', 'Hors massif')] + sorted(('massif', k, v) for k, v in names_massif.items())
lib += [('frr', v, k) for k, v in FRR.items()]
lib += [('zrr', 'C', 'Classée en ZRR'), ('zrr', 'P', 'Partiellement classée en ZRR'), ('zrr', 'NC', 'Non classée')]
lib += [('qpv', '1', 'Commune avec un quartier prioritaire'), ('qpv', '0', 'Commune sans quartier prioritaire')]
with open(OUT + '/zonages-libelles.csv', 'w', encoding='utf-8', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['niveau', 'code', 'libelle'])
    for r in lib:
        w.writerow(r)

for name, start, n, mixed, lost in counts:
    print('%-32s from %s: %6d codes; %4d %s; %3d of today\'s communes without a value'
          % (name, start[:4], n, mixed, 'divided' if name.startswith('population') else 'in several zones', lost),
          file=sys.stderr)
