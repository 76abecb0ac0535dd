"""/api/v1/cases: create (idempotent), read, upload, move, supplement, ship — through HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.accounts.models import User
from tongban.cases.models import Case
from tongban.cases.testing import PDF_BYTES, PNG_BYTES, World, build_world
from tongban.core.ids import make_id_number
from tongban.testing import make_user

pytestmark = pytest.mark.django_db


URL = "/api/v1/cases"


@pytest.fixture
def world() -> World:
    return build_world()


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, url: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return c.post(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def applicant_body(world: World, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "task_code": world.impl.task_code,
        "applicant": {
            "kind": "person",
            "name": "张三",
            "code": make_id_number("14040219900101001"),
            "phone": "13800000000",
        },
        "channel": "pc",
    }
    body.update(over)
    return body


def upload(c: Client, ref: str, material_id: int, data: bytes = PDF_BYTES, ct: str = "") -> Any:
    f = SimpleUploadedFile("scan.pdf", data, content_type=ct or "application/pdf")
    return c.post(f"{URL}/{ref}/materials/{material_id}/files", {"file": f})


def fill(c: Client, detail: dict[str, Any]) -> dict[str, Any]:
    """Upload every missing material; return the fresh detail."""
    for m in detail["materials"]:
        if m["status"] == "missing":
            assert upload(c, detail["ref"], m["id"]).status_code == 201
    return c.get(f"{URL}/{detail['ref']}").json()


def move(c: Client, ref: str, to: str, opinion: str = "", rev: int | None = None) -> Any:
    body = {"to": to, "opinion": opinion, "expected_revision": rev}
    return post(c, f"{URL}/{ref}/transitions", body)


def test_create_is_idempotent_by_header_or_body(world: World) -> None:
    c = client_for(world.applicant)
    r1 = post(c, URL, applicant_body(world), HTTP_IDEMPOTENCY_KEY="form-1")
    assert r1.status_code == 201, r1.content
    d = r1.json()
    assert d["status"] == "draft" and d["case_number"] is None and d["ref"] == str(d["id"])
    assert d["mode"] == "fully_online" and d["my_roles"] == ["applicant"]
    assert {m["to"] for m in d["moves"]} == {"submitted", "withdrawn"}
    assert [m["status"] for m in d["materials"]] == ["missing", "missing", "exempted"]
    r2 = post(c, URL, applicant_body(world), HTTP_IDEMPOTENCY_KEY="form-1")
    assert r2.status_code == 200 and r2.json()["id"] == d["id"]
    r3 = post(c, URL, applicant_body(world, idempotency_key="form-2"))
    r4 = post(c, URL, applicant_body(world, idempotency_key="form-2"))
    assert (r3.status_code, r4.status_code) == (201, 200)
    assert r3.json()["id"] == r4.json()["id"] != d["id"]
    other = client_for(make_user("lisi", "applicant", "140400"))
    r5 = post(other, URL, applicant_body(world), HTTP_IDEMPOTENCY_KEY="form-1")
    assert r5.status_code == 409 and r5.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 2


def test_create_rejects_bad_input_and_changes_nothing(world: World) -> None:
    c = client_for(world.applicant)
    body = applicant_body(world)
    body["applicant"]["code"] = body["applicant"]["code"][:-1] + (
        "0" if body["applicant"]["code"][-1] != "0" else "1"
    )
    r = post(c, URL, body)
    assert r.status_code == 422 and r.json()["code"] == "id_number_checksum"
    assert r.json()["field"] == "applicant.code"
    r = post(c, URL, applicant_body(world, task_code="X" * 31))
    assert r.status_code == 404 and r.json()["field"] == "task_code"
    r = post(c, URL, applicant_body(world, delivery="post"))
    assert r.status_code == 422 and r.json()["code"] == "delivery_address_required"
    r = post(c, URL, applicant_body(world, channel="carrier-pigeon"))
    assert r.status_code == 422 and r.json()["field"] == "channel"
    r = post(c, URL, applicant_body(world), HTTP_IDEMPOTENCY_KEY="k" * 81)
    assert r.status_code == 422 and r.json()["field"] == "idempotency_key"
    r = post(c, URL, {"task_code": world.impl.task_code})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert Case.objects.count() == 0


def test_window_intake_needs_the_windows_clerk_and_an_agreement(world: World) -> None:
    body = applicant_body(world, channel="window", window_id=world.pzh_window.pk)
    r = post(client_for(world.applicant), URL, body)
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = post(client_for(world.clerk), URL, body)  # 长治's clerk, not this window's
    assert r.status_code == 403 and r.json()["field"] == "window"
    r = post(client_for(world.applicant), URL, {**body, "channel": "pc"})
    assert r.status_code == 422 and r.json()["field"] == "window"  # no planting in a queue
    r = post(client_for(world.pzh_clerk), URL, {**body, "window_id": 999999})
    assert r.status_code == 404 and r.json()["field"] == "window_id"
    assert Case.objects.count() == 0
    r = post(client_for(world.pzh_clerk), URL, body)
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["mode"] == "proxy_intake" and d["intake_region"]["id"] == "510402"
    assert d["intake_window"]["id"] == world.pzh_window.pk and d["my_roles"] == ["clerk"]


def test_window_without_agreement_right() -> None:
    world = build_world(with_agreement=False)
    body = applicant_body(world, channel="window", window_id=world.pzh_window.pk)
    r = post(client_for(world.pzh_clerk), URL, body)
    assert r.status_code == 403 and r.json()["code"] == "no_agreement_right"


@pytest.mark.usefixtures("calendar_covers_today")
def test_online_case_from_draft_to_closed(world: World) -> None:
    app, clerk = client_for(world.applicant), client_for(world.clerk)
    reviewer, approver = client_for(world.reviewer), client_for(world.approver)
    d = fill(app, post(app, URL, applicant_body(world)).json())
    draft_ref = d["ref"]
    r = move(app, draft_ref, "submitted", rev=d["revision"])
    assert r.status_code == 200, r.content
    d = r.json()
    ref = d["case_number"]
    assert ref == d["ref"] and len(ref) == 43 and ref.startswith(world.impl.task_code)
    assert d["deadlines"]["acceptance_deadline"] is not None
    assert app.get(f"{URL}/{draft_ref}").json()["ref"] == ref  # the id still works
    assert move(clerk, ref, "pre_review").status_code == 200
    d = move(clerk, ref, "accepted").json()
    assert d["status_label"] == "已受理" and d["deadlines"]["promised_deadline"]
    d = move(reviewer, ref, "under_review").json()
    assert {m["to"]: m["endpoint"] for m in d["moves"]}["supplement_requested"] == (
        "supplement-request"
    )
    photo = next(m for m in d["materials"] if m["name"] == "近期免冠照片")
    # The generic transition cannot skip the one-time notice or its materials.
    r = move(reviewer, ref, "supplement_requested", "补正")
    assert r.status_code == 422 and r.json()["code"] == "supplement_needs_materials"
    r = post(
        reviewer,
        f"{URL}/{ref}/supplement-request",
        {
            "defects": [{"material_id": photo["id"], "note": "背景应为白色"}],
            "opinion": "请补正照片",
            "expected_revision": d["revision"],
        },
    )
    assert r.status_code == 200, r.content
    d = r.json()
    assert d["status"] == "supplement_requested" and d["paused_from"] == "under_review"
    mine = app.get(f"{URL}/{ref}").json()
    assert [m["endpoint"] for m in mine["moves"] if m["to"] == "under_review"] == ["supplement"]
    assert next(m for m in mine["materials"] if m["id"] == photo["id"])["defect_note"]
    r = post(app, f"{URL}/{ref}/supplement", {})
    assert r.status_code == 422 and r.json()["code"] == "supplement_incomplete"
    assert move(app, ref, "under_review").json()["code"] == "supplement_incomplete"
    assert upload(app, ref, photo["id"], PNG_BYTES, "image/png").status_code == 201
    d = post(app, f"{URL}/{ref}/supplement", {}).json()
    assert d["status"] == "under_review"
    r = move(approver, ref, "denied")
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    assert move(approver, ref, "approved", "符合条件").status_code == 200
    for actor, to in ((approver, "result_issued"), (clerk, "delivered"), (clerk, "closed")):
        assert move(actor, ref, to).status_code == 200
    timeline = app.get(f"{URL}/{ref}/timeline").json()
    assert [e["action"] for e in timeline] == [
        "create",
        "submit",
        "pre_review",
        "accept",
        "review",
        "request_supplement",
        "supplement",
        "approve",
        "issue_result",
        "deliver",
        "close",
    ]
    assert timeline[5]["data"]["defects"][0]["material"] == "近期免冠照片"
    assert timeline[7]["to_label"] == "准予许可" and timeline[7]["opinion"] == "符合条件"
    ex = app.get(f"{URL}/{ref}/exchange").json()
    assert ex["result"]["code"] == 0 and ex["accept"]["case_number"] == ref


def test_conflicting_moves_one_wins(world: World) -> None:
    app = client_for(world.applicant)
    d = fill(app, post(app, URL, applicant_body(world)).json())
    d = move(app, d["ref"], "submitted").json()
    seen = d["revision"]
    clerk, reviewer = client_for(world.clerk), client_for(world.reviewer)
    assert move(clerk, d["ref"], "pre_review", rev=seen).status_code == 200
    r = move(reviewer, d["ref"], "pre_review", rev=seen)
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = move(reviewer, d["ref"], "approved")
    assert r.status_code == 422 and r.json()["code"] == "illegal_transition"
    r = move(reviewer, d["ref"], "flying")
    assert r.status_code == 422 and r.json()["code"] == "illegal_transition"


def test_uploads_are_checked_by_their_bytes(world: World, settings: Any) -> None:
    app = client_for(world.applicant)
    d = post(app, URL, applicant_body(world)).json()
    mid = d["materials"][0]["id"]
    r = upload(app, d["ref"], mid, PNG_BYTES, "application/pdf")
    assert r.status_code == 422 and r.json()["code"] == "file_type_mismatch"
    r = upload(app, d["ref"], mid, b"MZ\x90\x00 not a document", "application/pdf")
    assert r.status_code == 422 and r.json()["code"] == "file_type_unsupported"
    r = upload(app, d["ref"], 999999)
    assert r.status_code == 404
    r = upload(app, d["ref"], mid)
    assert r.status_code == 201
    got = r.json()
    assert got["content_type"] == "application/pdf" and got["size"] == len(PDF_BYTES)
    detail = app.get(f"{URL}/{d['ref']}").json()
    assert detail["materials"][0]["status"] == "provided"
    assert [f["id"] for f in detail["materials"][0]["files"]] == [got["id"]]


def test_upload_over_the_size_limit(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from tongban.cases import api as cases_api
    from tongban.cases import files

    small = dataclasses.replace(files.CONFIG, upload_max_bytes=len(PDF_BYTES) - 1)
    monkeypatch.setattr(files, "CONFIG", small)
    monkeypatch.setattr(cases_api, "CONFIG", small)
    app = client_for(world.applicant)
    d = post(app, URL, applicant_body(world)).json()
    r = upload(app, d["ref"], d["materials"][0]["id"])
    assert r.status_code == 422 and r.json()["code"] == "file_too_large"
    assert app.get(f"{URL}/{d['ref']}").json()["materials"][0]["files"] == []


def test_refs_and_unknown_cases(world: World) -> None:
    app = client_for(world.applicant)
    for ref in ("abc", "0", "9" * 30, "X" * 43, "draft-1"):
        r = app.get(f"{URL}/{ref}")
        assert r.status_code == 404 and r.json()["code"] == "not_found", ref


def test_shipments_send_and_receive(world: World) -> None:
    pzh = client_for(world.pzh_clerk)
    body = applicant_body(world, channel="window", window_id=world.pzh_window.pk)
    d = fill(pzh, post(pzh, URL, body).json())
    d = move(pzh, d["ref"], "submitted").json()
    ref = d["ref"]
    ship = {"kind": "originals", "carrier": "EMS", "tracking_number": "EA123456789CN"}
    r = post(pzh, f"{URL}/{ref}/shipments", ship)
    assert r.status_code == 201, r.content
    s = r.json()
    assert s["kind_label"] == "原件寄递" and s["received_at"] is None
    r = post(pzh, f"{URL}/{ref}/shipments", ship)
    assert r.status_code == 422 and r.json()["field"] == "tracking_number"
    r = post(pzh, f"{URL}/{ref}/shipments", {**ship, "kind": "pigeon", "tracking_number": "2"})
    assert r.status_code == 422 and r.json()["field"] == "kind"
    reviewer = client_for(world.reviewer)
    r = post(reviewer, f"{URL}/{ref}/shipments/{s['id']}/receive")
    assert r.status_code == 200 and r.json()["received_at"] is not None
    r = post(reviewer, f"{URL}/{ref}/shipments/{s['id']}/receive")
    assert r.status_code == 422 and r.json()["code"] == "illegal_transition"
    r = post(reviewer, f"{URL}/{ref}/shipments/999999/receive")
    assert r.status_code == 404
    detail = reviewer.get(f"{URL}/{ref}").json()
    assert [x["tracking_number"] for x in detail["shipments"]] == ["EA123456789CN"]
    actions = [e["action"] for e in reviewer.get(f"{URL}/{ref}/timeline").json()]
    assert actions[-2:] == ["ship", "receive_shipment"]
