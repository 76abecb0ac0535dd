from datetime import date

import pytest
from django.test import Client
from django.test.utils import override_settings

from tongban.demo.people import DEMO_PASSWORD
from tongban.demo.seed import demo_seed
from tongban.supervision.models import Card, Escalation

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_demo_supervisor_sees_yellow_and_red_cards_and_a_replied_escalation() -> None:
    summary = demo_seed(today=date(2026, 7, 1))  # a Wednesday
    assert summary.created["supervision_cards"] >= 4
    kinds = set(
        Card.objects.filter(case__idempotency_key__startswith="demo-sv", status="open").values_list(
            "kind", flat=True
        )
    )
    assert {"yellow", "red"} <= kinds
    esc = Escalation.objects.get()
    assert esc.status == "replied" and esc.reply
    again = demo_seed(today=date(2026, 7, 1))
    assert again.created.get("supervision_cards", 0) == 0  # idempotent
    c = Client()
    assert c.login(username="changzhi.supervisor", password=DEMO_PASSWORD)
    body = c.get("/workbench/supervision/cards/").content.decode()
    assert 'data-kind="red"' in body and 'data-kind="yellow"' in body
