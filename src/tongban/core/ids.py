"""Validators for national identity codes. Pure functions; each raises ValidationFailed
with a stable code, or returns the normalised value.

- 公民身份号码, GB 11643-1999: 17 digits + ISO 7064 MOD 11-2 check (0-9 or X).
- 统一社会信用代码, GB 32100-2015: 18 characters from a 31-symbol alphabet, MOD 31 check.
- 行政区划代码, GB/T 2260: 6 digits (12 where township/village is needed).
"""

from __future__ import annotations

import re
from datetime import date

from tongban.core.errors import ValidationFailed

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str, *, field: str = "id_number") -> str:
    """Validate a 18-character 公民身份号码; returns it upper-cased."""
    v = (value or "").strip().upper()
    if not _ID_RE.match(v):
        raise ValidationFailed("id_number_format", field=field)
    if not re.match(r"^[1-9]\d{5}$", v[:6]) or v[:2] in {"00", "10", "20", "30", "40"}:
        raise ValidationFailed("id_number_region", field=field)
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError as exc:
        raise ValidationFailed("id_number_birthdate", field=field) from exc
    if born.year < 1900 or born > date.today():
        raise ValidationFailed("id_number_birthdate", field=field)
    if id_number_check_char(v[:17]) != v[17]:
        raise ValidationFailed("id_number_checksum", field=field)
    return v


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str, *, field: str = "uscc") -> str:
    """Validate a 统一社会信用代码; returns it upper-cased."""
    v = (value or "").strip().upper()
    if not _USCC_RE.match(v):
        raise ValidationFailed("uscc_format", field=field)
    if uscc_check_char(v[:17]) != v[17]:
        raise ValidationFailed("uscc_checksum", field=field)
    return v


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their check character (demo data and tests)."""
    return first17 + uscc_check_char(first17)


def make_id_number(first17: str) -> str:
    return first17 + id_number_check_char(first17)


_REGION_RE = re.compile(r"^\d{6}(\d{6})?$")


def validate_region_code(value: str, *, field: str = "region_code") -> str:
    v = (value or "").strip()
    if not _REGION_RE.match(v):
        raise ValidationFailed("region_code_format", field=field)
    return v
