"""The world of the authorisation matrix (test_authz_matrix.py): actors, cases in several
states, who may see what, and the runner that checks a table of expected statuses."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.test import Client

from tongban.accounts.models import User
from tongban.accounts.services import user_create
from tongban.cases.models import Case, MaterialStatus, Shipment
from tongban.cases.services import IntakeInput, case_create_draft, case_transition
from tongban.cases.services_materials import (
    Defect,
    case_request_supplement,
    material_upload,
    shipment_send,
)
from tongban.cases.testing import PDF_BYTES, World, build_world, person
from tongban.catalog.services import version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.core.ids import make_id_number
from tongban.testing import elements, make_department, make_implementation, make_user

DAY = date(2026, 3, 2)
ACTORS = (
    "anon",
    "applicant",
    "applicant2",
    "cz_clerk",  # clerk of 长治's deciding department
    "reviewer",
    "approver",
    "pzh_clerk",  # clerk of the 攀枝花 跨省通办 window
    "sup_cz",  # supervisor of 长治 (140400)
    "sup_sy",  # supervisor of 沈阳 (210100)
    "other_reviewer",  # reviewer of another 长治 department
)

MISSING = "missing"  # a case that does not exist: answered exactly like one you may not see

# Who may see which case (list endpoints must return exactly these).
_CZ_ROUTED = {"submitted", "review", "supplement", "supplement_ready", "issued", "walkin"}
VISIBLE: dict[str, set[str]] = {
    "anon": set(),
    "applicant": {"draft", "submitted", "review", "supplement", "supplement_ready", "issued"},
    "applicant2": {"shenyang"},
    "cz_clerk": _CZ_ROUTED,
    "reviewer": _CZ_ROUTED,
    "approver": _CZ_ROUTED,
    "pzh_clerk": {"walkin_draft", "walkin"},
    "sup_cz": _CZ_ROUTED,
    "sup_sy": {"shenyang"},
    "other_reviewer": set(),
}

CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


@dataclass
class Ctx:
    world: World
    users: dict[str, User | None]
    cases: dict[str, Case]
    shipments: dict[str, Shipment]

    def ref(self, key: str) -> str:
        if key == MISSING:
            return "99999999"
        case = self.cases[key]
        return case.case_number or str(case.pk)


def _upload_missing(case: Case) -> None:
    for m in case.materials.filter(status=MaterialStatus.MISSING):
        material_upload(
            actor=SYSTEM,
            case=case,
            material_id=m.pk,
            file_name="scan.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )


def _go(case: Case, *moves: tuple[User, str]) -> Case:
    for actor, to in moves:
        case = case_transition(actor=actor, case=case, to=to, opinion="依法办理", today=DAY)
    return case


def _key(name: str) -> str:
    # Idempotency keys as the applicant portal makes them (it stashes files under them).
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"matrix/{name}"))


def build_matrix_world() -> Ctx:
    w = build_world()
    sy_dept = make_department("210100", name="沈阳市人力资源和社会保障局")
    sy_impl = make_implementation(w.impl.baseline, sy_dept)
    v = version_create_draft(actor=SYSTEM, implementation=sy_impl, elements=elements())
    version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
    sy_impl.refresh_from_db()
    other_dept = make_department("140400", name="长治市市场监督管理局")
    applicant2 = user_create(
        username="wangwu",
        password="pass-1234",
        display_name="王五",
        id_number=make_id_number("21010219900101003"),
        grants=[("applicant", "210100", None, None)],
    )
    users: dict[str, User | None] = {
        "anon": None,
        "applicant": w.applicant,
        "applicant2": applicant2,
        "cz_clerk": w.clerk,
        "reviewer": w.reviewer,
        "approver": w.approver,
        "pzh_clerk": w.pzh_clerk,
        "sup_cz": make_user("sup_cz", "supervisor", "140400"),
        "sup_sy": make_user("sup_sy", "supervisor", "210100"),
        "other_reviewer": make_user("other_reviewer", "reviewer", "140400", other_dept),
    }

    def online(key: str, impl: Any = w.impl, who: User = w.applicant) -> Case:
        me = person(who.display_name)
        me.code = who.id_number  # online, one applies in one's own name
        intake = IntakeInput(applicant=me, channel="pc", idempotency_key=_key(key))
        case = case_create_draft(actor=who, implementation=impl, intake=intake, today=DAY)
        _upload_missing(case)
        return case

    def walk_in(key: str) -> Case:
        intake = IntakeInput(
            applicant=person("李四", 7), channel="window", idempotency_key=_key(key)
        )
        case = case_create_draft(
            actor=w.pzh_clerk, implementation=w.impl, intake=intake, window=w.pzh_window, today=DAY
        )
        _upload_missing(case)
        return case

    up = ((w.applicant, "submitted"), (w.clerk, "pre_review"), (w.clerk, "accepted"))
    review = (*up, (w.reviewer, "under_review"))
    cases = {
        "draft": online("draft"),
        "submitted": _go(online("submitted"), (w.applicant, "submitted")),
        "review": _go(online("review"), *review),
        "supplement": _go(online("supplement"), *review),
        "supplement_ready": _go(online("supplement_ready"), *review),
        "issued": _go(
            online("issued"),
            *review,
            (w.approver, "approved"),
            (w.approver, "result_issued"),
        ),
        "walkin_draft": walk_in("walkin_draft"),
        "walkin": _go(walk_in("walkin"), (w.pzh_clerk, "submitted")),
        "shenyang": _go(online("shenyang", sy_impl, applicant2), (applicant2, "submitted")),
    }
    for key in ("supplement", "supplement_ready"):
        photo = cases[key].materials.get(name="近期免冠照片")
        cases[key] = case_request_supplement(
            actor=w.reviewer,
            case=cases[key],
            defects=[Defect(photo.pk, "背景应为白色")],
            opinion="请补正",
            today=DAY,
        )
    photo = cases["supplement_ready"].materials.get(name="近期免冠照片")
    material_upload(
        actor=SYSTEM,
        case=cases["supplement_ready"],
        material_id=photo.pk,
        file_name="photo.pdf",
        data=PDF_BYTES,
        claimed_type="application/pdf",
    )
    shipments = {
        "walkin": shipment_send(
            actor=w.pzh_clerk,
            case=cases["walkin"],
            kind="originals",
            carrier="EMS",
            tracking_number="EA000000001CN",
        ),
        "issued": shipment_send(
            actor=w.approver,
            case=cases["issued"],
            kind="result",
            carrier="EMS",
            tracking_number="EA000000002CN",
        ),
    }
    fresh = {k: Case.objects.get(pk=c.pk) for k, c in cases.items()}
    return Ctx(w, users, fresh, shipments)


Call = Callable[[Client, Ctx, str], Any]


def clients(ctx: Ctx) -> dict[str, Client]:
    out = {}
    for name, user in ctx.users.items():
        c = Client()
        if user is not None:
            c.force_login(user)
        out[name] = c
    return out


def isolated(call: Callable[[], Any]) -> Any:
    """Run one request and undo whatever it wrote."""
    sid = transaction.savepoint()
    try:
        return call()
    finally:
        transaction.savepoint_rollback(sid)


# An expected cell is a status, or (status, code) where the code is not the usual one.
Want = int | tuple[int, str]
Row = tuple[str, str, tuple[Want, ...]]


def check(ctx: Ctx, rows: list[Row], calls: dict[str, Call], *, api: bool = True) -> None:
    """Run every row for every actor; report all mismatches at once."""
    by_actor = clients(ctx)
    failures = []
    for endpoint, key, expected in rows:
        for actor, cell in zip(ACTORS, expected, strict=True):
            want, code = cell if isinstance(cell, tuple) else (cell, CODES.get(cell))
            r = isolated(lambda: calls[endpoint](by_actor[actor], ctx, key))  # noqa: B023
            where = f"{actor} {endpoint} {key}"
            if r.status_code != want:
                failures.append(f"{where}: {r.status_code} (want {want})")
            elif api and code is not None and r.json().get("code") != code:
                failures.append(f"{where}: code {r.json().get('code')} (want {code})")
            elif not api and want == 302 and "login" not in r["Location"]:
                failures.append(f"{where}: redirected to {r['Location']}, not the login page")
    assert not failures, "\n".join(failures)
