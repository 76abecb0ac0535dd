"""/api/v1/cases/intake and /intake-batch: one-call counter intake over HTTP."""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

import pytest
from django.test import Client

from tongban.cases.models import Case, CaseFile
from tongban.cases.testing import PDF_BYTES, PNG_BYTES, World, build_world
from tongban.core.ids import make_id_number

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/intake"
BATCH = "/api/v1/cases/intake-batch"


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = str(tmp_path)
    return build_world()


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return c.post(url, data=json.dumps(body), content_type="application/json", **headers)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def application(world: World, seq: int = 1, **over: Any) -> dict[str, Any]:
    version = world.impl.current_version
    assert version is not None
    checklist = [
        {
            "requirement_id": r.pk,
            "received": True,
            "scans": [
                {
                    "file_name": f"{r.name}.pdf",
                    "content_type": "application/pdf",
                    "data_base64": b64(PDF_BYTES),
                }
            ],
        }
        for r in version.materials.all()
        if r.source != "data_sharing"
    ]
    body: dict[str, Any] = {
        "task_code": world.impl.task_code,
        "applicant": {
            "kind": "person",
            "name": "张三",
            "code": make_id_number(f"14040219900101{seq:03d}"),
            "phone": "13800000000",
        },
        "identity": {"verified": True, "method": "card_reader"},
        "checklist": checklist,
    }
    body.update(over)
    return body


def single(world: World, **over: Any) -> dict[str, Any]:
    return {"window_id": world.pzh_window.pk, **application(world, **over)}


def test_one_call_intake_accepts_with_scans(world: World) -> None:
    c = client_for(world.pzh_clerk)
    r = post(c, URL, single(world), HTTP_IDEMPOTENCY_KEY="counter-1")
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["status"] == "accepted" and d["mode"] == "proxy_intake"
    assert d["case_number"].startswith(world.impl.task_code) and d["ref"] == d["case_number"]
    assert [m["status"] for m in d["materials"]] == ["provided", "provided", "exempted"]
    assert d["form_data"]["identity_check"]["method"] == "card_reader"
    case = Case.objects.get(pk=d["id"])
    assert case.idempotency_key == "counter-1" and case.intake_window_id == world.pzh_window.pk
    assert CaseFile.objects.filter(material__case=case).count() == 2
    timeline = c.get(f"/api/v1/cases/{d['ref']}/timeline").json()
    assert [e["action"] for e in timeline][:2] == ["create", "identity_check"]


def test_submitted_only_when_asked(world: World) -> None:
    r = post(client_for(world.pzh_clerk), URL, single(world, to="submitted"))
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "submitted"


def test_replay_returns_the_same_case_with_200(world: World) -> None:
    c = client_for(world.pzh_clerk)
    first = post(c, URL, single(world, idempotency_key="counter-2"))
    again = post(c, URL, single(world, idempotency_key="counter-2"))
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert first.json()["id"] == again.json()["id"]
    assert Case.objects.filter(idempotency_key="counter-2").count() == 1


def test_invalid_id_number_is_coded(world: World) -> None:
    body = single(world)
    body["applicant"]["code"] = "140402199001010010"  # wrong check digit
    r = post(client_for(world.pzh_clerk), URL, body)
    assert r.status_code == 422
    assert r.json()["code"] == "id_number_checksum"
    assert Case.objects.count() == 0


def test_disguised_scan_is_refused(world: World) -> None:
    body = single(world)
    body["checklist"][0]["scans"][0]["data_base64"] = b64(b"MZ\x90\x00 not a pdf")
    r = post(client_for(world.pzh_clerk), URL, body)
    assert r.status_code == 422 and r.json()["code"] == "file_type_unsupported"
    body["checklist"][0]["scans"][0]["data_base64"] = b64(PNG_BYTES)  # declared as PDF
    r = post(client_for(world.pzh_clerk), URL, body)
    assert r.status_code == 422 and r.json()["code"] == "file_type_mismatch"
    assert r.json()["field"].startswith("scan_")
    body["checklist"][0]["scans"][0]["data_base64"] = "not base64!"
    r = post(client_for(world.pzh_clerk), URL, body)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert Case.objects.count() == 0 and CaseFile.objects.count() == 0


def test_oversized_scan_is_refused(world: World, monkeypatch: Any) -> None:
    from tongban.cases import files, schemas_intake

    small = dataclasses.replace(files.CONFIG, upload_max_bytes=len(PDF_BYTES) - 1)
    monkeypatch.setattr(files, "CONFIG", small)
    monkeypatch.setattr(schemas_intake, "CONFIG", small)
    r = post(client_for(world.pzh_clerk), URL, single(world))
    assert r.status_code == 422 and r.json()["code"] == "file_too_large"
    assert Case.objects.count() == 0
    # A base64 text that cannot fit the limit is refused before it is decoded.
    body = single(world)
    body["checklist"][0]["scans"][0]["data_base64"] = b64(PDF_BYTES * 3)
    r = post(client_for(world.pzh_clerk), URL, body)
    assert r.status_code == 422 and r.json()["code"] == "file_too_large"


def test_body_over_the_request_limit_is_coded(world: World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 500  # the whole JSON body, all scans together
    r = post(client_for(world.pzh_clerk), URL, single(world))
    assert r.status_code == 413 and r.json()["code"] == "request_too_large"
    assert Case.objects.count() == 0


def test_wrong_role_is_refused(world: World) -> None:
    r = post(client_for(world.reviewer), URL, single(world))
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = post(
        client_for(world.applicant),
        BATCH,
        {"window_id": world.pzh_window.pk, "applications": [application(world)]},
    )
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert Client().post(URL, data="{}", content_type="application/json").status_code == 401
    assert Case.objects.count() == 0


def test_unknown_window_and_item(world: World) -> None:
    c = client_for(world.pzh_clerk)
    r = post(c, URL, {**single(world), "window_id": 999999})
    assert r.status_code == 404 and r.json()["field"] == "window_id"
    r = post(c, URL, single(world, task_code="X" * 31))
    assert r.status_code == 404 and r.json()["field"] == "task_code"


def test_batch_takes_all_in_order(world: World) -> None:
    apps = [application(world, seq=i, idempotency_key=f"b-{i}") for i in range(1, 4)]
    c = client_for(world.pzh_clerk)
    r = post(c, BATCH, {"window_id": world.pzh_window.pk, "applications": apps})
    assert r.status_code == 201, r.content
    d = r.json()
    assert [x["index"] for x in d["cases"]] == [0, 1, 2] and d["replayed"] == []
    assert {x["status"] for x in d["cases"]} == {"accepted"}
    serials = [x["case_number"][-4:] for x in d["cases"]]
    assert serials == sorted(serials) and len(set(serials)) == 3
    # Replay: the same keys plus one new application.
    apps.append(application(world, seq=4, idempotency_key="b-4"))
    again = post(c, BATCH, {"window_id": world.pzh_window.pk, "applications": apps})
    assert again.status_code == 201, again.content
    a = again.json()
    assert a["replayed"] == [0, 1, 2] and [x["replayed"] for x in a["cases"]] == [True] * 3 + [
        False
    ]
    assert [x["id"] for x in a["cases"][:3]] == [x["id"] for x in d["cases"]]
    assert Case.objects.count() == 4


def test_batch_with_bad_rows_writes_nothing_and_lists_each(world: World) -> None:
    apps = [application(world, seq=i) for i in range(1, 5)]
    apps[1]["applicant"]["code"] = "140402199001010010"
    apps[3]["checklist"][0]["scans"][0]["data_base64"] = b64(PNG_BYTES)
    c = client_for(world.pzh_clerk)
    r = post(c, BATCH, {"window_id": world.pzh_window.pk, "applications": apps})
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "intake_batch_rejected"
    assert [(e["index"], e["code"]) for e in body["details"]] == [
        (1, "id_number_checksum"),
        (3, "file_type_mismatch"),
    ]
    assert Case.objects.count() == 0 and CaseFile.objects.count() == 0
    # Rows the route cannot read (unknown item, bad base64) are reported by index too.
    apps[0]["task_code"] = "Y" * 31
    apps[2]["checklist"][0]["scans"][0]["data_base64"] = "%%%"
    r = post(c, BATCH, {"window_id": world.pzh_window.pk, "applications": apps})
    assert r.status_code == 422
    assert [(e["index"], e["code"]) for e in r.json()["details"]] == [
        (0, "not_found"),
        (2, "invalid_input"),
    ]


def test_batch_duplicate_key_and_limits(world: World) -> None:
    c = client_for(world.pzh_clerk)
    apps = [application(world, seq=i, idempotency_key="same") for i in (1, 2)]
    r = post(c, BATCH, {"window_id": world.pzh_window.pk, "applications": apps})
    assert r.status_code == 422
    assert [(e["index"], e["code"]) for e in r.json()["details"]] == [(1, "batch_duplicate_key")]
    r = post(c, BATCH, {"window_id": world.pzh_window.pk, "applications": []})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert Case.objects.count() == 0
