"""The INSEE history of communes (mouvements des communes) as
data/tools/mkzonages.py and the tests follow it, as lib/geo.c does for
--codes-year: each commune of a year's geography is followed to the
communes of today that hold its land."""
import csv
from collections import defaultdict


def load(path):
    """The COM -> COM movements of path (INSEE's file, or fundkit's
    data/mouvements-communes.csv), by day, in the order to apply them."""
    groups = defaultdict(list)
    with open(path, encoding='utf-8-sig', newline='') as f:
        for r in csv.DictReader(f):
            if r.get('TYPECOM_AV', 'COM') == 'COM' and r.get('TYPECOM_AP', 'COM') == 'COM':
                # on one day, changes of code or département come first
                # (Pont-Farcy: 14513 -> 50649, then 50649 -> 50592, on
                # 1 January 2018)
                groups[(r['DATE_EFF'], 0 if r['MOD'] in ('41', '50') else 1)].append(r)
    return groups


def translate(groups, start, codes):
    """Each code of the geography of 1 January of year start (the events of
    that day are in it) -> the list of today's codes holding its land."""
    live = {c: {c} for c in codes}
    for d in sorted(groups):
        if d[0] <= start:
            continue
        adds, removes, dead, keep = defaultdict(set), defaultdict(set), set(), set()
        for r in groups[d]:
            y, x = r['COM_AV'], r['COM_AP']
            if y == x:
                keep.add(y)
                continue
            src = live.get(y, set())
            if r['MOD'] in ('20', '21'):      # creation, rétablissement: y stays
                if x in src:
                    adds[x].add(x)
                    removes[y].add(x)
                else:
                    adds[x] |= src
            else:                             # fusion, change of code or département
                adds[x] |= src
                dead.add(y)
        for y in dead - keep:
            live[y] = set()
        for y, s in removes.items():
            if y in live:
                live[y] -= s
        for x, s in adds.items():
            live.setdefault(x, set()).update(s)
        for y in [k for k, v in live.items() if not v]:
            del live[y]
    inv = defaultdict(list)
    for c, atoms in live.items():
        for a in atoms:
            inv[a].append(c)
    return inv


