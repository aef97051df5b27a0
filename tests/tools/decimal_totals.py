#!/usr/bin/env python3
"""An independent total, for cross-checking fund-total in the tests.

Python's csv module and decimal.Decimal, nothing shared with libfund:
  decimal_totals.py FILE ENCODING DELIM AMOUNTCOL [GROUPCOL...]
prints "key<TAB>count<TAB>total" per group in first-seen order (blank
rows skipped; amounts with spaces/NBSP/€ removed and a lone comma read as
the decimal mark; unreadable ones left out), the total with the largest
number of decimals seen, like fund-total.
"""
import csv, decimal, io, sys

def amount(s):
    s = s.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "").strip()
    if not s or s.lower() == "null":
        return None
    if "," in s and "." not in s and s.count(",") == 1:
        s = s.replace(",", ".")
    try:
        d = decimal.Decimal(s)
    except decimal.InvalidOperation:
        return None
    return d if d.is_finite() else None

def main():
    path, enc, delim, col, groups = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    rows = csv.reader(io.StringIO(raw.decode(enc), newline=""), delimiter="\t" if delim == "tab" else delim)
    header = [h.strip() for h in next(rows)]
    ci, gi = header.index(col), [header.index(g) for g in groups]
    out, scale = {}, 0
    for r in rows:
        if not any(f.strip() for f in r):
            continue
        key = "\t".join(r[i].strip(" \t") if i < len(r) else "" for i in gi)
        g = out.setdefault(key, [0, decimal.Decimal(0), False])
        g[0] += 1
        a = amount(r[ci]) if ci < len(r) else None
        if a is not None:
            g[1] += a
            g[2] = True
            scale = max(scale, -a.as_tuple().exponent)
    q = decimal.Decimal(1).scaleb(-scale)
    for key, (n, total, seen) in out.items():
        cells = ([key] if groups else []) + [str(n), str(total.quantize(q)) if seen else ""]
        print("\t".join(cells))

main()
