"""Who acted, across nodes: ``cn.tongban.case.event`` version 2 carries the actor's display
name, role and organisation (never an account id, nothing about the applicant), and the
other node's timeline names them; a version 1 message (no actor) still applies, as 系统.
Two nodes in one database (loopback): 攀枝花 (pzh) takes in, 长治 (cz) decides."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest
from django.test import Client

from tongban.accounts.models import User
from tongban.cases.models import Case, CaseEvent
from tongban.cases.services import case_create_draft, case_transition
from tongban.cases.services_materials import material_upload, shipment_send
from tongban.cases.services_remote import EVENT, remote_event_apply
from tongban.cases.services_remote_node import Loopback, loopback
from tongban.cases.testing import PDF_BYTES, World, build_world, online
from tongban.cases.tests.test_remote_loopback import _pair
from tongban.federation.context import EnvelopeMeta, applying
from tongban.federation.schemas import latest_version, schema_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    w = build_world(originals=True)
    User.objects.filter(pk=w.reviewer.pk).update(display_name="李四")
    User.objects.filter(pk=w.pzh_clerk.pk).update(display_name="王芳")
    w.reviewer.refresh_from_db()
    w.pzh_clerk.refresh_from_db()
    return w


@pytest.fixture
def lb() -> Iterator[Loopback]:
    with loopback(Loopback(regions={"140400": "cz", "510400": "pzh"}, node="pzh")) as lb:
        yield lb


def _last(case: Case) -> CaseEvent:
    e = case.events.order_by("-seq").first()
    assert e is not None
    return e


def test_the_intake_node_names_the_deciding_nodes_reviewer(lb: Loopback, world: World) -> None:
    intake, decider = _pair(lb, world)
    with lb.as_node("cz"):
        case_transition(actor=world.reviewer, case=decider, to="pre_review")
    msg = lb.queue[0]
    assert msg.type == EVENT and latest_version(EVENT) == 2
    assert schema_problem(EVENT, 2, msg.payload) is None
    block = msg.payload["actor"]
    assert block == {
        "role": "reviewer",
        "role_label": "审查人员",
        "name": "李四",
        "organisation": "长治市人力资源和社会保障局",
    }
    # No account id, and nothing of the applicant's, travels as the actor.
    text = json.dumps(block, ensure_ascii=False)
    assert world.reviewer.username not in text and intake.applicant_code not in text
    assert "actor_name" not in msg.payload["event"]
    lb.pump()
    e = _last(intake)
    assert e.to_status == "pre_review" and e.actor_id is None
    assert e.actor_name == "长治市人力资源和社会保障局 审查人员 李四"
    assert e.actor_role == "system"  # applied here by the system, on the message's word
    assert e.data["origin_actor"] == e.actor_name and e.data["origin_node"] == "cz"
    assert e.data["origin_role"] == "reviewer"
    # The staff page of the intake node shows it, with where it came from.
    c = Client()
    c.force_login(world.pzh_clerk)
    page = c.get(f"/workbench/cases/{intake.case_number}/").content.decode()
    assert "长治市人力资源和社会保障局 审查人员 李四（来自cz）" in page
    # The API timeline too.
    timeline = c.get(f"/api/v1/cases/{intake.case_number}/timeline").json()
    assert timeline[-1]["actor_name"] == e.actor_name


def test_the_deciding_node_names_the_intake_window_clerk(lb: Loopback, world: World) -> None:
    intake, decider = _pair(lb, world)
    shipment_send(
        actor=world.pzh_clerk, case=intake, kind="originals", carrier="EMS", tracking_number="E7"
    )
    lb.pump()
    e = decider.events.get(action="ship")
    assert e.actor_name == "攀枝花市政务服务中心 跨省通办专窗 窗口人员 王芳"
    assert e.data["origin_role"] == "clerk" and e.actor_id is None


def test_an_applicants_own_move_travels_as_the_role_alone(lb: Loopback, world: World) -> None:
    draft = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online())
    for m in draft.materials.filter(name__in=("申请表", "近期免冠照片")):
        material_upload(
            actor=world.applicant,
            case=draft,
            material_id=m.pk,
            file_name="a.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    case = case_transition(actor=world.applicant, case=draft, to="submitted")
    lb.pump()
    decider = Case.objects.get(remote_node="pzh", remote_case_number=case.case_number)
    case_transition(actor=world.applicant, case=case, to="withdrawn", opinion="不再申请")
    block = lb.queue[0].payload["actor"]
    assert block == {"role": "applicant", "role_label": "申请人", "name": "", "organisation": ""}
    lb.pump()
    e = _last(decider)
    assert e.to_status == "withdrawn" and e.actor_name == "申请人"
    assert case.applicant_name not in e.actor_name


def _as_version_1(payload: dict) -> dict:
    """What a sender on the previous release wrote: no actor block."""
    old = copy.deepcopy(payload)
    old.pop("actor")
    old["event"].update(actor_name="cz_reviewer", actor_role="reviewer")
    return old


def test_a_version_1_message_still_applies_as_the_system(lb: Loopback, world: World) -> None:
    intake, decider = _pair(lb, world)
    with lb.as_node("cz"):
        case_transition(actor=world.reviewer, case=decider, to="pre_review")
    msg = lb.queue.pop(0)
    old = _as_version_1(msg.payload)
    assert schema_problem(EVENT, 1, old) is None
    assert schema_problem(EVENT, 2, old) == "schema_invalid"  # v2 requires the block
    meta = EnvelopeMeta("m1", EVENT, "cz", "pzh", msg.stream, 1, "2026-12-07T09:00:00+08:00", 1)
    with lb.as_node("pzh"), applying(meta):
        remote_event_apply(payload=old, sender="cz")
    intake.refresh_from_db()
    e = _last(intake)
    assert intake.status == "pre_review" and e.to_status == "pre_review"
    assert e.actor_name == "系统" and e.actor_role == "system"
    assert e.data["origin_actor"] == "cz_reviewer"


def test_a_system_move_and_a_malformed_block_show_as_the_system(lb: Loopback, world: World) -> None:
    intake, decider = _pair(lb, world)
    with lb.as_node("cz"):
        case_transition(actor=world.reviewer, case=decider, to="pre_review")
    msg = lb.queue.pop(0)
    bad = copy.deepcopy(msg.payload)
    bad["actor"] = {"role": "system", "name": "伪造的人"}
    meta = EnvelopeMeta("m2", EVENT, "cz", "pzh", msg.stream, 1, "2026-12-07T09:00:00+08:00", 2)
    with lb.as_node("pzh"), applying(meta):
        remote_event_apply(payload=bad, sender="cz")
    e = _last(intake)
    assert e.to_status == "pre_review" and e.actor_name == "系统"
