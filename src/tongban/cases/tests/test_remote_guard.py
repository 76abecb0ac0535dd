"""Each record of a case across nodes moves only by its own side's users (or by SYSTEM
applying the other side's messages), and the applicant is told once, by the intake node.
Two nodes against one database (``Loopback``): 攀枝花 (pzh) takes in, 长治 (cz) decides."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tongban.cases.models import Case
from tongban.cases.services import case_transition
from tongban.cases.services_remote_node import Loopback, loopback
from tongban.cases.services_window import result_hand_over
from tongban.cases.testing import World, build_world
from tongban.cases.tests.test_remote_loopback import _pair
from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def lb() -> Iterator[Loopback]:
    with loopback(Loopback(regions={"140400": "cz", "510400": "pzh"}, node="pzh")) as lb:
        yield lb


def _refused(code: str, **kw: object) -> None:
    with pytest.raises(TongbanError) as err:
        case_transition(**kw)  # type: ignore[arg-type]
    assert err.value.code == code


def _decide(lb: Loopback, world: World, decider: Case, *steps: str) -> Case:
    with lb.as_node("cz"):
        for to in steps:
            actor = world.approver if to in ("approved", "result_issued") else world.reviewer
            decider = case_transition(actor=actor, case=decider, to=to)
    lb.pump()
    return decider


def test_department_users_cannot_move_the_intake_copy(lb: Loopback, world: World) -> None:
    intake, decider = _pair(lb, world)
    # The deciding department's staff (and its clerk) hold roles on the intake node's
    # record too, but it is decided on the other node.
    for actor, to in (
        (world.reviewer, "pre_review"),
        (world.clerk, "pre_review"),
        (world.approver, "pre_review"),
    ):
        _refused("case_decided_elsewhere", actor=actor, case=intake, to=to)
    # Even the window that took it in cannot make the department's moves.
    _refused("case_decided_elsewhere", actor=world.pzh_clerk, case=intake, to="pre_review")
    intake.refresh_from_db()
    assert intake.status == "submitted"
    # SYSTEM applying the decider's messages moves it.
    _decide(lb, world, decider, "pre_review")
    intake.refresh_from_db()
    assert intake.status == "pre_review"


def test_the_window_still_makes_its_own_moves_on_the_intake_copy(
    lb: Loopback, world: World
) -> None:
    intake, decider = _pair(lb, world)
    decider = _decide(
        lb, world, decider, "pre_review", "accepted", "under_review", "approved", "result_issued"
    )
    intake.refresh_from_db()
    assert intake.status == "result_issued"
    intake = result_hand_over(actor=world.pzh_clerk, case=intake, method="pickup", recipient="本人")
    assert intake.status == "delivered"
    # Closing is the window's too; the department on this node still may not.
    _refused("case_decided_elsewhere", actor=world.approver, case=intake, to="closed")
    intake = case_transition(actor=world.pzh_clerk, case=intake, to="closed")
    assert intake.status == "closed"


def test_intake_moves_are_refused_on_the_handled_for_record(lb: Loopback, world: World) -> None:
    intake, decider = _pair(lb, world)
    with lb.as_node("cz"):
        # The deciding department's clerk may not withdraw the application for the
        # applicant: that happens at the intake window and arrives as a message.
        _refused("case_taken_in_elsewhere", actor=world.clerk, case=decider, to="withdrawn")
        assert case_transition(actor=world.reviewer, case=decider, to="pre_review").status == (
            "pre_review"
        )
    lb.pump()
    case_transition(actor=world.pzh_clerk, case=intake, to="withdrawn", opinion="申请人撤回")
    lb.pump()
    decider.refresh_from_db()
    assert decider.status == "withdrawn"  # SYSTEM applied the window's move
    assert decider.events.get(action="withdraw").actor_role == "system"


def test_a_local_case_is_unaffected(world: World) -> None:
    from tongban.cases.services import case_create_draft
    from tongban.cases.testing import online

    draft = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online())
    assert draft.remote_node == "" and draft.handled_for_node == ""
    # A SYSTEM move on a local draft is not affected by the guard at all.
    case_transition(actor=SYSTEM, case=draft, to="withdrawn")


def test_the_applicant_is_notified_by_the_intake_node_only(lb: Loopback, world: World) -> None:
    intake, decider = _pair(lb, world)
    _decide(lb, world, decider, "pre_review", "accepted", "under_review", "approved")
    intake.refresh_from_db()
    assert intake.status == "approved"
    on_intake = list(
        Notification.objects.filter(case=intake).order_by("pk").values_list("subject", flat=True)
    )
    assert on_intake == [
        "办件进度：提交申请",
        "办件进度：开始预审",
        "办件进度：受理",
        "办件进度：开始审查",
        "办件进度：准予许可",
    ]
    assert not Notification.objects.filter(case=decider).exists()
