"""ISO/IEC 7064 MOD 37,36 and the 电子证照标识 validator (pure)."""

from __future__ import annotations

import pytest

from tongban.core.errors import ValidationFailed
from tongban.core.ids import (
    MOD36_ALPHABET,
    licence_id_make,
    mod37_36_check_char,
    mod37_36_valid,
    validate_licence_id,
    validate_licence_type_code,
)
from tongban.licences.testing import ISSUER_CODE, SOCIAL_CARD


def test_known_answer_from_the_grid_example() -> None:
    # The Global Release Identifier A1-2425G-ABC1234002-M uses ISO 7064 MOD 37,36.
    assert mod37_36_check_char("A12425GABC1234002") == "M"
    assert mod37_36_valid("A12425GABC1234002M")


def test_every_single_substitution_and_adjacent_transposition_is_caught() -> None:
    base = SOCIAL_CARD + ISSUER_CODE + "00000042" + "001"
    check = mod37_36_check_char(base)
    for i, ch in enumerate(base):
        for other in MOD36_ALPHABET:
            if other != ch:
                assert not mod37_36_valid(base[:i] + other + base[i + 1 :] + check)
    for i in range(len(base) - 1):
        swapped = base[:i] + base[i + 1] + base[i] + base[i + 2 :]
        if swapped != base:
            assert not mod37_36_valid(swapped + check)


def test_check_refuses_characters_outside_the_alphabet() -> None:
    with pytest.raises(ValueError):
        mod37_36_check_char("AB.C")
    assert not mod37_36_valid("A")


def test_identifier_round_trip() -> None:
    ident = licence_id_make(SOCIAL_CARD, ISSUER_CODE, "00000042", 1)
    parts = ident.split(".")
    assert ident.startswith("1.2.156.3005.2.")
    assert parts[5:9] == [SOCIAL_CARD, ISSUER_CODE, "00000042", "001"]
    assert validate_licence_id(ident.lower()) == ident


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "1.2.156.3005.2.X",
        "1.2.156.3005.1.{t}.{i}.00000042.001.{c}",  # wrong prefix
        "1.2.156.3005.2.{t}.{i}.00000042.1.{c}",  # version must be 3 digits
        "1.2.156.3005.2.{t}.{i}.0000-0042.001.{c}",  # serial alphabet
    ],
)
def test_malformed_identifiers_are_refused(bad: str) -> None:
    good = licence_id_make(SOCIAL_CARD, ISSUER_CODE, "00000042", 1)
    value = bad.format(t=SOCIAL_CARD, i=ISSUER_CODE, c=good[-1])
    with pytest.raises(ValidationFailed) as err:
        validate_licence_id(value)
    assert err.value.code == "licence_id_format"


def test_wrong_check_character_is_refused() -> None:
    good = licence_id_make(SOCIAL_CARD, ISSUER_CODE, "00000042", 1)
    wrong = good[:-1] + ("A" if good[-1] != "A" else "B")
    with pytest.raises(ValidationFailed) as err:
        validate_licence_id(wrong)
    assert err.value.code == "licence_id_checksum"


def test_embedded_codes_must_be_valid_usccs() -> None:
    bad_issuer = ISSUER_CODE[:-1] + ("0" if ISSUER_CODE[-1] != "0" else "1")
    ident = licence_id_make(SOCIAL_CARD, bad_issuer, "00000042", 1)
    with pytest.raises(ValidationFailed) as err:
        validate_licence_id(ident)
    assert err.value.code == "licence_id_format"


def test_type_code() -> None:
    assert validate_licence_type_code(SOCIAL_CARD.lower()) == SOCIAL_CARD
    for bad in ("", SOCIAL_CARD[:-1], SOCIAL_CARD[:-3] + "0A1", "X" + SOCIAL_CARD[1:]):
        with pytest.raises(ValidationFailed) as err:
            validate_licence_type_code(bad)
        assert err.value.code == "licence_type_code_format"
