"""Fixtures for supervision tests, the demo and the bench: cases brought to a given
status on a given day through the case services."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings

from tongban.cases.models import Case, MaterialStatus
from tongban.cases.services import case_create_draft, case_transition
from tongban.cases.services_materials import material_upload
from tongban.cases.testing import PDF_BYTES, World, online
from tongban.core.actors import SYSTEM

_PATH = {
    "submitted": ["submitted"],
    "pre_review": ["submitted", "pre_review"],
    "accepted": ["submitted", "pre_review", "accepted"],
    "under_review": ["submitted", "pre_review", "accepted", "under_review"],
}


def case_at(world: World, status: str, *, on: date, key: str | None = None) -> Case:
    """An online case of ``world.impl`` moved to ``status`` with every move dated ``on``."""
    case = case_create_draft(
        actor=world.applicant, implementation=world.impl, intake=online(key), today=on
    )
    for m in case.materials.filter(status=MaterialStatus.MISSING):
        material_upload(
            actor=world.applicant,
            case=case,
            material_id=m.pk,
            file_name="a.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    for to in _PATH[status]:
        case = case_transition(actor=SYSTEM, case=case, to=to, today=on)
    # The services stamp the real time; date the case as if it happened on ``on``.
    at = datetime.combine(on, time(9), ZoneInfo(settings.TIME_ZONE))
    stamps = {"created_at": at, "submitted_at": at, "status_changed_at": at}
    if case.accepted_at is not None:
        stamps["accepted_at"] = at
    Case.objects.filter(pk=case.pk).update(**stamps)
    case.refresh_from_db()
    return case
