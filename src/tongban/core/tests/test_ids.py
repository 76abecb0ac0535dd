import pytest

from tongban.core.errors import ValidationFailed
from tongban.core.ids import (
    make_id_number,
    make_uscc,
    validate_id_number,
    validate_region_code,
    validate_uscc,
)

# Published sample codes whose check characters are known to be right.
VALID_USCC = ["91350100M000100Y43", "91110000600037341L"]
VALID_IDS = ["11010519491231002X", "510402198805170017"]


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_uscc(code: str) -> None:
    assert validate_uscc(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91350100M000100Y44", "uscc_checksum"),
        ("91350100M000100Y4", "uscc_format"),
        ("9135010OM000100Y43", "uscc_format"),  # letter O is not in the alphabet
        ("91350100I000100Y43", "uscc_format"),  # nor is I
        ("", "uscc_format"),
    ],
)
def test_invalid_uscc(code: str, error: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_uscc(code)
    assert exc.value.code == error


@pytest.mark.parametrize("code", VALID_IDS)
def test_valid_id_number(code: str) -> None:
    assert validate_id_number(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("110105194912310021", "id_number_checksum"),
        ("11010519491331002X", "id_number_birthdate"),  # month 13
        ("440524188001010014", "id_number_birthdate"),  # right checksum, born 1880
        ("1101051949123100", "id_number_format"),
        ("11010519491231002Y", "id_number_format"),
        ("01010519491231002X", "id_number_region"),
    ],
)
def test_invalid_id_number(code: str, error: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_id_number(code)
    assert exc.value.code == error


def test_makers_produce_valid_codes() -> None:
    assert validate_uscc(make_uscc("11140400MB1234567"))
    assert validate_id_number(make_id_number("14040219900101123"))


@pytest.mark.parametrize(
    ("code", "ok"), [("140400", True), ("140402001000", True), ("14040", False), ("14040a", False)]
)
def test_region_code_format(code: str, ok: bool) -> None:
    if ok:
        assert validate_region_code(code) == code
    else:
        with pytest.raises(ValidationFailed):
            validate_region_code(code)
