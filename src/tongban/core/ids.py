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


# --- 电子证照标识 (GB/T 36903): ISO/IEC 7064 MOD 37,36 ---------------------------------

MOD36_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LICENCE_ID_PREFIX = "1.2.156.3005.2"
_LICENCE_ID_RE = re.compile(
    r"^1\.2\.156\.3005\.2\.([0-9A-HJ-NPQRTUWXY]{18}\d{3})\.([0-9A-HJ-NPQRTUWXY]{18})"
    r"\.([0-9A-Z]{1,20})\.(\d{3})\.([0-9A-Z])$"
)


def mod37_36_check_char(text: str) -> str:
    """ISO/IEC 7064 hybrid system MOD 37,36 over ``0-9A-Z``: the one check character that
    makes the whole string verify. Raises ``ValueError`` on any other character."""
    m = 36
    p = m
    for ch in text.upper():
        value = MOD36_ALPHABET.find(ch)
        if value < 0:
            raise ValueError(f"character {ch!r} is outside 0-9A-Z")
        s = (p + value) % m or m
        p = (s * 2) % (m + 1)
    return MOD36_ALPHABET[(m + 1 - p) % m]


def mod37_36_valid(text: str) -> bool:
    """True when the last character is the MOD 37,36 check of the others."""
    if len(text) < 2:
        return False
    try:
        return mod37_36_check_char(text[:-1]) == text[-1].upper()
    except ValueError:
        return False


def licence_id_make(type_code: str, issuer_code: str, serial: str, version: int) -> str:
    """Compose an identifier; the check character covers the four parts in order."""
    ver = f"{version:03d}"
    check = mod37_36_check_char(type_code + issuer_code + serial + ver)
    return f"{LICENCE_ID_PREFIX}.{type_code}.{issuer_code}.{serial}.{ver}.{check}"


def validate_licence_id(value: str, *, field: str = "licence_id") -> str:
    """Validate a 电子证照标识 (format, the two embedded USCCs, the check character);
    returns it upper-cased."""
    v = (value or "").strip().upper()
    if v in _VALID_LICENCE_IDS:
        return v
    _check_licence_id(v, field)
    if len(_VALID_LICENCE_IDS) >= 4096:  # a bounded memo of identifiers seen valid
        _VALID_LICENCE_IDS.clear()
    _VALID_LICENCE_IDS.add(v)
    return v


_VALID_LICENCE_IDS: set[str] = set()


def _check_licence_id(v: str, field: str) -> None:
    m = _LICENCE_ID_RE.match(v)
    if not m:
        raise ValidationFailed("licence_id_format", field=field)
    type_code, issuer, serial, ver, check = m.groups()
    for code in (type_code[:18], issuer):
        if uscc_check_char(code[:17]) != code[17]:
            raise ValidationFailed("licence_id_format", field=field)
    if mod37_36_check_char(type_code + issuer + serial + ver) != check:
        raise ValidationFailed("licence_id_checksum", field=field)


def validate_licence_type_code(value: str, *, field: str = "type_code") -> str:
    """证照类型代码 (GB/T 36904): the defining authority's USCC + 3-digit serial."""
    v = (value or "").strip().upper()
    if len(v) != 21 or not v[18:].isdigit():
        raise ValidationFailed("licence_type_code_format", field=field)
    try:
        validate_uscc(v[:18], field=field)
    except ValidationFailed as exc:
        raise ValidationFailed("licence_type_code_format", field=field) from exc
    return v
