from datetime import date

import pytest
from django.test import Client

from tongban.cases.models import MaterialStatus
from tongban.cases.services import case_create_draft, case_transition
from tongban.cases.services_materials import material_upload
from tongban.cases.testing import PDF_BYTES, build_world, online
from tongban.core.calendar_store import work_calendar
from tongban.supervision.scanner import cards_scan
from tongban.testing import make_user

pytestmark = pytest.mark.django_db


def test_supervisor_sees_cases_whose_deadline_could_not_be_computed() -> None:
    world = build_world(promised_days=20)
    case = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online())
    for m in case.materials.filter(status=MaterialStatus.MISSING):
        material_upload(
            actor=world.applicant,
            case=case,
            material_id=m.pk,
            file_name="a.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    for actor, to in (
        (world.applicant, "submitted"),
        (world.clerk, "pre_review"),
        (world.clerk, "accepted"),
    ):
        case = case_transition(actor=actor, case=case, to=to, today=date(2026, 12, 14))
    assert case.deadline_unknown
    # The supervision scan (every morning) lists it on the supervisor's dashboard.
    cards_scan(today=date(2026, 12, 14), cal=work_calendar())
    sup = Client()
    sup.force_login(make_user("sup_cz", "supervisor", "140400"))
    page = sup.get("/workbench/supervision/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "期限无法计算（1）" in body and case.case_number in body
    elsewhere = Client()
    elsewhere.force_login(make_user("sup_sy", "supervisor", "210100"))
    assert case.case_number not in elsewhere.get("/workbench/supervision/").content.decode()
    clerk = Client()
    clerk.force_login(world.clerk)
    assert clerk.get("/workbench/supervision/").status_code == 403
    assert Client().get("/workbench/supervision/").status_code == 302
