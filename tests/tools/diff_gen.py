#!/usr/bin/env python3
"""Write a pair of publications of one subsidies table for fund-diff's
tests: OLD in UTF-8, ',' and '.' decimals; NEW the same table republished
otherwise: rows reordered, every field quoted, ';' and Windows-1252 with
CRLF, decimal commas and grouped thousands ("1 234,50" for 1234.5),
columns reordered, one renamed, one dropped, one added, and real changes:
rows added and removed, amounts changed by a cent or more, texts changed,
keys found twice.  Also NEW as JSON (the same records).

    tests/tools/diff_gen.py SEED DIR     writes DIR/old.csv, DIR/new.csv, DIR/new.json
"""
import csv
import json
import random
import sys
from decimal import Decimal

seed, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(seed)
N = 300
towns = ["Albi", "Rodez", "Auch", "Foix", "Cahors", "Mende", "Tarbes", "Perpignan", "Nîmes", "Béziers"]
objets = ["Fête du village", "Équipement sportif", "Médiathèque", "Voirie", "École \"Jean Jaurès\"",
          "Salle; polyvalente", "Ligne 1\nligne 2", "Crèche, halte-garderie"]


def amount():
    return Decimal(rnd.randint(0, 5_000_000)) / (100 if rnd.random() < 0.7 else 1)


rows = []
for i in range(N):
    rows.append({"id": f"S{i:05d}", "beneficiaire": f"Association {rnd.randint(1, 999)}",
                 "objet": rnd.choice(objets), "montant": amount(), "ville": rnd.choice(towns),
                 "annee": str(rnd.choice([2019, 2020, 2021]))})
# keys found twice in OLD
for i in rnd.sample(range(N), 3):
    r = dict(rows[i])
    r["montant"] = amount()
    rows.append(r)

new = [dict(r) for r in rows]
# removed, changed, added
for i in sorted(rnd.sample(range(len(new)), 15), reverse=True):
    del new[i]
for r in rnd.sample(new, 40):
    k = rnd.random()
    if k < 0.3:
        r["montant"] += Decimal("0.01")
    elif k < 0.6:
        r["montant"] = amount()
    elif k < 0.8:
        r["objet"] = rnd.choice(objets) + " (avenant)"
    else:
        r["annee"] = "2022"
for i in range(12):
    new.append({"id": f"N{i:04d}", "beneficiaire": f"Commune {i}", "objet": rnd.choice(objets),
                "montant": amount(), "ville": rnd.choice(towns), "annee": "2022"})
# a key twice in NEW
new.append(dict(rnd.choice(new)))
rnd.shuffle(new)
for r in new:
    r["region"] = "76"


def plain(d):
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s and rnd.random() < 0.3 else s


def french(d):
    s = format(d, "f")
    whole, _, frac = s.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    sep = rnd.choice([" ", "\u00a0"])
    return sep.join(groups) + ("," + frac if frac else "")


for r in new:
    r["mtext"] = french(r["montant"])
with open(f"{out}/old.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "beneficiaire", "objet", "montant", "ville", "annee"])
    for r in rows:
        w.writerow([r["id"], r["beneficiaire"], r["objet"], plain(r["montant"]), r["ville"], r["annee"]])
# NEW: columns reordered, objet renamed intitule, ville dropped, region added
cols = ["annee", "montant", "id", "intitule", "beneficiaire", "region"]
with open(f"{out}/new.csv", "w", encoding="cp1252", newline="") as f:
    w = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(cols)
    for r in new:
        w.writerow([r["annee"], r["mtext"], r["id"], r["objet"], r["beneficiaire"], r["region"]])
with open(f"{out}/new.json", "w", encoding="utf-8") as f:
    json.dump([{"annee": r["annee"], "montant": r["mtext"], "id": r["id"], "intitule": r["objet"],
                "beneficiaire": r["beneficiaire"], "region": r["region"]} for r in new], f, ensure_ascii=False,
              indent=1)
