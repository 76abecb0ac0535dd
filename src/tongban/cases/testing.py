"""Case fixtures shared by tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tongban.accounts.models import Department, Role, User, Window
from tongban.accounts.services import service_center_create, user_create, window_create
from tongban.cases.services import ApplicantInput, IntakeInput
from tongban.catalog.agreements import agreement_create
from tongban.catalog.elements import MaterialInput, StepInput
from tongban.catalog.models import ItemImplementation
from tongban.catalog.services import version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.core.ids import make_id_number
from tongban.testing import elements, make_baseline, make_department, make_implementation

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class World:
    impl: ItemImplementation
    dept: Department
    applicant: User
    clerk: User  # clerk of the deciding department (长治)
    reviewer: User
    approver: User
    pzh_window: Window
    pzh_clerk: User


def person(name: str = "张三", seq: int = 1) -> ApplicantInput:
    return ApplicantInput(
        kind="person",
        name=name,
        code=make_id_number(f"14040219900101{seq:03d}"),
        phone="13800000000",
    )


def online(key: str | None = None, **kw: object) -> IntakeInput:
    return IntakeInput(applicant=person(), channel="pc", idempotency_key=key, **kw)  # type: ignore[arg-type]


def build_world(
    *, with_agreement: bool = True, promised_days: int = 5, originals: bool = False
) -> World:
    """``originals``: the 申请表's paper original must be checked (and so posted)."""
    dept = make_department("140400", name="长治市人力资源和社会保障局")
    impl = make_implementation(make_baseline(), dept)
    el = elements(
        promised_days=promised_days,
        materials=[
            MaterialInput(
                name="申请表",
                acceptance_standard="填写完整并签字",
                original_required=originals,
            ),
            MaterialInput(name="近期免冠照片", acceptance_standard="白底彩色"),
            MaterialInput(name="参保证明", source="data_sharing", data_item="社保参保信息"),
        ],
        steps=[
            StepInput(name="受理", role="clerk", days=1),
            StepInput(name="审查", role="reviewer", days=2),
            StepInput(name="决定", role="approver", days=1),
        ],
    )
    v = version_create_draft(actor=SYSTEM, implementation=impl, elements=el)
    version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
    impl.refresh_from_db()
    center = service_center_create(name="攀枝花市政务服务中心", region_code="510402")
    pzh_window = window_create(
        center=center, name="跨省通办专窗", number="18", is_cross_region=True
    )
    if with_agreement:
        agreement_create(
            actor=SYSTEM,
            name="长治—攀枝花跨省通办合作协议",
            scope="cross_province",
            party_codes=["140400", "510400"],
            catalog_codes=[impl.baseline.catalog_code],
            valid_from="2026-01-01",
            rights={"receive", "notify", "verify_original", "deliver_result"},
        )

    def staff(username: str, role: Role, region: str, **kw: object) -> User:
        return user_create(
            username=username,
            password="pass-1234",
            display_name=username,
            grants=[(str(role), region, kw.get("dept"), kw.get("window"))],  # type: ignore[list-item]
        )

    return World(
        impl=impl,
        dept=dept,
        applicant=user_create(
            username="zhangsan",
            password="pass-1234",
            display_name="张三",
            id_number=make_id_number("14040219900101001"),
            grants=[("applicant", "140400", None, None)],
        ),
        clerk=staff("cz_clerk", Role.CLERK, "140400", dept=dept),
        reviewer=staff("cz_reviewer", Role.REVIEWER, "140400", dept=dept),
        approver=staff("cz_approver", Role.APPROVER, "140400", dept=dept),
        pzh_window=pzh_window,
        pzh_clerk=staff("pzh_clerk", Role.CLERK, "510400", window=pzh_window),
    )
