"""Fixtures and helpers of the staff workbench view tests (import the ``*_fixture``
names into a test module): the world of build_world with a 申请表 whose original
travels, a clock set to Mon 2 March 2026, and the 攀枝花 window clerk's intake form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tongban.cases.models import Case
from tongban.cases.testing import PDF_BYTES, PNG_BYTES, World, build_world
from tongban.core.ids import make_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
APPLICANT_ID = make_id_number("51040219850505002")
Clock = Callable[[datetime], None]


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Move "now" (and so localdate) to a fixed moment; the services and views read it."""
    real_now = timezone.now

    def set_to(when: datetime) -> None:
        shift = when - real_now()
        monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)

    set_to(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))  # a Monday
    return set_to


@pytest.fixture(name="world")
def world_fixture(clock: Clock) -> World:
    return build_world(originals=True)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def materials(world: World) -> dict[str, int]:
    version = world.impl.current_version
    assert version is not None
    return {m.name: m.pk for m in version.materials.all()}


def pdf(name: str = "扫描件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def intake_data(world: World, **overrides: Any) -> dict[str, Any]:
    m = materials(world)
    data: dict[str, Any] = {
        "window": str(world.pzh_window.pk),
        "item": world.impl.task_code,
        "idempotency_key": "key-1",
        "applicant_kind": "person",
        "applicant_name": "李四",
        "applicant_code": APPLICANT_ID,
        "applicant_phone": "13900000000",
        "agent_role": "",
        "channel": "window",
        "identity_verified": "1",
        "identity_method": "face_match",
        "delivery": "pickup",
        "delivery_address": "",
        f"received_{m['申请表']}": "1",
        f"original_{m['申请表']}": "1",
        f"scan_{m['申请表']}": pdf("申请表.pdf"),
        f"received_{m['近期免冠照片']}": "1",
        f"scan_{m['近期免冠照片']}": SimpleUploadedFile(
            "照片.png", PNG_BYTES, content_type="image/png"
        ),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def take_in(world: World, **overrides: Any) -> Case:
    r = client_for(world.pzh_clerk).post(
        "/workbench/clerk/intake/", intake_data(world, **overrides)
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    return Case.objects.get()


def post(user: Any, case: Case, action: str, data: dict[str, Any]) -> Any:
    case.refresh_from_db()
    body = {"revision": str(case.revision), **data}
    return client_for(user).post(f"/workbench/cases/{case.case_number}/{action}/", body)
