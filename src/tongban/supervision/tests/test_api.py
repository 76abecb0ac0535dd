import pytest
from django.test import Client

from tongban.testing import make_user

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_cards_and_escalation_loop_over_the_api(late) -> None:  # type: ignore[no-untyped-def]
    sup = _client(late.supervisor)
    rows = sup.get("/api/v1/supervision/cards?status=open&kind=red").json()
    assert [(r["id"], r["rule"], r["case_number"]) for r in rows] == [
        (late.card.pk, "promised_deadline", late.case.case_number)
    ]
    r = sup.post(
        f"/api/v1/supervision/cards/{late.card.pk}/escalations",
        {"request": "请说明原因", "reply_days": 3},
        content_type="application/json",
    )
    assert r.status_code == 201
    esc = r.json()
    dept = _client(late.world.approver)
    r = dept.post(
        f"/api/v1/supervision/escalations/{esc['id']}/reply",
        {"reply": "已处理"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "replied"
    r = sup.post(
        f"/api/v1/supervision/escalations/{esc['id']}/close",
        {"outcome": "同意", "close_card": True},
        content_type="application/json",
    )
    assert r.json()["status"] == "closed"
    r = dept.post(
        f"/api/v1/supervision/escalations/{esc['id']}/reply",
        {"reply": "补充"},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "escalation_closed"


def test_api_errors(late) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/api/v1/supervision/cards").status_code == 401
    sup = _client(late.supervisor)
    assert sup.get("/api/v1/supervision/cards?kind=purple").json()["code"] == "invalid_input"
    r = sup.post(
        f"/api/v1/supervision/cards/{late.card.pk}/escalations",
        {"request": "x", "reply_days": 99},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "escalation_reply_days"
    other = _client(make_user("sy_sup", "supervisor", "210100"))
    r = other.post(
        f"/api/v1/supervision/cards/{late.card.pk}/escalations",
        {"request": "x", "reply_days": 3},
        content_type="application/json",
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"
