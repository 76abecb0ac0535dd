from datetime import date

import pytest

from tongban.cases.models import MaterialStatus
from tongban.cases.selectors import CaseFilters, case_get, case_list, department_inbox
from tongban.cases.services import case_create_draft, case_transition
from tongban.cases.services_materials import material_upload
from tongban.cases.testing import PDF_BYTES, World, build_world, online
from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError
from tongban.testing import make_user

pytestmark = pytest.mark.django_db


def _submitted(world: World, key: str, day: date):  # type: ignore[no-untyped-def]
    case = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online(key))
    for m in case.materials.filter(status=MaterialStatus.MISSING):
        material_upload(
            actor=world.applicant,
            case=case,
            material_id=m.pk,
            file_name="a.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    case = case_transition(actor=world.applicant, case=case, to="submitted", today=day)
    case = case_transition(actor=world.clerk, case=case, to="pre_review", today=day)
    return case_transition(actor=world.clerk, case=case, to="accepted", today=day)


def test_lists_respect_object_level_access_and_paginate() -> None:
    world = build_world()
    cases = [_submitted(world, f"k{i}", date(2026, 3, 2 + i)) for i in range(5)]
    stranger = make_user("stranger", "applicant", "140400")
    assert case_list(stranger, CaseFilters()).cases == []
    with pytest.raises(TongbanError) as exc:
        case_get(stranger, case_id=cases[0].pk)
    assert exc.value.code == "not_found"
    assert len(case_list(world.pzh_clerk, CaseFilters()).cases) == 0
    page1 = case_list(world.reviewer, CaseFilters(), order="deadline", limit=2)
    page2 = case_list(
        world.reviewer, CaseFilters(), order="deadline", limit=2, cursor=page1.next_cursor
    )
    page3 = case_list(
        world.reviewer, CaseFilters(), order="deadline", limit=2, cursor=page2.next_cursor
    )
    got = [c.pk for p in (page1, page2, page3) for c in p.cases]
    assert got == [c.pk for c in cases] and page3.next_cursor is None
    newest = case_list(world.applicant, CaseFilters(), limit=3)
    assert [c.pk for c in newest.cases] == [c.pk for c in reversed(cases)][:3]
    assert [c.pk for c in department_inbox(world.approver)] == [c.pk for c in cases]
    assert len(case_list(SYSTEM, CaseFilters(status=["accepted"])).cases) == 5
    with pytest.raises(TongbanError) as bad:
        case_list(world.reviewer, CaseFilters(status=["flying"]))
    assert bad.value.code == "invalid_input" and bad.value.field == "status"
    with pytest.raises(TongbanError) as bad_cursor:
        case_list(world.reviewer, CaseFilters(), cursor="not-a-cursor")
    assert bad_cursor.value.field == "cursor"
