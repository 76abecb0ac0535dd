"""Regression (found by the case-level fault run): the one-call and batch counter intake
took an application for another node's item straight to 已受理 at the intake window,
while the deciding node's record of it started at 已提交 — the two records diverged from
the first message on (every later move of the department clashed as ``sync_conflict``
on the intake side). The batch path now applies the step path's remote guard: on an item
decided on another node the window submits, the deciding department accepts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tongban.cases.models import Case
from tongban.cases.services import IntakeInput, case_transition
from tongban.cases.services_intake import (
    CounterApplication,
    IntakeBatchRejected,
    case_intake,
    case_intake_batch,
)
from tongban.cases.services_remote_node import Loopback, loopback
from tongban.cases.services_window import ChecklistEntry, IdentityCheck, Scan
from tongban.cases.testing import PDF_BYTES, World, build_world, person
from tongban.core.errors import TongbanError
from tongban.federation.models import OutboxMessage

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = str(tmp_path)
    return build_world(originals=True)


@pytest.fixture
def lb() -> Iterator[Loopback]:
    regions = {"140400": "cz", "510400": "pzh"}
    with loopback(Loopback(regions=regions, node="pzh", blocks={"pzh": (9900, 9999)})) as lb:
        yield lb


def _app(world: World, seq: int, to: str) -> CounterApplication:
    version = world.impl.current_version
    assert version is not None
    return CounterApplication(
        implementation=world.impl,
        intake=IntakeInput(applicant=person(seq=seq), channel="window", delivery="pickup"),
        identity=IdentityCheck(verified=True, method="card_reader"),
        checklist=[
            ChecklistEntry(
                requirement_id=r.pk,
                received=True,
                original_checked=r.original_required,
                scans=[Scan(f"{r.name}.pdf", PDF_BYTES, "application/pdf")],
            )
            for r in version.materials.all()
            if r.source != "data_sharing"
        ],
        to=to,
    )


def test_the_window_cannot_accept_an_item_decided_on_another_node(
    world: World, lb: Loopback
) -> None:
    with pytest.raises(TongbanError) as exc:
        case_intake(
            actor=world.pzh_clerk,
            window=world.pzh_window,
            application=_app(world, 1, "accepted"),
            today=DAY,
        )
    assert exc.value.code == "case_decided_elsewhere"
    assert not Case.objects.exists() and not OutboxMessage.objects.exists() and not lb.queue


def test_a_batch_names_every_application_the_window_may_not_accept(
    world: World, lb: Loopback
) -> None:
    apps = [_app(world, 1, "submitted"), _app(world, 2, "accepted")]
    with pytest.raises(IntakeBatchRejected) as exc:
        case_intake_batch(actor=world.pzh_clerk, window=world.pzh_window, applications=apps)
    assert [(e.index, e.code) for e in exc.value.errors] == [(1, "case_decided_elsewhere")]
    assert not Case.objects.exists()


def test_submitted_at_the_window_both_records_agree_and_the_decider_accepts(
    world: World, lb: Loopback
) -> None:
    intake = case_intake(
        actor=world.pzh_clerk,
        window=world.pzh_window,
        application=_app(world, 1, "submitted"),
        today=DAY,
    )
    assert intake.status == "submitted" and intake.remote_node == "cz"
    lb.pump()
    decider = Case.objects.get(handled_for_node="pzh")
    assert decider.status == "submitted" and decider.remote_case_number == intake.case_number
    with lb.as_node("cz"):
        decider = case_transition(actor=world.reviewer, case=decider, to="pre_review")
        decider = case_transition(actor=world.reviewer, case=decider, to="accepted")
    lb.pump()
    intake.refresh_from_db()
    assert intake.status == decider.status == "accepted"
    assert intake.remote_case_number == decider.case_number
    assert not intake.events.filter(action="sync_conflict").exists()


def test_on_a_single_node_the_window_still_accepts_a_proxy_case(world: World) -> None:
    case = case_intake(
        actor=world.pzh_clerk,
        window=world.pzh_window,
        application=_app(world, 1, "accepted"),
        today=DAY,
    )
    assert case.status == "accepted" and case.mode == "proxy_intake" and not case.remote_node


def test_unnamed_target_goes_as_far_as_the_window_may(world: World, lb: Loopback) -> None:
    """The API's default: submitted for an item decided on another node …"""
    remote = case_intake(
        actor=world.pzh_clerk, window=world.pzh_window, application=_app(world, 1, ""), today=DAY
    )
    assert remote.status == "submitted" and remote.remote_node == "cz"


def test_unnamed_target_on_a_single_node_accepts(world: World) -> None:
    """… and accepted where this node's department decides (single node)."""
    case = case_intake(
        actor=world.pzh_clerk, window=world.pzh_window, application=_app(world, 1, ""), today=DAY
    )
    assert case.status == "accepted"
