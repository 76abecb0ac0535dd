"""Cases across nodes, played by two nodes against one database (``Loopback``): the
same consumers and services a real inbox runs, without the transport (which has its own
tests). 攀枝花 (node ``pzh``) takes in, 长治 (node ``cz``) decides."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tongban.cases.models import Case, MaterialStatus, Shipment
from tongban.cases.services import IntakeInput, case_create_draft, case_transition
from tongban.cases.services_materials import Defect, case_request_supplement, material_upload
from tongban.cases.services_remote import EVENT, LINKED, TRANSFERRED, remote_event_apply
from tongban.cases.services_remote_node import Loopback, loopback
from tongban.cases.services_window import (
    ChecklistEntry,
    IdentityCheck,
    Scan,
    result_hand_over,
    window_intake,
    window_supplement,
)
from tongban.cases.testing import PDF_BYTES, PNG_BYTES, World, build_world, online, person
from tongban.core.errors import TongbanError

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world(originals=True)


@pytest.fixture
def lb() -> Iterator[Loopback]:
    with loopback(Loopback(regions={"140400": "cz", "510400": "pzh"}, node="pzh")) as lb:
        yield lb


def _req(world: World) -> dict[str, int]:
    v = world.impl.current_version
    assert v is not None
    return {m.name: m.pk for m in v.materials.all()}


def _intake(world: World) -> Case:
    req = _req(world)
    return window_intake(
        actor=world.pzh_clerk,
        implementation=world.impl,
        window=world.pzh_window,
        intake=IntakeInput(applicant=person("李四", 7), channel="window", delivery="pickup"),
        identity=IdentityCheck(verified=True, method="card_reader"),
        checklist=[
            ChecklistEntry(
                requirement_id=req["申请表"],
                received=True,
                original_checked=True,
                scans=[Scan("申请表.pdf", PDF_BYTES, "application/pdf")],
            ),
            ChecklistEntry(
                requirement_id=req["近期免冠照片"],
                received=True,
                scans=[Scan("照片.png", PNG_BYTES, "image/png")],
            ),
        ],
    )


def _pair(lb: Loopback, world: World) -> tuple[Case, Case]:
    intake = _intake(world)
    assert [m.type for m in lb.queue] == [TRANSFERRED]
    lb.pump()
    intake.refresh_from_db()
    decider = Case.objects.get(remote_node="pzh", remote_case_number=intake.case_number)
    return intake, decider


def _statuses(case: Case) -> list[str]:
    return [e.to_status for e in case.events.order_by("seq") if e.to_status]


def test_proxy_intake_hands_the_whole_application_to_the_deciding_node(
    lb: Loopback, world: World
) -> None:
    intake, decider = _pair(lb, world)
    assert decider.handled_for_node == "pzh" and decider.status == "submitted"
    assert decider.case_number  # issued by its own sequence when it was submitted there
    assert intake.remote_node == "cz" and intake.remote_case_number == decider.case_number
    assert intake.handled_for_node == ""
    assert decider.intake_window is None and decider.applicant_code == intake.applicant_code
    files = {m.name: [f.sha256 for f in m.files.all()] for m in decider.materials.all()}
    sent = {m.name: [f.sha256 for f in m.files.all()] for m in intake.materials.all()}
    assert files == sent and files["申请表"]
    assert decider.materials.get(name="申请表").original_checked
    # The transfer is applied once: a re-sent copy finds the record.
    assert [m.type for m in lb.delivered] == [TRANSFERRED, LINKED]


@pytest.mark.usefixtures("calendar_covers_today")
def test_status_supplement_result_and_delivery_flow_both_ways(lb: Loopback, world: World) -> None:
    intake, decider = _pair(lb, world)
    with lb.as_node("cz"):
        decider = case_transition(actor=world.reviewer, case=decider, to="pre_review")
        photo = decider.materials.get(name="近期免冠照片")
        decider = case_request_supplement(
            actor=world.reviewer,
            case=decider,
            defects=[Defect(photo.pk, "照片背景不是白色")],
            opinion="请补正照片",
        )
    lb.pump()
    intake.refresh_from_db()
    assert intake.status == "supplement_requested"
    flagged = intake.materials.get(name="近期免冠照片")
    assert flagged.status == MaterialStatus.DEFECTIVE and flagged.defect_note == "照片背景不是白色"

    # The applicant brings a new photo to the 攀枝花 window.
    intake = window_supplement(
        actor=world.pzh_clerk,
        case=intake,
        scans={flagged.pk: [Scan("新照片.png", PNG_BYTES + b"2", "image/png")]},
    )
    lb.pump()
    decider.refresh_from_db()
    assert decider.status == "pre_review"
    assert decider.materials.get(name="近期免冠照片").files.count() == 2

    with lb.as_node("cz"):
        for to, actor in (
            ("accepted", world.reviewer),
            ("under_review", world.reviewer),
            ("approved", world.approver),
            ("result_issued", world.approver),
        ):
            decider = case_transition(actor=actor, case=decider, to=to)
    lb.pump()
    intake.refresh_from_db()
    decider.refresh_from_db()
    assert intake.status == "result_issued"
    assert intake.promised_deadline == decider.promised_deadline is not None
    assert intake.accepted_on == decider.accepted_on

    result_hand_over(actor=world.pzh_clerk, case=intake, method="pickup", recipient="李四")
    lb.pump()
    decider.refresh_from_db()
    intake.refresh_from_db()
    assert decider.status == intake.status == "delivered"
    assert _statuses(decider)[-8:] == _statuses(intake)[-8:]
    # Nothing is left to send; every message was applied once.
    assert not lb.queue


def test_shipment_of_originals_reaches_the_deciding_timeline(lb: Loopback, world: World) -> None:
    """(Both records share one database here, so the tracking number — unique per node —
    is stored once; the real-node test checks the mirrored row and its receipt.)"""
    from tongban.cases.services_materials import shipment_send

    intake, decider = _pair(lb, world)
    shipment_send(
        actor=world.pzh_clerk, case=intake, kind="originals", carrier="EMS", tracking_number="E1"
    )
    lb.pump()
    ship = decider.events.get(action="ship")
    assert ship.data["tracking_number"] == "E1" and ship.data["origin_node"] == "pzh"
    assert Shipment.objects.filter(tracking_number="E1").count() == 1


def test_a_replayed_event_is_applied_once(lb: Loopback, world: World) -> None:
    intake, decider = _pair(lb, world)
    with lb.as_node("cz"):
        case_transition(actor=world.reviewer, case=decider, to="pre_review")
    msg = lb.queue[0]
    lb.pump()
    before = intake.events.count()
    from tongban.federation.context import EnvelopeMeta, applying

    meta = EnvelopeMeta("x", EVENT, "cz", "pzh", msg.stream, 99, "2026-03-02T09:00:00+08:00")
    with applying(meta):
        remote_event_apply(payload=msg.payload, sender="cz")
    assert intake.events.count() == before


def test_a_clash_is_shown_not_dropped(lb: Loopback, world: World) -> None:
    intake, decider = _pair(lb, world)
    # The applicant withdraws at the window while 长治 starts its pre-review.
    case_transition(actor=world.pzh_clerk, case=intake, to="withdrawn", opinion="不办了")
    with lb.as_node("cz"):
        case_transition(actor=world.reviewer, case=decider, to="pre_review")
    lb.pump()
    intake.refresh_from_db()
    decider.refresh_from_db()
    assert intake.status == "withdrawn"
    # pre_review → withdrawn is a legal move: 长治 follows the withdrawal.
    assert decider.status == "withdrawn"
    clash = intake.events.filter(action="sync_conflict")
    assert clash.count() == 1 and clash.get().data["code"] == "illegal_transition"


def test_online_application_on_the_intake_portal_is_decided_remotely(
    lb: Loopback, world: World
) -> None:
    draft = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online())
    req = {m.name: m.pk for m in draft.materials.all()}
    for name in ("申请表", "近期免冠照片"):
        material_upload(
            actor=world.applicant,
            case=draft,
            material_id=req[name],
            file_name="a.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    case = case_transition(actor=world.applicant, case=draft, to="submitted")
    assert case.mode == "fully_online"
    lb.pump()
    decider = Case.objects.get(remote_node="pzh", remote_case_number=case.case_number)
    assert decider.mode == "fully_online" and decider.applicant_user is None
    with lb.as_node("cz"):
        for to in ("pre_review", "accepted"):
            case_transition(actor=world.reviewer, case=decider, to=to)
    lb.pump()
    case.refresh_from_db()
    assert case.status == "accepted" and case.applicant_user == world.applicant


def test_a_corrupted_file_is_refused(lb: Loopback, world: World) -> None:
    _intake(world)
    lb.queue[0].payload["files"][0]["sha256"] = "0" * 64
    with pytest.raises(TongbanError) as err:
        lb.pump()
    assert err.value.code == "remote_file_digest_mismatch"
    assert not Case.objects.filter(handled_for_node="pzh").exists()


def test_single_node_sends_nothing(world: World) -> None:
    case = _intake(world)
    assert case.remote_node == "" and not Case.objects.filter(handled_for_node__gt="").exists()
