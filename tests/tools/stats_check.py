#!/usr/bin/env python3
"""Independent statistics for the tests: different algorithms from
libfund's (exact fractions, the pairwise mean difference for Gini, the
Lorenz curve by explicit interpolation), compared at 1e-12 relative.

  stats_check.py FILE VALUECOL [WEIGHTCOL] < measures-and-values-from-fund-stats (ndjson)

FILE is CSV; for each object fund-stats printed (one group, no -g), each
measure is recomputed and compared; prints "ok NAME" or "DIFF NAME got want".
"""
import csv, json, math, sys
from fractions import Fraction as F

def rel_ok(got, want):
    if want is None:
        return got is None
    if got is None:
        return False
    got = float(got)
    return abs(got - want) <= 1e-12 * max(1.0, abs(want))

def quantile7(xs, p):
    h = (len(xs) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])

def wquantile(xs, ws, p):
    W = sum(ws)
    c = 0
    for x, w in zip(xs, ws):
        c += w
        if c >= p * W:
            return x
    return xs[-1]

def lorenz(xs, ws, p):
    W, T = sum(ws), sum(F(x) * w for x, w in zip(xs, ws))
    cw, cx = F(0), F(0)
    for x, w in zip(xs, ws):
        if cw + w >= p * W and w > 0:
            return (cx + (p * W - cw) * F(x)) / T
        cw += w
        cx += w * F(x)
    return F(1)

def measures(xs, ws, weighted):
    n = len(xs)
    W = sum(ws)
    T = sum(F(x) * w for x, w in zip(xs, ws))
    mu = T / W
    m = {}
    m["count"] = n
    m["mean"] = float(mu)
    m2 = sum(w * (F(x) - mu) ** 2 for x, w in zip(xs, ws))
    m["var_pop"] = float(m2 / W)
    if weighted:
        W2 = sum(F(w) ** 2 for w in ws)
        m["var_samp"] = float(m2 * W / (W * W - W2))
    else:
        m["var_samp"] = float(m2 / (n - 1))
    m["sd_samp"] = math.sqrt(m["var_samp"])
    m["sd_pop"] = math.sqrt(m["var_pop"])
    if weighted:
        m["median"] = wquantile(xs, ws, 0.5)
        m["p90"] = wquantile(xs, ws, 0.9)
    else:
        m["median"] = quantile7(xs, 0.5)
        m["p90"] = quantile7(xs, 0.9)
        m["q1"] = quantile7(xs, 0.25)
        m["q3"] = quantile7(xs, 0.75)
    # Gini: mean absolute difference over all pairs / (2 mu)
    diff = sum(wi * wj * abs(F(xi) - F(xj)) for xi, wi in zip(xs, ws) for xj, wj in zip(xs, ws))
    m["gini"] = float(diff / (2 * W * W * mu))
    m["theil_t"] = sum(float(w) * float(F(x) / mu) * math.log(float(F(x) / mu)) for x, w in zip(xs, ws) if x > 0) / float(W)
    if all(x > 0 for x in xs):
        m["theil_l"] = sum(float(w) * math.log(float(mu / F(x))) for x, w in zip(xs, ws)) / float(W)
        m["atkinson_2"] = 1 - float(W / sum(F(w) / F(x) for x, w in zip(xs, ws))) / float(mu)
    m["atkinson_0.5"] = 1 - (sum(float(w) * math.sqrt(x) for x, w in zip(xs, ws)) / float(W)) ** 2 / float(mu)
    m["hoover"] = float(sum(abs(F(x) * w / T - F(w) / W) for x, w in zip(xs, ws)) / 2)
    m["top10"] = float(1 - lorenz(xs, ws, F(9, 10)))
    m["bottom40"] = float(lorenz(xs, ws, F(4, 10)))
    m["palma"] = float((1 - lorenz(xs, ws, F(9, 10))) / lorenz(xs, ws, F(4, 10)))
    if not weighted:
        S = sum(F(x) for x in xs)
        m["hhi"] = float(sum((F(x) / S) ** 2 for x in xs))
    return m

def main():
    path, col = sys.argv[1], sys.argv[2]
    wcol = sys.argv[3] if len(sys.argv) > 3 else None
    rows = list(csv.DictReader(open(path, newline="", encoding="utf-8"), delimiter="\t" if path.endswith(".tsv") else ","))
    pairs = sorted((float(r[col]), F(r[wcol]) if wcol else F(1)) for r in rows if r[col] != "")
    xs = [p[0] for p in pairs]
    ws = [p[1] for p in pairs]
    want = measures(xs, ws, wcol is not None)
    got = json.loads(sys.stdin.readline())
    for name, g in got.items():
        if name not in want:
            continue
        print(("ok " + name) if rel_ok(g, want[name]) else "DIFF %s got %s want %r" % (name, g, want[name]))

main()
