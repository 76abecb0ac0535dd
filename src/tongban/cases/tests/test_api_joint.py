"""多地联办 and result hand-over through the API (/api/v1/cases/joint, /{ref}/parts,
/{ref}/hand-over): the same services as the window pages, two nodes in one database
(loopback)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from tongban.cases.models import Case
from tongban.cases.services_remote_node import Loopback
from tongban.cases.testing import PDF_BYTES, person
from tongban.cases.tests import test_joint as tj
from tongban.cases.tests.test_joint import JointWorld, _decide
from tongban.core.ids import make_id_number

jw = tj.jw
lb = tj.lb

pytestmark = pytest.mark.django_db
U = "/api/v1/cases"
AGENT_ID = make_id_number("51040219850505002")


def _client(jw: JointWorld) -> Client:
    c = Client()
    c.force_login(jw.clerk)
    return c


def _post(c: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return c.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def _body(jw: JointWorld, codes: list[str] | None = None, **over: Any) -> dict[str, Any]:
    a = person("王五", 9)
    parts = []
    for code in codes or [jw.cz.task_code, jw.pzh.task_code]:
        impl = jw.cz if code == jw.cz.task_code else jw.pzh
        v = impl.current_version
        assert v is not None
        scan = {
            "file_name": "表.pdf",
            "content_type": "application/pdf",
            "data_base64": base64.b64encode(PDF_BYTES).decode(),
        }
        checklist = [
            {"requirement_id": m.pk, "received": True, "scans": [scan]} for m in v.materials.all()
        ]
        parts.append({"task_code": code, "checklist": checklist})
    body: dict[str, Any] = {
        "window_id": jw.window.pk,
        "applicant": {"kind": "person", "name": a.name, "code": a.code, "phone": a.phone},
        "identity": {"verified": True, "method": "card_reader"},
        "parts": parts,
        "delivery": "pickup",
        "idempotency_key": "joint-api-1",
    }
    body.update(over)
    return body


def test_joint_intake_creates_the_application_and_hands_the_remote_part_off(
    lb: Loopback, jw: JointWorld
) -> None:
    c = _client(jw)
    r = _post(c, f"{U}/joint", _body(jw))
    assert r.status_code == 201, r.content
    out = r.json()
    app = out["application"]
    assert app["mode"] == "joint" and app["status"] == "pre_review"
    assert app["case_number"] and app["ref"] == app["case_number"]
    parts = out["parts"]
    assert [p["node"] for p in parts] == ["cz", ""]
    assert [p["region_code"] for p in parts] == ["140400", "510400"]
    assert all(p["status"] == "submitted" and not p["failed"] for p in parts)
    assert out["decision"] is None and out["failed"] == 0
    assert [m.type for m in lb.queue] == ["cn.tongban.case.transferred"]
    # The same key again: the same application, 200, nothing new.
    again = _post(c, f"{U}/joint", _body(jw))
    assert again.status_code == 200 and again.json()["application"]["id"] == app["id"]
    assert Case.objects.filter(mode="joint", parent=None).count() == 1
    # After the hand-off the remote part names the deciding node's number.
    lb.pump()
    decider = Case.objects.get(handled_for_node="pzh")
    read = c.get(f"{U}/{app['ref']}/parts").json()
    assert read["parts"][0]["remote_case_number"] == decider.case_number


def test_the_parts_read_shows_a_refused_part_and_the_combined_result(
    lb: Loopback, jw: JointWorld
) -> None:
    c = _client(jw)
    ref = _post(c, f"{U}/joint", _body(jw)).json()["application"]["ref"]
    lb.pump()
    decider = Case.objects.get(handled_for_node="pzh")
    with lb.as_node("cz"):
        _decide(decider, jw.cz_approver, "denied", "户籍信息不符")
    lb.pump()
    out = c.get(f"{U}/{ref}/parts").json()
    assert out["failed"] == 1 and out["decision"] is None
    remote = out["parts"][0]
    assert remote["failed"] and remote["status"] == "denied"
    assert remote["reason"] == "户籍信息不符"
    local = Case.objects.get(parent__case_number=ref, remote_node="")
    _decide(local, jw.pzh_approver, "approved")
    out = c.get(f"{U}/{ref}/parts").json()
    assert out["decision"] == "denied" and out["application"]["status"] == "result_issued"
    assert out["parts"][1]["approved"] and not out["parts"][1]["failed"]


def test_joint_intake_refusals_are_coded_and_leave_nothing(jw: JointWorld) -> None:
    c = _client(jw)
    r = _post(c, f"{U}/joint", _body(jw, [jw.cz.task_code]))
    assert r.status_code == 422 and r.json()["code"] == "joint_needs_parts"
    r = _post(c, f"{U}/joint", _body(jw, identity={"verified": False, "method": "card_reader"}))
    assert r.status_code == 422 and r.json()["field"] == "identity_verified"
    bad = _body(jw)
    bad["parts"][0]["checklist"][0]["scans"][0]["data_base64"] = "not base64!"
    r = _post(c, f"{U}/joint", bad)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    # Someone who is not a clerk of that window: 403, whatever the body.
    other = Client()
    other.force_login(jw.cz_approver)
    r = _post(other, f"{U}/joint", _body(jw))
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert not Case.objects.exclude(status="draft").exists()


def test_parts_of_a_case_that_is_not_a_joint_application(lb: Loopback, jw: JointWorld) -> None:
    c = _client(jw)
    _post(c, f"{U}/joint", _body(jw))
    part = Case.objects.filter(parent__isnull=False).order_by("pk").last()
    assert part is not None
    r = c.get(f"{U}/{part.case_number}/parts")
    assert r.status_code == 422 and r.json()["code"] == "not_joint_application"
    assert Client().get(f"{U}/{part.case_number}/parts").status_code == 401


def _issued_parent(lb: Loopback, jw: JointWorld, c: Client) -> str:
    ref = str(_post(c, f"{U}/joint", _body(jw)).json()["application"]["ref"])
    lb.pump()
    decider = Case.objects.get(handled_for_node="pzh")
    with lb.as_node("cz"):
        _decide(decider, jw.cz_approver, "approved")
    lb.pump()
    _decide(Case.objects.get(parent__case_number=ref, remote_node=""), jw.pzh_approver, "approved")
    assert Case.objects.get(case_number=ref).status == "result_issued"
    return ref


def test_hand_over_at_the_window_records_who_collected_the_result(
    lb: Loopback, jw: JointWorld
) -> None:
    c = _client(jw)
    ref = _issued_parent(lb, jw, c)
    url = f"{U}/{ref}/hand-over"
    agent = {"method": "pickup", "recipient": "赵七", "recipient_kind": "agent"}
    r = _post(c, url, agent)
    assert r.status_code == 422 and r.json()["code"] == "recipient_id_required"
    assert r.json()["field"] == "recipient_id_number"
    wrong_check = AGENT_ID[:-1] + ("1" if AGENT_ID[-1] != "1" else "2")
    r = _post(c, url, {**agent, "recipient_id_number": wrong_check})
    assert r.status_code == 422 and r.json()["code"] == "id_number_checksum"
    r = _post(c, url, {**agent, "recipient_kind": "neighbour", "recipient_id_number": AGENT_ID})
    assert r.status_code == 422 and r.json()["field"] == "recipient_kind"
    r = _post(c, url, {**agent, "recipient_id_number": AGENT_ID.lower()})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "delivered"
    last = c.get(f"{U}/{ref}/timeline").json()[-1]
    assert last["to_status"] == "delivered"
    assert last["data"]["recipient"] == "赵七" and last["data"]["recipient_kind"] == "agent"
    assert last["data"]["recipient_id_number"] == AGENT_ID.upper()
    # The timeline text shows the number masked.
    assert AGENT_ID not in last["opinion"] and AGENT_ID[-4:] in last["opinion"]
    assert "他人代领" in last["opinion"]
    # Handed over once: a second hand-over is an illegal move.
    r = _post(c, url, {"method": "pickup", "recipient": "王五"})
    assert r.status_code == 422 and r.json()["code"] == "illegal_transition"


def test_hand_over_by_post_and_by_the_applicant_in_person(lb: Loopback, jw: JointWorld) -> None:
    c = _client(jw)
    ref = _issued_parent(lb, jw, c)
    r = _post(c, f"{U}/{ref}/hand-over", {"method": "pickup", "recipient": " "})
    assert r.status_code == 422 and r.json()["field"] == "recipient"
    r = _post(c, f"{U}/{ref}/hand-over", {"method": "drone"})
    assert r.status_code == 422 and r.json()["field"] == "method"
    r = _post(c, f"{U}/{ref}/hand-over", {"method": "pickup", "recipient": "王五"})
    assert r.status_code == 200
    last = c.get(f"{U}/{ref}/timeline").json()[-1]
    assert last["data"]["recipient_kind"] == "applicant"
    assert last["data"]["recipient_id_number"] == ""
    assert "申请人本人" in last["opinion"]
