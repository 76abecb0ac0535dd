"""Pure arithmetic on GB/T 2260 codes: which region contains which.

A code's meaningful prefix is the code without its trailing "00" pairs at the
city/county positions: 140000 → "14", 140400 → "1404", 140402 → "140402".
"""

from __future__ import annotations


def prefix(code: str) -> str:
    if len(code) == 12 and code[6:] != "000000":
        # 12-digit codes: county (6) + township (3) + village (3).
        return code[:9] if code.endswith("000") else code
    c = code[:6]
    if c.endswith("0000"):
        return c[:2]
    if c.endswith("00"):
        return c[:4]
    return c


def covers(ancestor: str, descendant: str) -> bool:
    """True when ``descendant`` is ``ancestor`` or lies inside it."""
    return descendant.startswith(prefix(ancestor))


def normalise(code: str) -> str:
    """Pad a 2- or 4-digit code (as some data sets write them) to 6 digits."""
    c = code.strip()
    if len(c) in (2, 4):
        return c.ljust(6, "0")
    return c


def province_of(code: str) -> str:
    return code[:2] + "0000"
