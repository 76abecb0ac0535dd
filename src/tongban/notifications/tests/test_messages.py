"""Messages pages (/my/messages/, the demo outbox /messages/), sending through the worker,
and the SMS gateway adapter against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import Client

from tongban.cases.models import Case
from tongban.cases.services import case_create_draft, case_transition
from tongban.cases.services_materials import material_upload
from tongban.cases.testing import PDF_BYTES, World, build_world, online
from tongban.config import CONFIG
from tongban.core.jobs.worker import run_worker
from tongban.notifications.adapters import SmsGatewayError, SmsGatewayNotifier, get_notifier
from tongban.notifications.models import Notification, NotificationStatus
from tongban.notifications.services import notification_build, notification_send
from tongban.testing import make_user

pytestmark = pytest.mark.django_db


def _submitted(world: World) -> Case:
    case = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online("k1"))
    for m in case.materials.filter(status="missing"):
        material_upload(
            actor=world.applicant,
            case=case,
            material_id=m.pk,
            file_name="a.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    return case_transition(actor=world.applicant, case=case, to="submitted", today=date(2026, 3, 2))


def test_my_messages_shows_only_my_own(world_case: tuple[World, Case]) -> None:
    world, case = world_case
    c = Client()
    c.force_login(world.applicant)
    html = c.get("/my/messages/").content.decode()
    assert "办件进度：提交申请" in html and case.case_number in html
    assert f'href="/my/cases/{case.case_number}/"' in html
    other = Client()
    other.force_login(make_user("lisi", "applicant", "140400"))
    assert "办件进度" not in other.get("/my/messages/").content.decode()
    assert Client().get("/my/messages/")["Location"] == "/login/?next=/my/messages/"


@pytest.fixture
def world_case() -> tuple[World, Case]:
    world = build_world()
    return world, _submitted(world)


def test_worker_sends_with_the_fake_and_the_outbox_shows_it(
    world_case: tuple[World, Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, case = world_case
    monkeypatch.setattr(
        "tongban.notifications.views.CONFIG", dataclasses.replace(CONFIG, demo_mode=True)
    )
    run_worker(once=True, worker_id="test", poll_seconds=0.01, periodic=[])
    n = Notification.objects.get(case=case)
    assert n.status == NotificationStatus.SENT and n.adapter == "fake"
    html = Client().get("/messages/").content.decode()
    assert "演示发件箱" in html and case.case_number in html
    assert "138****0000" in html and "13800000000" not in html and "模拟通道" in html


def test_outbox_is_hidden_outside_demo_and_development(
    world_case: tuple[World, Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    prod = dataclasses.replace(CONFIG, env="production", demo_mode=False)
    monkeypatch.setattr("tongban.notifications.views.CONFIG", prod)
    assert Client().get("/messages/").status_code == 404
    dev = dataclasses.replace(CONFIG, env="development", demo_mode=False)
    monkeypatch.setattr("tongban.notifications.views.CONFIG", dev)
    assert Client().get("/messages/").status_code == 200


# --- SMS gateway ----------------------------------------------------------------------


class _Gateway(BaseHTTPRequestHandler):
    status = 200
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).received.append(
            {"body": json.loads(self.rfile.read(length)), "type": self.headers["Content-Type"]}
        )
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def gateway() -> Iterator[tuple[str, type[_Gateway]]]:
    handler = type("Gateway", (_Gateway,), {"status": 200, "received": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms", handler
    server.shutdown()
    server.server_close()


def test_sms_gateway_posts_json_and_marks_sent(
    world_case: tuple[World, Case],
    gateway: tuple[str, type[_Gateway]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, handler = gateway
    _, case = world_case
    monkeypatch.setattr(
        "tongban.config.CONFIG", dataclasses.replace(CONFIG, notifier="sms", sms_gateway_url=url)
    )
    assert isinstance(get_notifier(), SmsGatewayNotifier)
    n = Notification.objects.get(case=case)
    notification_send(n.pk)
    n.refresh_from_db()
    assert n.status == NotificationStatus.SENT and n.adapter == "sms"
    [got] = handler.received
    assert got["body"] == {"phone": "13800000000", "text": n.body}
    assert got["type"].startswith("application/json")
    assert case.case_number in got["body"]["text"]


def test_sms_gateway_refusal_raises_and_nothing_is_marked(
    world_case: tuple[World, Case], gateway: tuple[str, type[_Gateway]]
) -> None:
    url, handler = gateway
    handler.status = 503
    _, case = world_case
    n = Notification.objects.get(case=case)
    with pytest.raises(SmsGatewayError, match="503"):
        SmsGatewayNotifier(url, timeout=2).send(n)
    handler.status = 204
    SmsGatewayNotifier(url, timeout=2).send(n)
    assert len(handler.received) == 2


def test_sms_gateway_misconfigured_or_unreachable(world_case: tuple[World, Case]) -> None:
    _, case = world_case
    n = Notification.objects.get(case=case)
    with pytest.raises(SmsGatewayError):
        SmsGatewayNotifier("")
    # Nothing listens on port 9 of the loopback: connection refused.
    with pytest.raises(SmsGatewayError, match="unreachable"):
        SmsGatewayNotifier("http://127.0.0.1:9/sms", timeout=2).send(n)
    n.phone = ""
    with pytest.raises(ValueError):
        SmsGatewayNotifier("http://127.0.0.1:9/sms").send(n)


def test_notification_build_is_the_one_text_format(world_case: tuple[World, Case]) -> None:
    world, case = world_case
    sent = Notification.objects.get(case=case)  # written by notify_case_applicant
    built = notification_build(case, event="提交申请")
    assert built.pk is None  # unsaved: the caller inserts it
    assert (built.subject, built.body, built.phone) == (sent.subject, sent.body, sent.phone)
    assert built.recipient == world.applicant == sent.recipient
    with_opinion = notification_build(case, event="不予受理", opinion="材料不全")
    assert with_opinion.body.endswith("：不予受理。意见：材料不全")
    # A walk-in applicant without an account: no recipient, no e-mail.
    walk_in = Case(item_name="社会保障卡申领", applicant_phone="13900000000")
    n = notification_build(walk_in, event="受理")
    assert n.recipient is None and n.email == "" and "办件编号 （草稿）" in n.body
