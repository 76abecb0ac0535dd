"""Data for ``tongban bench cases``: the catalogue and staff (through the services) and
one intake through the services (bulk generation at volume: cases_volume.py).

Everything here runs on whatever database Django is connected to, so the small test
(cases/tests/test_bench_small.py) exercises the same code on the test database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from time import perf_counter as time_now
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password

from tongban.accounts.models import Department, Role, RoleGrant, User, Window
from tongban.catalog.elements import MaterialInput, StepInput
from tongban.catalog.models import ItemImplementation
from tongban.regions.models import Region

PASSWORD = "bench-pass-1234"
# Deciding regions (none in Sichuan, so the Sichuan windows take their items in by agreement).
HANDLING = ("140400", "411603", "210100", "500110", "532300")
DEPARTMENTS = ("人力资源和社会保障局", "市场监督管理局")
# Cross-province windows (异地代收代办): service-centre region code, centre name.
PROXY_WINDOWS = (("510402", "攀枝花市政务服务中心"), ("513401", "凉山州政务服务中心"))
ITEMS = (
    "社会保障卡申领",
    "失业保险金申领",
    "职工养老保险关系转移接续",
    "就业创业证申领",
    "工伤保险待遇核定",
    "个体工商户设立登记",
    "食品经营许可证核发",
    "营业执照变更登记",
    "药品零售企业许可",
    "企业名称变更登记",
)
MATERIALS = ("申请表", "居民身份证复印件", "近期免冠照片")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class DeptStaff:
    department: Department
    clerk: User
    reviewer: User
    approver: User


@dataclass
class Catalogue:
    impls: list[ItemImplementation]
    staff: dict[int, DeptStaff]  # by department id
    proxy_windows: list[tuple[Window, User]]  # (window, its clerk)
    local_windows: dict[str, tuple[Window, User]]  # by deciding region code
    applicants: list[User]
    supervisor: User  # province of 长治 (山西)
    extra: dict[str, Any] = field(default_factory=dict)


def _uscc(region_code: str, serial: int) -> str:
    from tongban.core.ids import make_uscc

    return make_uscc(f"11{region_code}{serial:09d}"[:17])


def _elements(name: str, promised_days: int, originals: bool = False) -> Any:
    """``originals``: the 申请表's paper original is checked and posted (异地代收代办)."""
    from tongban.testing import elements

    return elements(
        name=name,
        promised_days=promised_days,
        statutory_days=20,
        materials=[
            MaterialInput(
                name=m,
                acceptance_standard="清晰完整",
                original_required=originals and m == MATERIALS[0],
            )
            for m in MATERIALS
        ],
        steps=[
            StepInput(name="受理", role="clerk", days=1),
            StepInput(name="审查", role="reviewer", days=max(1, promised_days - 2)),
            StepInput(name="决定", role="approver", days=1),
        ],
    )


def catalogue_build(*, applicants: int = 50, regions: tuple[str, ...] = HANDLING) -> Catalogue:
    """Ten items in each deciding region (default five regions, two departments each: 50
    implementations with three materials), staff for every department, a local window per
    region, two cross-province windows with an agreement, applicants and a supervisor."""
    from tongban.accounts.services import (
        department_create,
        service_center_create,
        user_create,
        window_create,
    )
    from tongban.catalog.agreements import agreement_create
    from tongban.catalog.services import (
        baseline_upsert,
        implementation_create,
        version_create_draft,
        version_publish,
    )
    from tongban.core.actors import SYSTEM
    from tongban.core.ids import make_id_number

    hashed = make_password(PASSWORD)

    def user(name: str, grants: list[Any], id_number: str = "") -> User:
        return user_create(
            username=name,
            password="",
            password_hash=hashed,
            display_name=name,
            id_number=id_number,
            grants=grants,
        )

    baselines = [
        baseline_upsert(
            actor=SYSTEM, catalog_code=f"B{i + 1:011d}", name=n, item_type="public_service"
        )
        for i, n in enumerate(ITEMS)
    ]
    serial = 0
    for r, region in enumerate(regions):
        center = service_center_create(name=f"{region}政务服务中心", region_code=region)
        window = window_create(center=center, name="综合受理窗口", number="1")
        user(f"bench.w{region}.clerk", [("clerk", region, None, window)])
        for d, dname in enumerate(DEPARTMENTS):
            serial += 1
            level = "county" if region[4:] != "00" else "city"
            dept = department_create(
                name=dname, uscc=_uscc(region, serial), region_code=region, level=level
            )
            for role in ("clerk", "reviewer", "approver"):
                user(f"bench.d{dept.pk}.{role}", [(role, region, dept, None)])
            for b in baselines[d * 5 : d * 5 + 5]:
                impl = implementation_create(actor=SYSTEM, baseline=b, department=dept)
                days = 3 + (r * 5 + d) % 10
                v = version_create_draft(
                    actor=SYSTEM,
                    implementation=impl,
                    elements=_elements(b.name, days, originals=d == 0),
                )
                version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 1))
    for region, name in PROXY_WINDOWS:
        center = service_center_create(name=name, region_code=region)
        window = window_create(center=center, name="跨省通办专窗", is_cross_region=True)
        user(f"bench.w{region}.clerk", [("clerk", region[:4] + "00", None, window)])
    agreement_create(
        actor=SYSTEM,
        name="跨省通办合作协议（基准测试）",
        scope="cross_province",
        party_codes=[*regions, "510400", "513400"],
        catalog_codes=[b.catalog_code for b in baselines],
        valid_from="2026-01-01",
        rights={"receive", "notify", "verify_original", "deliver_result"},
    )
    user("bench.supervisor", [("supervisor", "140000", None, None)])
    # Applicants in bulk (a hundred thousand at a million cases); distinct identity numbers.
    born = date(1960, 1, 1)
    User.objects.bulk_create(
        (
            User(
                username=f"bench.a{i}",
                password=hashed,
                display_name=f"申请人{i}",
                id_number=make_id_number(
                    f"140402{born + timedelta(days=i // 500):%Y%m%d}{500 + i % 500:03d}"
                ),
            )
            for i in range(applicants)
        ),
        batch_size=5000,
    )
    shanxi = Region.objects.get(code="140400")
    RoleGrant.objects.bulk_create(
        (
            RoleGrant(user_id=pk, role=Role.APPLICANT, region=shanxi)
            for pk in User.objects.filter(username__startswith="bench.a").values_list(
                "pk", flat=True
            )
        ),
        batch_size=5000,
    )
    return catalogue_load()


def catalogue_load() -> Catalogue:
    """The catalogue built by :func:`catalogue_build`, read back (in another process)."""
    impls = list(
        ItemImplementation.objects.select_related(
            "current_version", "department", "baseline", "region"
        ).order_by("pk")
    )
    users = {u.username: u for u in User.objects.filter(username__startswith="bench.")}
    staff = {
        d.pk: DeptStaff(
            d, *(users[f"bench.d{d.pk}.{r}"] for r in ("clerk", "reviewer", "approver"))
        )
        for d in Department.objects.order_by("pk")
        if f"bench.d{d.pk}.clerk" in users
    }
    windows = Window.objects.select_related("center").order_by("pk")
    proxy = [(w, users[f"bench.w{w.center.region_id}.clerk"]) for w in windows if w.is_cross_region]
    local = {
        w.center.region_id: (w, users[f"bench.w{w.center.region_id}.clerk"])
        for w in windows
        if not w.is_cross_region
    }
    applicants = sorted(
        (u for n, u in users.items() if n.startswith("bench.a")), key=lambda u: u.pk
    )
    return Catalogue(impls, staff, proxy, local, applicants, users["bench.supervisor"])


class _Steps:
    """Accumulates the time of each step of an intake (``marks``: step → seconds)."""

    def __init__(self, marks: dict[str, float] | None) -> None:
        self.marks = marks
        self.t = time_now()

    def __call__(self, step: str, *actors: Any) -> None:
        # Each step is one request in real life: the actor's role grants are loaded anew.
        for a in actors:
            a.__dict__.pop("_tongban_grants", None)
        now = time_now()
        if self.marks is not None and step:
            self.marks[step] = self.marks.get(step, 0.0) + now - self.t
        self.t = now


def intake_one(
    cat: Catalogue,
    i: int,
    *,
    today: date,
    impls: list[ItemImplementation],
    run: str = "r",
    marks: dict[str, float] | None = None,
) -> int:
    """One case through the services: draft, three uploads (magic bytes checked, file
    stored), submit, pre-review, accept. Mixes online applicants, cross-province window
    intake and local window intake. Returns the case id."""
    from tongban.cases.services import ApplicantInput, IntakeInput, case_create_draft
    from tongban.cases.services import case_transition as move
    from tongban.cases.services_materials import material_upload
    from tongban.core.ids import make_id_number

    impl = impls[i % len(impls)]
    kind = i % 4
    code = make_id_number(f"5104021990{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}")
    window: Window | None = None
    if kind < 2:
        actor = cat.applicants[i % len(cat.applicants)]
        channel = "pc" if kind == 0 else "mobile"
        code = actor.id_number
    elif kind == 2:
        window, actor = cat.proxy_windows[i % len(cat.proxy_windows)]
        channel = "window"
    else:
        window, actor = cat.local_windows[impl.region_id]
        channel = "window"
    clerk = cat.staff[impl.department_id].clerk
    step = _Steps(marks)
    step("", actor, clerk)
    intake = IntakeInput(
        applicant=ApplicantInput(kind="person", name="申请人", code=code, phone="13800000000"),
        channel=channel,
        idempotency_key=f"bench-{run}-{today:%Y%m%d}-{impl.pk}-{i}",
    )
    case = case_create_draft(
        actor=actor, implementation=impl, intake=intake, window=window, today=today
    )
    step("create", actor)
    for m in case.materials.all():
        material_upload(
            actor=actor,
            case=case,
            material_id=m.pk,
            file_name=f"{m.name}.pdf",
            data=PDF,
            claimed_type="application/pdf",
        )
        step("upload ×3", actor)
    case = move(actor=actor, case=case, to="submitted", today=today)
    step("submit")
    case = move(actor=clerk, case=case, to="pre_review", today=today)
    step("pre_review", clerk)
    case = move(actor=clerk, case=case, to="accepted", today=today)
    step("accept")
    return case.pk
