"""The node administrator's page (/workbench/node/): identity, keys, registry, delivery
per peer, dead letters with their last error, and the replay button (POST + CSRF, coded
errors) — the same selector and service as ``tongban node status|dead-letters|replay``.
Node "b" (长治 140400) with peer "a" (攀枝花 510400), from conftest's ``fed``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tongban.accounts.models import Role
from tongban.core.errors import PermissionDenied
from tongban.core.models import Job
from tongban.federation import identity
from tongban.federation.models import OutboxMessage, OutboxStatus
from tongban.federation.outbox import outbox_write
from tongban.federation.selectors import node_overview
from tongban.testing import make_user

pytestmark = pytest.mark.django_db
URL = "/workbench/node/"
REPLAY = "/workbench/node/replay/"


def _write(n: int) -> list[OutboxMessage]:
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(
                outbox_write(
                    type="cn.tongban.probe",
                    stream="s",
                    payload={"n": i, "regions": ["140400"]},
                    recipient_region_id="510402",
                )
            )
    return out


def _queue() -> tuple[OutboxMessage, OutboxMessage, OutboxMessage]:
    """One dead letter, one delivered and one pending message to peer "a"."""
    dead, done, waiting = _write(3)
    OutboxMessage.objects.filter(pk=dead.pk).update(
        status=OutboxStatus.DEAD, attempts=3, last_error="peer_unreachable: connection refused"
    )
    OutboxMessage.objects.filter(pk=done.pk).update(
        status=OutboxStatus.DELIVERED, delivered_at=timezone.now()
    )
    return dead, done, waiting


def _admin_client() -> Client:
    c = Client(enforce_csrf_checks=True)
    c.force_login(make_user("ops", Role.NODE_ADMIN, "140400"))
    return c


def _csrf(c: Client) -> str:
    page = c.get(URL).content.decode()
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert m is not None
    return m.group(1)


def test_the_page_shows_identity_keys_registry_and_queues(fed: Any) -> None:
    _queue()
    c = _admin_client()
    r = c.get(URL)
    assert r.status_code == 200
    page = r.content.decode()
    assert "节点管理" in page and '<dd class="code" data-node-id>b</dd>' in page
    assert 'data-region="140400"' in page
    meta = identity.node_key_meta()
    assert meta is not None
    key_row = re.search(rf'<tr data-key="{meta["fingerprint"]}" data-state="(\w+)">', page)
    assert key_row is not None and key_row.group(1) == "current"
    assert "在用" in page and "已发布" in page
    assert "<dd data-serial>1</dd>" in page
    peer = re.search(r'<tr data-peer="a">(.*?)</tr>', page, re.S)
    assert peer is not None
    counts = dict(re.findall(r'data-n="(\w+)">(?:<strong class="error">)?(\d+)', peer.group(1)))
    assert counts == {"pending": "1", "delivered": "1", "dead": "1"}
    assert "peer_unreachable: connection refused" in page
    assert 'data-dead="' in page


def test_a_key_not_yet_in_the_registry_and_a_next_key_are_flagged(fed: Any) -> None:
    identity.key_rotate(activate_in=timedelta(hours=24), overlap=timedelta(hours=48))
    o = node_overview(make_user("ops", Role.NODE_ADMIN, "140400"))
    states = {k.state: k.published for k in o.keys}
    # The rotated key waits for activation and is not published until the hub re-signs.
    assert states == {"current": True, "next": False}


def test_an_expired_registry_is_shown_not_hidden(fed: Any) -> None:
    fed.publish(valid_for=timedelta(seconds=-1))
    page = _admin_client().get(URL).content.decode()
    assert 'data-code="registry_expired"' in page and "data-serial" not in page


def test_only_node_admins_see_the_page(fed: Any) -> None:
    assert Client().get(URL).status_code == 302
    clerk = Client()
    clerk.force_login(make_user("clerk1", Role.CLERK, "140400"))
    r = clerk.get(URL)
    assert r.status_code == 403 and "permission_denied" in r.content.decode()
    with pytest.raises(PermissionDenied):
        node_overview(make_user("sup", Role.SUPERVISOR, "140400"))
    # The replay is refused the same way (and changes nothing).
    dead, _, _ = _queue()
    r = clerk.post(REPLAY, {"message": dead.pk})
    assert r.status_code == 403
    dead.refresh_from_db()
    assert dead.status == OutboxStatus.DEAD
    assert Client().post(REPLAY, {"message": dead.pk}).status_code == 302


def test_replay_one_dead_letter_with_csrf_and_coded_errors(fed: Any) -> None:
    dead, _, _ = _queue()
    c = _admin_client()
    # Without the CSRF token: refused, nothing replayed.
    assert c.post(REPLAY, {"message": dead.pk}).status_code == 403
    dead.refresh_from_db()
    assert dead.status == OutboxStatus.DEAD
    token = _csrf(c)
    r = c.post(REPLAY, {"message": "x1", "csrfmiddlewaretoken": token})
    assert r.status_code == 422 and 'data-code="invalid_input"' in r.content.decode()
    r = c.post(REPLAY, {"csrfmiddlewaretoken": token})
    assert r.status_code == 422 and 'data-code="invalid_input"' in r.content.decode()
    Job.objects.all().delete()
    r = c.post(REPLAY, {"message": dead.pk, "csrfmiddlewaretoken": token})
    assert r.status_code == 302 and r["Location"].endswith("/workbench/node/#dead-letters")
    dead.refresh_from_db()
    assert dead.status == OutboxStatus.PENDING and dead.attempts == 0
    assert Job.objects.filter(dedupe_key="federation.push:a").exists()
    assert "已重新排队 1 条消息" in c.get(URL).content.decode()
    # The same letter again: it is no longer dead.
    r = c.post(REPLAY, {"message": dead.pk, "csrfmiddlewaretoken": token})
    assert r.status_code == 422 and 'data-code="dead_letter_not_found"' in r.content.decode()


def test_replay_all_dead_letters(fed: Any) -> None:
    first, _, _ = _queue()
    second, _, _ = _queue()
    c = _admin_client()
    r = c.post(REPLAY, {"all": "1", "csrfmiddlewaretoken": _csrf(c)})
    assert r.status_code == 302
    assert set(
        OutboxMessage.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {OutboxStatus.PENDING}


def test_dead_letters_show_in_the_admin_nav_on_every_page_until_replayed(fed: Any) -> None:
    dead, _, _ = _queue()
    c = _admin_client()
    page = c.get("/").content.decode()
    badge = re.search(
        r'<a href="/workbench/node/#dead-letters">节点管理 <span[^>]*data-dead-letters="(\d+)"',
        page,
    )
    assert badge is not None and badge.group(1) == "1" and "1 条死信" in page
    clerk = Client()
    clerk.force_login(make_user("clerk1", Role.CLERK, "140400"))
    assert "data-dead-letters" not in clerk.get("/").content.decode()
    token = _csrf(c)
    c.post(REPLAY, {"message": dead.pk, "csrfmiddlewaretoken": token})
    page = c.get("/").content.decode()
    assert "data-dead-letters" not in page and '<a href="/workbench/node/">节点管理</a>' in page
