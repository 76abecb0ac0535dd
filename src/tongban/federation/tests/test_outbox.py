"""Remote delivery: routing by region, signed batches, retries with backoff, dead letters
that alert the node admin and can be replayed, and a forged acknowledgement ignored."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import Role
from tongban.core.actors import SYSTEM
from tongban.core.errors import PermissionDenied
from tongban.core.models import Job
from tongban.federation import sender
from tongban.federation.ack import ack_sign
from tongban.federation.models import LogEntry, OutboxMessage, OutboxStatus
from tongban.federation.outbox import backoff, outbox_replay, outbox_write
from tongban.federation.transport import TransportError
from tongban.notifications.models import Notification
from tongban.testing import make_user

pytestmark = pytest.mark.django_db


def _write(n: int = 1, stream: str = "s") -> list[OutboxMessage]:
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(
                outbox_write(
                    type="cn.tongban.probe",
                    stream=stream,
                    payload={"n": i, "regions": ["140400"]},
                    recipient_region_id="510402",
                )
            )
    return out


def test_write_routes_by_region_and_numbers_each_peer_stream(fed) -> None:  # type: ignore[no-untyped-def]
    m1, m2 = _write(2)
    assert (m1.recipient_node, m1.seq, m2.seq) == ("a", 1, 2)
    assert Job.objects.filter(name="federation.push", dedupe_key="federation.push:a").count() == 1
    with transaction.atomic(), pytest.raises(ValueError, match="regions"):
        outbox_write(type="cn.tongban.probe", stream="s", payload={"n": 1}, recipient_node="a")
    with transaction.atomic(), pytest.raises(ValueError, match="schema"):
        outbox_write(
            type="cn.tongban.probe",
            stream="s",
            payload={"n": "x", "regions": ["140400"]},
            recipient_node="a",
        )


def test_write_to_this_node_is_local_delivery(fed) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        m = outbox_write(
            type="cn.tongban.probe", stream="s", payload={"n": 1}, recipient_region_id="140400"
        )
    assert m.recipient_node == ""
    assert Job.objects.filter(name="federation.deliver_outbox").count() == 1


def _peer(fed, monkeypatch, *, forge: bool = False) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Answer POSTs as node "a" would: open each envelope, acknowledge it signed."""
    from tongban.core import signing
    from tongban.federation import ack as ack_mod
    from tongban.federation.tests.conftest import ALG

    seen: list[dict[str, Any]] = []

    signer = signing.load_signer(ALG, fed.a.private_pem)
    monkeypatch.setattr(ack_mod, "node_signer", lambda now: signer)

    def fake_post(url: str, body: Any, *, timeout: float) -> tuple[int, Any]:
        assert url == "http://a.test/federation/inbox"
        results = []
        for wire in body["envelopes"]:
            seen.append(wire)
            results.append({"id": wire["header"]["id"], "status": "accepted"})
        answer = ack_sign(me="a", to="b", results=results, now=timezone.now())
        if forge:
            answer["signature"]["value"] = signing.b64(b"\0" * 64)
        return 200, answer

    monkeypatch.setattr(sender, "post_json", fake_post)
    return seen


def test_push_signs_logs_and_settles_a_batch(fed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen = _peer(fed, monkeypatch)
    _write(3)
    assert sender.push("a") == 3
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    assert [w["header"]["seq"] for w in seen] == [1, 2, 3]
    assert all(w["header"]["sender"] == "b" and w["header"]["regions"] == ["140400"] for w in seen)
    assert LogEntry.objects.filter(direction="sent").count() == 3


def test_forged_acknowledgement_does_not_count_as_delivered(fed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _peer(fed, monkeypatch, forge=True)
    (m,) = _write(1)
    assert sender.push("a") == 0
    m.refresh_from_db()
    assert m.status == OutboxStatus.PENDING and m.attempts == 1
    assert "no valid signed acknowledgement" in m.last_error


def test_unreachable_peer_backs_off_then_dead_letters_alert_and_replay(fed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("ops", Role.NODE_ADMIN, "140400")
    clerk = make_user("clerk1", Role.CLERK, "140400")

    def down(url: str, body: Any, *, timeout: float) -> tuple[int, Any]:
        raise TransportError("connection refused")

    monkeypatch.setattr(sender, "post_json", down)
    (m,) = _write(1)
    sender.push_batch("a")
    m.refresh_from_db()
    assert m.attempts == 1 and m.status == OutboxStatus.PENDING
    assert m.next_attempt_at is not None and m.next_attempt_at > timezone.now()
    assert "peer_unreachable" in m.last_error
    for _ in range(2):  # max attempts is 3 in the fixture
        OutboxMessage.objects.filter(pk=m.pk).update(next_attempt_at=timezone.now())
        sender.push_batch("a")
    m.refresh_from_db()
    assert m.status == OutboxStatus.DEAD and m.attempts == 3
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["ops"]
    (alert,) = Notification.objects.all()
    assert "/workbench/node/#dead-letters" in alert.body and "死信" in alert.subject
    with pytest.raises(PermissionDenied):
        outbox_replay(actor=clerk, message_ids=[m.pk])
    assert outbox_replay(actor=admin) == 1
    _peer(fed, monkeypatch)
    assert sender.push("a") == 1
    m.refresh_from_db()
    assert m.status == OutboxStatus.DELIVERED
    assert outbox_replay(actor=SYSTEM) == 0


def test_backoff_is_exponential_capped_and_jittered(fed) -> None:  # type: ignore[no-untyped-def]
    assert backoff(1, rng=lambda: 1.0) == 5.0
    assert backoff(3, rng=lambda: 1.0) == 20.0
    assert backoff(3, rng=lambda: 0.0) == 10.0
    assert backoff(30, rng=lambda: 1.0) == 900.0


def test_a_running_push_releases_its_dedupe_key_so_later_writes_queue_another(
    fed, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from tongban.core.models import JobStatus

    _peer(fed, monkeypatch)
    _write(1)
    job = Job.objects.get(name="federation.push", dedupe_key="federation.push:a")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    assert sender.push("a") == 1
    job.refresh_from_db()
    assert job.dedupe_key is None
    _write(1, stream="t")  # written while that job is finishing: gets its own push job
    assert Job.objects.filter(
        name="federation.push", status=JobStatus.QUEUED, dedupe_key="federation.push:a"
    ).exists()
