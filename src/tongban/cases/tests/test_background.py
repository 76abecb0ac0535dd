"""The background side of a proxy intake, end to end through the real worker loop:
outbox delivery into the inbox, the case consumers, and the fake notifier."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from tongban.cases.consumers import RECEIVE_HANDOFF, STATUS_UPDATE
from tongban.cases.models import Case, CaseEvent, CaseMode, MaterialStatus
from tongban.cases.services import (
    HANDED_OFF,
    STATUS_CHANGED,
    ApplicantInput,
    IntakeInput,
    case_create_draft,
    case_transition,
)
from tongban.cases.services_materials import material_upload
from tongban.cases.testing import PDF_BYTES, World, build_world
from tongban.core.ids import make_id_number
from tongban.core.jobs import load_handlers, run_worker
from tongban.core.models import Job, JobStatus
from tongban.federation import outbox
from tongban.federation.consumers import consumer_for
from tongban.federation.models import InboxMessage, OutboxMessage, OutboxStatus
from tongban.notifications.models import Notification, NotificationStatus

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)


@pytest.fixture
def world() -> World:
    return build_world()


def _work() -> int:
    return run_worker(once=True, worker_id="test-worker", poll_seconds=0, periodic=[])


def _proxy_intake(world: World) -> Case:
    """A walk-in applicant at the 攀枝花 window for a 长治 item, submitted (handed off)."""
    applicant = ApplicantInput(
        kind="person",
        name="李四",
        code=make_id_number("51040219850505002"),
        phone="13900000000",
    )
    case = case_create_draft(
        actor=world.pzh_clerk,
        implementation=world.impl,
        intake=IntakeInput(applicant=applicant, channel="window"),
        window=world.pzh_window,
        today=DAY,
    )
    assert case.mode == CaseMode.PROXY_INTAKE
    for m in case.materials.filter(status=MaterialStatus.MISSING):
        material_upload(
            actor=world.pzh_clerk,
            case=case,
            material_id=m.pk,
            file_name=f"{m.name}.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    return case_transition(actor=world.pzh_clerk, case=case, to="submitted", today=DAY)


def _actions(case: Case, action: str) -> list[CaseEvent]:
    return list(case.events.filter(action=action).order_by("seq"))


def test_worker_discovers_the_case_consumers() -> None:
    load_handlers()
    for message_type in (HANDED_OFF, STATUS_CHANGED):
        handler = consumer_for(message_type)
        assert handler is not None and handler.__module__ == "tongban.cases.consumers"


def test_handoff_delivered_by_the_worker_once(world: World) -> None:
    case = _proxy_intake(world)
    msg = OutboxMessage.objects.get(stream=case.case_number)
    assert msg.type == HANDED_OFF and msg.status == OutboxStatus.PENDING
    assert msg.recipient_region_id == "140400"
    notice = Notification.objects.get(case=case)
    assert notice.status == NotificationStatus.PENDING and notice.phone == "13900000000"
    assert _actions(case, RECEIVE_HANDOFF) == []

    ran = _work()

    assert ran >= 2  # the delivery and the notification
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.DELIVERED and msg.attempts == 1
    assert msg.delivered_at is not None
    inbox = InboxMessage.objects.get(message_id=msg.message_id)
    assert (inbox.type, inbox.stream, inbox.seq) == (HANDED_OFF, case.case_number, 1)
    notice.refresh_from_db()
    assert notice.status == NotificationStatus.SENT and notice.adapter == "fake"
    assert notice.sent_at is not None
    [arrived] = _actions(case, RECEIVE_HANDOFF)
    assert arrived.actor is None and arrived.actor_role == "system"
    assert "攀枝花" in arrived.opinion and arrived.data["files"] == 2
    assert arrived.seq == case.events.count()  # appended after create and submit
    assert not Job.objects.exclude(status=JobStatus.DONE).exists()
    case.refresh_from_db()
    revision = case.revision

    # Re-delivery of the same message id is acknowledged and ignored.
    again = outbox.inbox_accept(
        message_id=str(msg.message_id),
        type=msg.type,
        stream=msg.stream,
        seq=msg.seq,
        payload=msg.payload,
    )
    assert again is False
    outbox.outbox_deliver(msg.pk)  # already delivered: nothing happens
    msg.refresh_from_db()
    assert msg.attempts == 1
    assert InboxMessage.objects.filter(message_id=msg.message_id).count() == 1
    # Re-sent under a new id (sender lost its acknowledgement): the consumer still holds.
    assert outbox.inbox_accept(
        message_id=str(uuid.uuid4()),
        type=msg.type,
        stream=msg.stream,
        seq=msg.seq,
        payload=msg.payload,
    )
    assert len(_actions(case, RECEIVE_HANDOFF)) == 1
    case.refresh_from_db()
    assert case.revision == revision  # background notes never bump the revision
    assert _work() == 0


def test_status_changes_reach_the_intake_side(world: World) -> None:
    case = _proxy_intake(world)
    case = case_transition(actor=world.clerk, case=case, to="pre_review", today=DAY)
    case = case_transition(actor=world.clerk, case=case, to="accepted", today=DAY)
    messages = list(OutboxMessage.objects.filter(stream=case.case_number).order_by("seq"))
    assert [m.type for m in messages] == [HANDED_OFF, STATUS_CHANGED, STATUS_CHANGED]
    assert messages[2].payload["revision"] == case.revision
    assert messages[2].recipient_region_id == world.pzh_window.center.region_id

    _work()

    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}
    assert InboxMessage.objects.filter(stream=case.case_number).count() == 3
    notes = _actions(case, STATUS_UPDATE)
    assert [(e.data["from"], e.data["to"]) for e in notes] == [
        ("submitted", "pre_review"),
        ("pre_review", "accepted"),
    ]
    assert "已受理" in notes[1].opinion
    assert (
        Notification.objects.filter(case=case, status=NotificationStatus.SENT).count() == 3
    )  # submit, pre-review, accept
    # The same status message again, under a new id: no second note.
    outbox.inbox_accept(
        message_id=str(uuid.uuid4()),
        type=STATUS_CHANGED,
        stream=messages[2].stream,
        seq=messages[2].seq,
        payload=messages[2].payload,
    )
    assert len(_actions(case, STATUS_UPDATE)) == 2


def test_delivery_for_an_unknown_case_fails_and_is_retried(world: World) -> None:
    case = _proxy_intake(world)
    msg = OutboxMessage.objects.get(stream=case.case_number)
    OutboxMessage.objects.filter(pk=msg.pk).update(
        payload={**msg.payload, "case_number": "no-such-case"}
    )
    _work()
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.PENDING
    assert not InboxMessage.objects.filter(message_id=msg.message_id).exists()
    job = Job.objects.get(name="federation.deliver_outbox", payload__id=msg.pk)
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert "NotFound" in job.last_error
    assert _actions(case, RECEIVE_HANDOFF) == []
