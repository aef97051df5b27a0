#!/usr/bin/env python3
"""Independent --spread for the tests, with Python's csv, datetime,
decimal and fractions:

  spread_check.py FILE DELIM GROUPS PERIOD SUM UNIT MODE

GROUPS comma-separated column names (possibly none), PERIOD a column
holding a period or START:END (two date columns), UNIT year or month, MODE
day (pro rata of the days) or equal (equal parts per year or month).
Prints what `fund-total -g GROUPS --spread PERIOD --by UNIT [--spread-by
UNIT] -s SUM --sort key` prints after its header: each row's amount in
cents (or its own decimals when it has more), parts rounded down, the
units left to the largest remainders (ties to the earliest period); a row
whose period is blank, unreadable, reversed or 100 years long or more
whole in the group without a period."""
import csv
import datetime as dt
import re
import sys
from decimal import Decimal
from fractions import Fraction
from functools import cmp_to_key

from keyorder import cmp1, cmpk

path, delim, groups, period, col, unit, mode = sys.argv[1:8]
groups = [g for g in groups.split(',') if g]


def point(s):
    """(first day, last day) of a day, month or year, or None."""
    s = s.strip(' \t')
    try:
        if re.fullmatch(r'\d{4}', s) and int(s) >= 1:
            return dt.date(int(s), 1, 1), dt.date(int(s), 12, 31)
        m = re.fullmatch(r'(\d{4})[-/](\d{2})', s) or re.fullmatch(r'(\d{2})/(\d{4})', s)
        if m:
            y, mo = (int(m.group(1)), int(m.group(2))) if len(m.group(1)) == 4 else (int(m.group(2)), int(m.group(1)))
            first = dt.date(y, mo, 1)
            nxt = dt.date(y + (mo == 12), mo % 12 + 1, 1)
            return first, nxt - dt.timedelta(days=1)
        m = re.fullmatch(r'(\d{4})[-/](\d{2})[-/](\d{2})([T ].*)?', s)
        if m and (s[4] == s[7] or m.group(4) is None and False):
            if s[4] == '/' and m.group(4):
                return None
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return d, d
        m = re.fullmatch(r'(\d{2})/(\d{2})/(\d{4})', s)
        if m:
            d = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            return d, d
    except ValueError:
        return None
    return None


def parse_period(s):
    s = s.strip(' \t')
    if not s:
        return 'blank'
    p = point(s)
    if p:
        return p
    for i in range(1, len(s) - 1):
        if s[i] in '/_-':
            a, b = point(s[:i]), point(s[i + 1:])
            if a and b:
                return a[0], b[1]
    return None


def parse_date(s):
    s = s.strip(' \t')
    if not s:
        return 'blank'
    p = point(s)
    return p[0] if p and p[0] == p[1] and len(s) >= 10 else None


def units_of(y, m=None):
    return (y, m) if unit == 'month' else (y,)


def periods(a, b):
    out = []
    if unit == 'year':
        for y in range(a.year, b.year + 1):
            lo, hi = max(a, dt.date(y, 1, 1)), min(b, dt.date(y, 12, 31))
            out.append(('%04d' % y, (hi - lo).days + 1))
    else:
        y, m = a.year, a.month
        while (y, m) <= (b.year, b.month):
            first = dt.date(y, m, 1)
            last = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
            lo, hi = max(a, first), min(b, last)
            out.append(('%04d-%02d' % (y, m), (hi - lo).days + 1))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


tot = {}
with open(path, newline='', encoding='utf-8-sig') as f:
    for r in csv.DictReader(f, delimiter=delim):
        if ':' in period and period not in r:
            s, e = period.split(':')
            a, b = parse_date(r[s]), parse_date(r[e])
            p = 'blank' if a == 'blank' and b == 'blank' else (a, b) if a not in (None, 'blank') and b not in (None, 'blank') else None
        else:
            p = parse_period(r[period])
        if p not in (None, 'blank') and (p[1] < p[0] or p[1].year - p[0].year >= 100):
            p = None
        k = tuple(r[g] for g in groups)
        v = r[col].strip().replace(',', '.')
        amount = Decimal(v) if v else None
        if p in (None, 'blank'):
            t = tot.setdefault(k + ('',), [0, None])
            t[0] += 1
            if amount is not None:
                t[1] = (t[1] or 0) + amount
            continue
        ps = periods(*p)
        w = [1 if mode == 'equal' else d for _, d in ps]
        W = sum(w)
        parts = [None] * len(ps)
        if amount is not None:
            sc = max(2, -amount.as_tuple().exponent)
            u = int(amount.scaleb(sc))
            a = abs(u)
            q = [Fraction(a * x, W) for x in w]
            parts = [int(x) for x in q]
            left = a - sum(parts)
            order = sorted(range(len(ps)), key=lambda i: (-(q[i] - parts[i]), i))
            for i in order[:left]:
                parts[i] += 1
            parts = [Decimal(x if u >= 0 else -x).scaleb(-sc) for x in parts]
        for (name, _), part in zip(ps, parts):
            t = tot.setdefault(k + (name,), [0, None])
            t[0] += 1
            if part is not None:
                t[1] = (t[1] or 0) + part



scale = max([-v[1].as_tuple().exponent for v in tot.values() if v[1] is not None] + [0])
for k in sorted(tot, key=cmp_to_key(cmpk)):
    n, s = tot[k]
    print('\t'.join(list(k) + [str(n), '' if s is None else format(s.quantize(Decimal(1).scaleb(-scale)), 'f')]))
