"""CSV import of existing licences: all or none, coded row errors, the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongban.core.actors import SYSTEM
from tongban.core.errors import ValidationFailed
from tongban.core.ids import make_id_number
from tongban.licences.importer import COLUMNS, licences_import_csv
from tongban.licences.models import Licence
from tongban.licences.testing import ISSUER_CODE, SOCIAL_CARD, make_type

pytestmark = pytest.mark.django_db


def _csv(rows: list[dict[str, str]]) -> str:
    lines = [",".join(COLUMNS)]
    for r in rows:
        lines.append(",".join(_q(r.get(c, "")) for c in COLUMNS))
    return "\n".join(lines) + "\n"


def _q(v: str) -> str:
    return '"' + v.replace('"', '""') + '"'


def _row(n: int, **kw: str) -> dict[str, str]:
    row = {
        "type_code": SOCIAL_CARD,
        "holder_name": f"持证人{n}",
        "holder_code_type": "111",
        "holder_code": make_id_number(f"14040219900101{n:03d}"),
        "issuer_code": ISSUER_CODE,
        "issuer_name": "长治市人力资源和社会保障局",
        "issue_date": "2019-06-01",
        "valid_from": "",
        "valid_to": "",
        "region_code": "140400",
        "number": f"SB{n:06d}",
        "fields": json.dumps({"bank": "中国银行"}, ensure_ascii=False),
    }
    row.update(kw)
    return row


def test_import_all_rows() -> None:
    make_type()
    n = licences_import_csv(actor=SYSTEM, text=_csv([_row(1), _row(2)]), render_pdf=False)
    assert n == 2
    lic = Licence.objects.get(number="SB000001")
    assert lic.events.get().operation == "import"
    assert str(lic.valid_to) == "2029-06-01"  # the type's 10 years


def test_one_bad_row_imports_nothing_and_names_each_row() -> None:
    make_type()
    text = _csv([_row(1), _row(2, issue_date="2019/06/01"), _row(3, holder_code="123")])
    with pytest.raises(ValidationFailed) as err:
        licences_import_csv(actor=SYSTEM, text=text, render_pdf=False)
    assert err.value.code == "import_bad_value"
    assert [(d["row"], d["code"]) for d in err.value.details] == [
        (2, "import_bad_value"),
        (3, "id_number_format"),
    ]
    assert not Licence.objects.exists()


def test_bad_header() -> None:
    with pytest.raises(ValidationFailed) as err:
        licences_import_csv(actor=SYSTEM, text="a,b\n1,2\n")
    assert err.value.code == "licence_import_bad_header"


def test_command(tmp_path: Path) -> None:
    make_type()
    good = tmp_path / "good.csv"
    good.write_text(_csv([_row(1)]), "utf-8")
    call_command("import_licences", str(good), "--no-pdf")
    assert Licence.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_text(_csv([_row(2, type_code="X")]), "utf-8")
    with pytest.raises(CommandError) as err:
        call_command("import_licences", str(bad), "--no-pdf")
    assert "licence_type_code_format" in str(err.value)
