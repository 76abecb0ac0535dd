"""Factories for tests and benchmarks: valid codes and ready-made catalogue objects."""

from __future__ import annotations

import itertools

from tongban.accounts.models import Department, Role, User
from tongban.accounts.services import department_create, user_create
from tongban.catalog.elements import MaterialInput, StepInput, VersionElements
from tongban.catalog.models import BaselineItem, ItemImplementation
from tongban.catalog.services import baseline_upsert, implementation_create
from tongban.core.actors import SYSTEM
from tongban.core.ids import make_uscc

_seq = itertools.count(1)


def uscc_for(region_code: str, n: int | None = None) -> str:
    """A valid 统一社会信用代码 for a government organ (登记管理部门 1, 类别 1) in a region."""
    n = next(_seq) if n is None else n
    return make_uscc(f"11{region_code[:6]}{n:09d}"[:17])


def make_department(
    region_code: str = "140400", name: str = "长治市行政审批服务管理局", level: str = "city"
) -> Department:
    return department_create(
        name=name, uscc=uscc_for(region_code), region_code=region_code, level=level
    )


def make_user(
    username: str, role: str | Role, region_code: str, department: Department | None = None
) -> User:
    return user_create(
        username=username, password="pass-1234", grants=[(str(role), region_code, department, None)]
    )


def make_baseline(
    code: str = "000105001000",
    name: str = "社会保障卡申领",
    item_type: str = "public_service",
    high_risk: bool = False,
) -> BaselineItem:
    return baseline_upsert(
        actor=SYSTEM, catalog_code=code, name=name, item_type=item_type, high_risk=high_risk
    )


def make_implementation(baseline: BaselineItem, department: Department) -> ItemImplementation:
    return implementation_create(actor=SYSTEM, baseline=baseline, department=department)


def elements(name: str = "社会保障卡申领", **overrides: object) -> VersionElements:
    el = VersionElements(
        name=name,
        kind="promised",
        statutory_days=20,
        promised_days=5,
        aliases="社保卡申领,社保卡办理",
        summary="申领第三代社会保障卡",
        accept_condition="参加社会保险的人员",
        scope="cross_province",
        mode_fully_online=True,
        mode_proxy_intake=True,
        materials=[
            MaterialInput(
                name="居民身份证",
                source="licence",
                licence_type_code="11100000000013338W001",
                original_required=True,
            ),
            MaterialInput(name="近期免冠照片", acceptance_standard="白底彩色，358×441像素"),
        ],
        steps=[
            StepInput(name="受理", role="clerk", days=1),
            StepInput(name="审核", role="reviewer", days=3),
            StepInput(name="决定", role="approver", days=1),
        ],
    )
    for k, v in overrides.items():
        setattr(el, k, v)
    return el
