"""The order of `fund-total --sort key`, for the tests' Python tools: keys
that are both plain decimal numbers compare as numbers, others by their
UTF-8 bytes; tuples key by key.  Use with functools.cmp_to_key."""
import re
from decimal import Decimal

NUM = re.compile(r'^-?[0-9]*(\.[0-9]*)?$')


def numeric(s):
    return bool(NUM.match(s)) and any(c.isdigit() for c in s)


def cmp1(a, b):
    if numeric(a) and numeric(b):
        x, y = Decimal(a), Decimal(b)
        return (x > y) - (x < y)
    a, b = a.encode(), b.encode()
    return (a > b) - (a < b)


def cmpk(a, b):
    for x, y in zip(a, b):
        c = cmp1(x, y)
        if c:
            return c
    return 0
