#!/usr/bin/env python3
"""An independent computation of what fund-diff writes, for its tests:
Python's csv and json modules and Decimal, the files' dialects given
rather than sniffed.

    diff_check.py [-k COLS] [-s COLS] [-g COLS] [--summary] [--rename A=B]
                  OLD ENC DELIM NEW ENC DELIM

ENC is a Python codec, DELIM the delimiter (',' ';' or 'json').  Columns
are matched by exact name (after --rename); amounts read with either mark
(a ',' followed by digits to the end is the decimal mark when there is no
'.'), groups of blanks removed.  Prints the TSV fund-diff prints (lines,
keys, columns, cells as read, exact deltas at the most decimals written in
the column), or the -g table, or the --summary line.
"""
import argparse
import csv
import io
import json
import re
from decimal import Decimal

ap = argparse.ArgumentParser()
ap.add_argument("-k", default="")
ap.add_argument("-s", default="")
ap.add_argument("-g", default="")
ap.add_argument("--summary", action="store_true")
ap.add_argument("--rename", action="append", default=[])
ap.add_argument("files", nargs=6)
a = ap.parse_args()
keys = [c for c in a.k.split(",") if c]
sums = [c for c in a.s.split(",") if c]
groups = [c for c in a.g.split(",") if c]


def read(path, enc, delim):
    if delim == "json":
        recs = json.load(open(path, encoding=enc))
        names = list(recs[0].keys())
        return names, [([str(r.get(n, "")) for n in names], i + 1) for i, r in enumerate(recs)]
    text = open(path, encoding=enc, newline="").read()
    if text.startswith("\ufeff"):
        text = text[1:]
    rd = csv.reader(io.StringIO(text), delimiter=delim)
    names = next(rd)
    rows, start = [], rd.line_num + 1
    for r in rd:
        if any(c.strip(" \t") for c in r):
            rows.append((r, start))
        start = rd.line_num + 1
    return names, rows


def amount(s):
    t = re.sub(r"[ \t\u00a0\u202f]", "", s)
    if t == "":
        return None, 0
    if "," in t and "." not in t:
        t = t.replace(",", ".")
    elif "," in t:
        t = t.replace(",", "")
    d = Decimal(t)
    return d, len(t.partition(".")[2])


old_names, old_rows = read(*a.files[0:3])
new_names, new_rows = read(*a.files[3:6])
ren = dict(r.split("=", 1)[::-1] for r in a.rename)   # NEW name -> OLD name
new_as = [ren.get(n, n) for n in new_names]
oi = {n: i for i, n in reversed(list(enumerate(old_names)))}
ni = {n: i for i, n in reversed(list(enumerate(new_as)))}
common = [n for n in old_names if n in ni]
cmp = [n for n in common if n not in keys]
solo_old = [n for n in old_names if n not in ni]
solo_new = [n for n in new_names if ren.get(n, n) not in oi]
scale = {}
for s in sums:
    sc = 0
    for names_idx, rows in ((oi, old_rows), (ni, new_rows)):
        for r, _ in rows:
            v = r[names_idx[s]] if names_idx[s] < len(r) else ""
            sc = max(sc, amount(v)[1])
    scale[s] = sc


def val(r, idx, n):
    i = idx[n]
    return r[i] if i < len(r) else ""


def tsv(s):
    # fundkit's TSV: quoted (quotes doubled) when a cell holds a tab, a
    # line break, starts with a quote, or starts or ends with a space
    if s and (s[0] in ' "' or s[-1] == " " or any(c in s for c in "\t\n\r")):
        return '"' + s.replace('"', '""') + '"'
    return s


def fmt(d, s):
    return f"{d:.{scale[s]}f}"


def norm(r, idx):
    out = []
    for n in cmp:
        v = val(r, idx, n)
        out.append(amount(v)[0] if n in sums else v)
    return tuple(out)


def key(r, idx):
    return tuple(val(r, idx, k) for k in keys) if keys else norm(r, idx)


byk = {}
for i, (r, _) in enumerate(old_rows):
    byk.setdefault(key(r, oi), []).append(i)
pair, matched_new = {}, set()
cursor = {k: 0 for k in byk}
for j, (r, _) in enumerate(new_rows):
    k = key(r, ni)
    if k in byk and cursor[k] < len(byk[k]):
        pair[byk[k][cursor[k]]] = j
        cursor[k] += 1
        matched_new.add(j)

out = []
money = {s: [Decimal(0)] * 3 for s in sums}
count = [0, 0, 0]
gtab = {}


def gadd(r, idx, what, cnt, sign):
    g = tuple(val(r, idx, c) for c in groups)
    e = gtab.setdefault(g, [[0, 0, 0], {s: [Decimal(0)] * 3 for s in sums}])
    if cnt:
        e[0][what] += 1
    for s in sums:
        v = amount(val(r, idx, s))[0]
        if v is not None:
            e[1][s][what] += sign * v


def line(status, ol, nl, r, idx, col="", old="", new="", delta=""):
    kc = [val(r, idx, k) for k in keys] if keys else [val(r, idx, n) for n in cmp]
    out.append([status, str(ol or ""), str(nl or "")] + kc + [col, old, new, delta])


for n in solo_old:
    out.append(["column-removed", "", ""] + [""] * (len(keys) or len(cmp)) + [n, "", "", ""])
for n in solo_new:
    out.append(["column-added", "", ""] + [""] * (len(keys) or len(cmp)) + [n, "", "", ""])


def one(r, idx, ln, added):
    what = 0 if added else 1
    count[what] += 1
    sign = 1 if added else -1
    for s in sums:
        v = amount(val(r, idx, s))[0]
        if v is not None:
            money[s][what] += sign * v
    if groups:
        gadd(r, idx, what, 1, sign)
    if not sums:
        line("added" if added else "removed", None if added else ln, ln if added else None, r, idx)
    for s in sums:
        t = val(r, idx, s)
        v = amount(t)[0]
        d = fmt(sign * v, s) if v is not None else ""
        if added:
            line("added", None, ln, r, idx, s, "", t, d)
        else:
            line("removed", ln, None, r, idx, s, t, "", d)


for i, (r, ln) in enumerate(old_rows):
    if i not in pair:
        one(r, oi, ln, False)
        continue
    j = pair[i]
    rn, lnn = new_rows[j]
    diffs = []
    for n in cmp:
        a_, b_ = val(r, oi, n), val(rn, ni, n)
        if n in sums:
            x, y = amount(a_)[0], amount(b_)[0]
            if x != y:
                diffs.append((n, a_, b_, fmt((y or 0) - (x or 0), n)))
        elif a_ != b_:
            diffs.append((n, a_, b_, ""))
    if not diffs:
        continue
    count[2] += 1
    for s in sums:
        x, y = amount(val(r, oi, s))[0], amount(val(rn, ni, s))[0]
        money[s][2] += (y or 0) - (x or 0)
    if groups:
        gadd(r, oi, 2, 0, -1)
        gadd(rn, ni, 2, 1, 1)
    for n, x, y, d in diffs:
        line("changed", ln, lnn, rn, ni, n, x, y, d)
for j, (r, ln) in enumerate(new_rows):
    if j not in matched_new:
        one(r, ni, ln, True)

if a.summary:
    parts = []
    for w, name in enumerate(["added", "removed", "changed"]):
        p = f"{count[w]} {name}"
        if sums:
            p += " (" + ", ".join((f"{s} " if len(sums) > 1 else "") + ("+" if money[s][w] >= 0 else "") +
                                  fmt(money[s][w], s) for s in sums) + ")"
        parts.append(p)
    t = ", ".join(parts)
    if solo_old or solo_new:
        t += f"; {len(solo_new)} column{'' if len(solo_new) == 1 else 's'} added, {len(solo_old)} removed"
    # a column of OLD only whose cells are those of a column of NEW only
    # in 90 % of the rows matched or more: renamed?
    renamed = 0
    for so in solo_old[:32]:
        best = max((sum(val(old_rows[i][0], oi, so) == new_rows[j][0][new_names.index(sn)]
                        for i, j in pair.items()) for sn in solo_new[:32]), default=0)
        if pair and best * 10 >= len(pair) * 9:
            renamed += 1
    if renamed:
        t += f"; {renamed} column{'' if renamed == 1 else 's'} renamed?"
    print(t)
elif groups:
    print("\t".join(groups + ["added", "removed", "changed"] +
                    [f"{s}:{w}" for s in sums for w in ("added", "removed", "changed", "net")]))
    for g, (c, m) in gtab.items():
        print("\t".join([tsv(x) for x in g] + [str(x) for x in c] +
                        [fmt(v, s) for s in sums for v in m[s] + [sum(m[s])]]))
else:
    print("\t".join(["status", "old_line", "new_line"] + (keys or cmp) + ["column", "old", "new", "delta"]))
    for r in out:
        print("\t".join(tsv(x) for x in r))
