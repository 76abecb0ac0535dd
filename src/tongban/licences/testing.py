"""Licence fixtures shared by tests, the demo and the benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tongban.accounts.models import Department, Role, User
from tongban.accounts.services import user_create
from tongban.catalog.elements import MaterialInput, StepInput
from tongban.catalog.models import ItemImplementation
from tongban.catalog.services import version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.core.ids import make_id_number, make_uscc
from tongban.licences.models import HolderCodeType, Licence, LicenceType
from tongban.licences.services import LicenceInput, licence_issue, licence_type_upsert
from tongban.testing import elements, make_baseline, make_department, make_implementation

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
        field_schema=[
            {"key": "card_no", "label": "社会保障号码"},
            {"key": "bank", "label": "发卡银行"},
        ],
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
    return licence_issue(
        actor=SYSTEM,
        data=licence_input(holder, **kw),  # type: ignore[arg-type]
        render_pdf=render_pdf,
    )


# --- a world for the exemption flow and issue-on-approval ---------------------------

ID_CARD = "11100000000013338W001"  # 公安部 + 001: 居民身份证
POLICE_CODE = make_uscc("11140400000000002")


@dataclass
class LicenceWorld:
    impl: ItemImplementation
    dept: Department
    applicant: User
    clerk: User
    reviewer: User
    approver: User
    id_card: Licence  # the applicant's valid 居民身份证


def build_licence_world(*, username: str = "zhangsan") -> LicenceWorld:
    """社会保障卡申领 (result: an e-licence) whose 居民身份证 material comes from e-licences,
    and an applicant who holds a valid 居民身份证 e-licence."""
    make_type()
    licence_type_upsert(
        actor=SYSTEM,
        code=ID_CARD,
        name="居民身份证",
        authority_name="公安部",
        field_schema=[{"key": "address", "label": "住址"}],
        validity_years=20,
    )
    dept = make_department("140400", name="长治市人力资源和社会保障局")
    impl = make_implementation(make_baseline(), dept)
    el = elements(
        materials=[
            MaterialInput(name="居民身份证", source="licence", licence_type_code=ID_CARD),
            MaterialInput(name="申请表", acceptance_standard="填写完整并签字"),
            MaterialInput(name="参保证明", source="data_sharing", data_item="社保参保信息"),
        ],
        steps=[
            StepInput(name="受理", role="clerk", days=1),
            StepInput(name="决定", role="approver", days=1),
        ],
        result_name="社会保障卡",
        result_type="licence",
        result_licence_type=SOCIAL_CARD,
    )
    v = version_create_draft(actor=SYSTEM, implementation=impl, elements=el)
    version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
    impl.refresh_from_db()

    def staff(name: str, role: Role) -> User:
        return user_create(
            username=name,
            password="pass-1234",
            display_name=name,
            grants=[(str(role), "140400", dept, None)],
        )

    id_card = licence_issue(
        actor=SYSTEM,
        data=licence_input(
            type_code=ID_CARD,
            issuer_code=POLICE_CODE,
            issuer_name="长治市公安局潞州分局",
            issue_date=date(2020, 5, 1),
            fields={"address": "山西省长治市潞州区英雄南路1号"},
        ),
        render_pdf=False,
    )
    return LicenceWorld(
        impl=impl,
        dept=dept,
        applicant=user_create(
            username=username,
            password="pass-1234",
            display_name="张三",
            id_number=HOLDER,
            grants=[("applicant", "140400", None, None)],
        ),
        clerk=staff(f"{username}_clerk", Role.CLERK),
        reviewer=staff(f"{username}_reviewer", Role.REVIEWER),
        approver=staff(f"{username}_approver", Role.APPROVER),
        id_card=id_card,
    )
