"""Rating fixtures shared by tests, the demo seed and browser tests: a world with a
closed local online case (driven through the real case transitions) and a case two
regions share (taken in at the 攀枝花 window, decided in 长治)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tongban.accounts.models import Role, User
from tongban.accounts.services import user_create
from tongban.cases.models import Case, MaterialStatus
from tongban.cases.services import case_create_draft, case_transition
from tongban.cases.services_materials import material_upload
from tongban.cases.testing import PDF_BYTES, World, build_world, online
from tongban.core.actors import SYSTEM

CLOSE_PATH = [
    "submitted",
    "pre_review",
    "accepted",
    "under_review",
    "approved",
    "result_issued",
    "delivered",
    "closed",
]


@dataclass
class RatingWorld:
    world: World
    local_case: Case  # closed, online, decided by 长治
    shared_case: Case  # closed, taken in at the 攀枝花 window
    supervisor: User  # supervisor of 长治市
    pzh_supervisor: User
    stranger: User  # another applicant


def drive(case: Case, world: World, until: str, day: date) -> Case:
    """Move a case along CLOSE_PATH up to ``until`` with the world's staff."""
    if case.status == "draft":
        for m in case.materials.all():
            if m.status == MaterialStatus.MISSING:
                material_upload(
                    actor=SYSTEM,
                    case=case,
                    material_id=m.pk,
                    file_name=f"{m.name}.pdf",
                    data=PDF_BYTES,
                    claimed_type="application/pdf",
                )
    for to in CLOSE_PATH[CLOSE_PATH.index(case.status) + 1 if case.status in CLOSE_PATH else 0 :]:
        actor = world.applicant if to == "submitted" else world.approver
        if to in ("pre_review", "accepted"):
            actor = world.clerk
        case = case_transition(
            actor=SYSTEM if to == "submitted" else actor, case=case, to=to, today=day
        )
        if to == until:
            break
    return case


def build_rating_world(*, until: str = "closed", day: date = date(2026, 3, 2)) -> RatingWorld:
    world = build_world()
    local = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online())
    local = drive(local, world, until, day)
    shared = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online())
    shared = drive(shared, world, until, day)
    # Taken in at the 攀枝花 window (the intake services are tested by the cases app; here
    # only where the case came in matters).
    Case.objects.filter(pk=shared.pk).update(
        intake_window=world.pzh_window, intake_clerk=world.pzh_clerk, intake_region_id="510402"
    )
    shared.refresh_from_db()

    def user(username: str, role: str, region: str) -> User:
        return user_create(
            username=username,
            password="pass-1234",
            display_name=username,
            grants=[(role, region, None, None)],
        )

    return RatingWorld(
        world=world,
        local_case=local,
        shared_case=shared,
        supervisor=user("cz_supervisor", Role.SUPERVISOR, "140400"),
        pzh_supervisor=user("pzh_supervisor", Role.SUPERVISOR, "510400"),
        stranger=user("lisi", Role.APPLICANT, "140400"),
    )
