"""GET /api/v1/cases: typed filters and cursor pagination."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from tongban.cases.models import Case, MaterialStatus
from tongban.cases.services import IntakeInput, case_create_draft, case_transition
from tongban.cases.services_materials import material_upload
from tongban.cases.testing import PDF_BYTES, World, build_world, online, person
from tongban.core.actors import SYSTEM

pytestmark = pytest.mark.django_db


URL = "/api/v1/cases"


def _submitted(world: World, case: Case, day: date, *, accept: bool) -> Case:
    for m in case.materials.filter(status=MaterialStatus.MISSING):
        material_upload(
            actor=SYSTEM,
            case=case,
            material_id=m.pk,
            file_name="a.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    case = case_transition(actor=SYSTEM, case=case, to="submitted", today=day)
    if accept:
        case = case_transition(actor=world.clerk, case=case, to="pre_review", today=day)
        case = case_transition(actor=world.clerk, case=case, to="accepted", today=day)
    return case


@pytest.fixture
def cases() -> tuple[World, dict[str, Case]]:
    world = build_world()
    out: dict[str, Case] = {}
    for i, day in enumerate((date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4))):
        draft = case_create_draft(
            actor=world.applicant, implementation=world.impl, intake=online(f"on{i}")
        )
        out[f"online{i}"] = _submitted(world, draft, day, accept=True)
    walk_in = IntakeInput(applicant=person("李四", seq=7), channel="window")
    draft = case_create_draft(
        actor=world.pzh_clerk, implementation=world.impl, intake=walk_in, window=world.pzh_window
    )
    out["window"] = _submitted(world, draft, date(2026, 3, 5), accept=False)
    out["draft"] = case_create_draft(
        actor=world.applicant, implementation=world.impl, intake=online("d")
    )
    return world, out


def _refs(c: Client, query: str = "") -> list[str]:
    r = c.get(f"{URL}?{query}")
    assert r.status_code == 200, r.content
    return [i["ref"] for i in r.json()["items"]]


def _ref(case: Case) -> str:
    return case.case_number or str(case.pk)


def test_typed_filters(cases: tuple[World, dict[str, Case]]) -> None:
    world, cs = cases
    c = Client()
    c.force_login(world.reviewer)
    every = {_ref(x) for k, x in cs.items() if k != "draft"}  # drafts stay with their author
    assert set(_refs(c)) == every
    accepted = {_ref(cs[f"online{i}"]) for i in range(3)}
    assert set(_refs(c, "status=accepted")) == accepted
    assert set(_refs(c, "status=accepted&status=submitted")) == every
    assert set(_refs(c, "open_only=true")) == every
    assert _refs(c, "channel=window") == [_ref(cs["window"])]
    assert _refs(c, "mode=proxy_intake") == [_ref(cs["window"])]
    assert _refs(c, f"window={world.pzh_window.pk}") == [_ref(cs["window"])]
    assert _refs(c, "intake_region=510400") == [_ref(cs["window"])]
    assert set(_refs(c, "region=140000")) == every
    assert _refs(c, "region=210100") == []
    assert set(_refs(c, f"department={world.dept.pk}")) == every
    assert set(_refs(c, f"task_code={world.impl.task_code}")) == every
    assert set(_refs(c, f"catalog_code={world.impl.baseline.catalog_code}")) == every
    assert _refs(c, f"applicant_code={cs['window'].applicant_code}") == [_ref(cs["window"])]
    d0, d2 = (cs[f"online{i}"].promised_deadline for i in (0, 2))
    assert d0 is not None and d2 is not None and d0 < d2
    got = _refs(c, f"deadline_from={d0.isoformat()}&deadline_to={d0.isoformat()}")
    assert got == [_ref(cs["online0"])]
    assert set(_refs(c, "deadline_unknown=false")) == every
    assert _refs(c, "deadline_unknown=true") == []
    for bad, field in (("status=flying", "status"), ("cursor=%%%", "cursor")):
        r = c.get(f"{URL}?{bad}")
        assert r.status_code == 422 and r.json()["field"] == field, bad
    for order, values in (("deadline", ["x", 1]), ("deadline", ["id", 1]), ("newest", ["id", "y"])):
        tampered = base64.urlsafe_b64encode(json.dumps(values).encode()).decode()
        r = c.get(f"{URL}?order={order}&cursor={tampered}")
        assert r.status_code == 422 and r.json()["field"] == "cursor", values
    r = c.get(f"{URL}?order=sideways")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = c.get(f"{URL}?deadline_from=not-a-date")
    assert r.status_code == 422 and r.json()["field"] == "deadline_from"


def _walk(c: Client, query: str) -> list[str]:
    refs: list[str] = []
    url: str | None = f"{URL}?{query}"
    while url:
        body: dict[str, Any] = c.get(url).json()
        refs += [i["ref"] for i in body["items"]]
        nxt = body["next_cursor"]
        url = f"{URL}?{query}&cursor={nxt}" if nxt else None
    return refs


def test_cursor_pagination_both_orders(cases: tuple[World, dict[str, Case]]) -> None:
    world, cs = cases
    c = Client()
    c.force_login(world.approver)
    newest = _walk(c, "limit=2")
    assert newest == [_ref(cs[k]) for k in ("window", "online2", "online1", "online0")]
    by_deadline = _walk(c, "order=deadline&limit=1")
    assert by_deadline == [_ref(cs[f"online{i}"]) for i in range(3)]  # no deadline: not listed
    first = c.get(f"{URL}?limit=3").json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    assert c.get(f"{URL}?limit=0").status_code == 422
    mine = Client()
    mine.force_login(world.applicant)
    expected = {_ref(cs[k]) for k in ("online0", "online1", "online2", "draft")}
    assert set(_walk(mine, "limit=2")) == expected
