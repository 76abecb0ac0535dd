"""Licence fixtures shared by tests, the demo and the benchmark."""

from __future__ import annotations

from datetime import date

from tongban.core.actors import SYSTEM
from tongban.core.ids import make_id_number, make_uscc
from tongban.licences.models import HolderCodeType, Licence, LicenceType
from tongban.licences.services import LicenceInput, licence_issue, licence_type_upsert

# 人力资源和社会保障部 (demo code) + 001: 社会保障卡.
SOCIAL_CARD = make_uscc("11100000000013120") + "001"
ISSUER_CODE = make_uscc("11140400000000001")
HOLDER = make_id_number("14040219900101001")


def make_type(
    code: str = SOCIAL_CARD,
    name: str = "社会保障卡",
    *,
    allows_multiple: bool = False,
    validity_years: int | None = 10,
) -> LicenceType:
    return licence_type_upsert(
        actor=SYSTEM,
        code=code,
        name=name,
        authority_name="人力资源和社会保障部",
        field_schema=[{"key": "card_no", "label": "社会保障号码"}, {"key": "bank", "label": "发卡银行"}],
        allows_multiple=allows_multiple,
        validity_years=validity_years,
    )


def licence_input(
    holder: str = HOLDER,
    *,
    type_code: str = SOCIAL_CARD,
    issuer_code: str = ISSUER_CODE,
    issue_date: date = date(2026, 3, 2),
    **kw: object,
) -> LicenceInput:
    return LicenceInput(
        type_code=type_code,
        holder_name=str(kw.pop("holder_name", "张三")),
        holder_code=holder,
        holder_code_type=str(kw.pop("holder_code_type", HolderCodeType.ID_NUMBER)),
        issuer_code=issuer_code,
        issuer_name=str(kw.pop("issuer_name", "长治市人力资源和社会保障局")),
        issue_date=issue_date,
        region_code="140400",
        fields=dict(kw.pop("fields", {"card_no": holder, "bank": "中国工商银行"})),  # type: ignore[call-overload]
        **kw,  # type: ignore[arg-type]
    )


def issue(holder: str = HOLDER, *, render_pdf: bool = False, **kw: object) -> Licence:
    return licence_issue(actor=SYSTEM, data=licence_input(holder, **kw), render_pdf=render_pdf)
