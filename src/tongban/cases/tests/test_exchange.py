"""National exchange export: the result-code table (pure) and a full proxy-intake case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from tongban.cases.exchange import ResultCode, case_exchange, result_code
from tongban.cases.models import Case, CaseEvent, MaterialStatus
from tongban.cases.selectors import case_exchange_export
from tongban.cases.services import IntakeInput, case_create_draft, case_transition
from tongban.cases.services_materials import (
    Defect,
    case_request_supplement,
    case_supplement,
    material_upload,
    shipment_receive,
    shipment_send,
)
from tongban.cases.testing import PDF_BYTES, World, build_world, person
from tongban.cases.transitions import move_for
from tongban.core.actors import SYSTEM

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _path(*statuses: str) -> list[CaseEvent]:
    """The timeline of a case that went draft → statuses[0] → statuses[1] …"""
    events = [CaseEvent(seq=1, action="create", to_status="draft", at=T0)]
    frm = "draft"
    for i, to in enumerate(statuses, start=2):
        move = move_for(frm, to)
        assert move is not None, (frm, to)
        events.append(
            CaseEvent(
                seq=i, action=move.action, from_status=frm, to_status=to, at=T0 + timedelta(i)
            )
        )
        frm = to
    return events


APPROVED = ("submitted", "pre_review", "accepted", "under_review", "approved", "result_issued")
DENIED = ("submitted", "pre_review", "accepted", "under_review", "denied", "result_issued")
SUPPLEMENT = ("submitted", "pre_review", "supplement_requested")


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        (APPROVED, ResultCode.ISSUED),
        ((*APPROVED, "delivered"), ResultCode.ISSUED),
        ((*APPROVED, "delivered", "closed"), ResultCode.ISSUED),
        (("submitted", "pre_review", "accepted", "approved", "result_issued"), 0),
        (DENIED, ResultCode.OTHER),
        ((*DENIED, "delivered", "closed"), ResultCode.OTHER),
        (("submitted", "pre_review", "refused"), ResultCode.RETURNED),
        (("submitted", "pre_review", "refused", "closed"), ResultCode.RETURNED),
        ((*SUPPLEMENT, "refused"), ResultCode.SUPPLEMENT_OVERDUE),
        ((*SUPPLEMENT, "refused", "closed"), ResultCode.SUPPLEMENT_OVERDUE),
        ((*SUPPLEMENT, "pre_review", "refused"), ResultCode.RETURNED),
        (("withdrawn",), ResultCode.DELETED),
        (("submitted", "withdrawn"), ResultCode.VOIDED),
        ((*SUPPLEMENT, "withdrawn"), ResultCode.VOIDED),
        ((*APPROVED, "revoked"), ResultCode.VOIDED),
        ((*APPROVED, "delivered", "closed", "revoked"), ResultCode.VOIDED),
        ((), None),
        (("submitted", "pre_review", "accepted", "under_review"), None),
        (("submitted", "pre_review", "accepted", "under_review", "approved"), None),
        (("submitted", "pre_review", "accepted", "special_procedure"), None),
    ],
)
def test_result_code_table(statuses: tuple[str, ...], code: int | None) -> None:
    events = _path(*statuses)
    status = statuses[-1] if statuses else "draft"
    assert result_code(status, events) == code


def test_forwarded_is_never_produced() -> None:
    from tongban.cases.exchange import RESULT_CODES

    assert ResultCode.FORWARDED not in RESULT_CODES.values()


def _upload(world: World, case: Case, material_id: int) -> None:
    material_upload(
        actor=world.pzh_clerk,
        case=case,
        material_id=material_id,
        file_name="scan.pdf",
        data=PDF_BYTES,
        claimed_type="application/pdf",
    )


def _proxy_case_to_closed(world: World) -> Case:
    """A walk-in case taken in at 攀枝花 for 长治, through a special procedure and a
    supplement, the result posted back and handed over."""
    intake = IntakeInput(applicant=person("李四", seq=9), channel="window")
    case = case_create_draft(
        actor=world.pzh_clerk, implementation=world.impl, intake=intake, window=world.pzh_window
    )
    for m in case.materials.filter(status=MaterialStatus.MISSING):
        _upload(world, case, m.pk)

    def go(actor: Any, to: str, day: date, opinion: str = "") -> Case:
        return case_transition(actor=actor, case=case, to=to, opinion=opinion, today=day)

    case = go(world.pzh_clerk, "submitted", date(2026, 3, 2))
    shipment_send(
        actor=world.pzh_clerk, case=case, kind="originals", carrier="EMS", tracking_number="E1"
    )
    case = go(world.clerk, "pre_review", date(2026, 3, 3))
    case = go(world.clerk, "accepted", date(2026, 3, 3), "材料齐全")
    case = go(world.reviewer, "under_review", date(2026, 3, 4))
    case = go(world.reviewer, "special_procedure", date(2026, 3, 4), "专家评审")
    case = go(world.reviewer, "under_review", date(2026, 3, 9), "评审通过")
    photo = case.materials.get(name="近期免冠照片")
    case = case_request_supplement(
        actor=world.reviewer,
        case=case,
        defects=[Defect(photo.pk, "背景应为白色")],
        opinion="请补正",
        today=date(2026, 3, 10),
    )
    _upload(world, case, photo.pk)
    case = case_supplement(actor=world.pzh_clerk, case=case, today=date(2026, 3, 11))
    case = go(world.approver, "approved", date(2026, 3, 12), "准予")
    case = go(world.approver, "result_issued", date(2026, 3, 12))
    s = shipment_send(
        actor=world.approver, case=case, kind="result", carrier="EMS", tracking_number="E2"
    )
    shipment_receive(actor=world.pzh_clerk, shipment=s)
    case = go(world.pzh_clerk, "delivered", date(2026, 3, 13))
    return go(world.pzh_clerk, "closed", date(2026, 3, 13))


@pytest.mark.django_db
def test_proxy_intake_case_in_five_groups(django_assert_num_queries: Any) -> None:
    world = build_world()
    case = _proxy_case_to_closed(world)
    ex = case_exchange_export(SYSTEM, case)
    assert set(ex) == {
        "format",
        "accept",
        "process",
        "result",
        "special_procedures",
        "materials",
    }
    a = ex["accept"]
    assert a["case_number"] == case.case_number and a["task_code"] == world.impl.task_code
    assert a["catalog_code"] == world.impl.baseline.catalog_code
    assert a["applicant"]["name"] == "李四" and a["applicant"]["code_type"] == "111"
    assert a["intake_region"] == {"code": "510402", "name": "东区"}
    assert "跨省通办专窗" in a["intake_window"]
    assert (a["channel"], a["mode"]) == ("window", "proxy_intake")
    assert a["handling_department"]["uscc"] == world.dept.uscc
    assert a["accepted_at"].endswith("+08:00")  # local time, as the exchange expects
    steps = ex["process"]
    assert [s["action"] for s in steps] == [e.action for e in case.events.order_by("seq")]
    accept = next(s for s in steps if s["action"] == "accept")
    pre = next(s for s in steps if s["action"] == "pre_review")
    assert accept["name"] == "受理" and accept["opinion"] == "材料齐全"
    assert accept["start"] == pre["end"] and accept["handler"] == "cz_clerk"
    ship = next(s for s in steps if s["action"] == "ship")
    assert ship["start"] == ship["end"] and ship["to_status"] is None
    r = ex["result"]
    assert (r["code"], r["label"], r["status"]) == (0, "出证办结", "closed")
    assert r["by_post"] is True and r["satisfaction"] is None
    issued = case.events.get(action="issue_result").at
    assert datetime.fromisoformat(r["time"]) == issued
    assert ex["special_procedures"] == [
        {
            "kind": "special_procedure",
            "kind_label": "特别程序",
            "reason": "专家评审",
            "start": "2026-03-04",
            "end": "2026-03-09",
            "result": "评审通过",
        }
    ]
    mats = {m["name"]: m for m in ex["materials"]}
    assert mats["申请表"]["received_via"] == "paper" and mats["申请表"]["files"] == 1
    assert mats["近期免冠照片"]["files"] == 2 and mats["近期免冠照片"]["copies"] == 1
    assert mats["参保证明"]["received_via"] == "exempted"
    assert mats["参保证明"]["reference"] == "社保参保信息"

    # Pure: given the loaded rows, building the export reads nothing more.
    full = Case.objects.select_related(
        "implementation__baseline",
        "version",
        "handling_department",
        "handling_region",
        "intake_region",
        "intake_window__center",
    ).get(pk=case.pk)
    events = list(full.events.all())
    materials = list(full.materials.select_related("requirement").prefetch_related("files"))
    shipments, pauses = list(full.shipments.all()), list(full.pauses.all())
    with django_assert_num_queries(0):
        again = case_exchange(
            full, events=events, materials=materials, shipments=shipments, pauses=pauses
        )
    assert again == ex


@pytest.mark.django_db
def test_refused_after_supplement_and_open_cases() -> None:
    world = build_world()
    intake = IntakeInput(applicant=person(), channel="pc")
    case = case_create_draft(actor=world.applicant, implementation=world.impl, intake=intake)
    open_ex = case_exchange_export(world.applicant, case)
    assert open_ex["result"]["code"] is None and open_ex["accept"]["case_number"] is None
    assert {m["received_via"] for m in open_ex["materials"]} == {"none", "exempted"}
    for m in case.materials.filter(status=MaterialStatus.MISSING):
        material_upload(
            actor=world.applicant,
            case=case,
            material_id=m.pk,
            file_name="a.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    assert {m["received_via"] for m in case_exchange_export(SYSTEM, case)["materials"]} == {
        "upload",
        "exempted",
    }
    case = case_transition(actor=world.applicant, case=case, to="submitted")
    case = case_transition(actor=world.clerk, case=case, to="pre_review")
    photo = case.materials.get(name="近期免冠照片")
    case = case_request_supplement(
        actor=world.clerk, case=case, defects=[Defect(photo.pk, "重拍")], opinion="补正"
    )
    case = case_transition(actor=world.clerk, case=case, to="refused", opinion="逾期未补正")
    r = case_exchange_export(world.reviewer, case)["result"]
    assert (r["code"], r["label"], r["opinion"]) == (5, "补正逾期", "逾期未补正")
    assert r["by_post"] is False and r["certificate_name"] is None


@pytest.mark.django_db
def test_exchange_over_http_matches_the_export() -> None:
    world = build_world()
    case = _proxy_case_to_closed(world)
    c = Client()
    c.force_login(world.reviewer)
    r = c.get(f"/api/v1/cases/{case.case_number}/exchange")
    assert r.status_code == 200, r.content
    body = r.json()
    direct = case_exchange_export(SYSTEM, case)
    assert body["result"]["code"] == 0 and body["format"] == direct["format"]
    assert len(body["process"]) == len(direct["process"])
    assert body["special_procedures"][0]["end"] == "2026-03-09"
    assert [m["received_via"] for m in body["materials"]] == [
        m["received_via"] for m in direct["materials"]
    ]
    # The JSON encoder keeps milliseconds.
    at_http = datetime.fromisoformat(body["accept"]["accepted_at"])
    at_direct = datetime.fromisoformat(direct["accept"]["accepted_at"])
    assert abs(at_http - at_direct) < timedelta(milliseconds=1)
