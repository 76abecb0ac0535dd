import json
from typing import Any

import pytest
from django.test import Client

from tongban.ratings.models import Rating
from tongban.ratings.testing import RatingWorld

pytestmark = pytest.mark.django_db
URL = "/api/v1/ratings/"


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, json.dumps(body), content_type="application/json")


def body(rw: RatingWorld, **kw: Any) -> dict[str, Any]:
    return {
        "case_number": rw.local_case.case_number,
        "stage": "closure",
        "target": "department",
        "scores": {"overall": 5},
        **kw,
    }


def test_submit_and_list_own(rw: RatingWorld) -> None:
    c = client_for(rw.world.applicant)
    r = post(c, URL, body(rw, scores={"overall": 2, "efficiency": 1}, comment="<b>慢</b>"))
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["level"] == 2 and data["rectification_status"] == "follow_up"
    assert data["comment"] == "<b>慢</b>"
    mine = c.get(URL + "mine").json()
    assert [m["id"] for m in mine] == [data["id"]]
    assert client_for(rw.stranger).get(URL + "mine").json() == []


@pytest.mark.parametrize(
    ("kw", "status", "code"),
    [
        ({"scores": {"overall": 6}}, 422, "rating_level_invalid"),
        ({"scores": {"overall": 0}}, 422, "rating_level_invalid"),
        ({"scores": {}}, 422, "rating_level_invalid"),
        ({"scores": {"overall": 5, "mood": 5}}, 422, "rating_indicator_unknown"),
        ({"stage": "later"}, 422, "rating_stage_invalid"),
        ({"target": "window"}, 422, "rating_target_invalid"),
        ({"case_number": "X"}, 403, "rating_not_own_case"),
        ({"comment": "字" * 501}, 422, "rating_comment_too_long"),
    ],
)
def test_bad_input_gets_coded_errors(
    rw: RatingWorld, kw: dict[str, Any], status: int, code: str
) -> None:
    r = post(client_for(rw.world.applicant), URL, body(rw, **kw))
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert not Rating.objects.exists()


def test_twice_and_not_yours_and_anonymous(rw: RatingWorld) -> None:
    c = client_for(rw.world.applicant)
    assert post(c, URL, body(rw)).status_code == 201
    r = post(c, URL, body(rw))
    assert (r.status_code, r.json()["code"]) == (409, "rating_duplicate")
    r = post(client_for(rw.stranger), URL, body(rw, stage="acceptance"))
    assert (r.status_code, r.json()["code"]) == (403, "rating_not_own_case")
    r = post(Client(), URL, body(rw, stage="acceptance"))
    assert (r.status_code, r.json()["code"]) == (401, "not_authenticated")


def test_staff_tasks_to_closure(rw: RatingWorld) -> None:
    post(client_for(rw.world.applicant), URL, body(rw, scores={"overall": 1}))
    head = client_for(rw.world.approver)
    (task,) = head.get(URL + "tasks").json()
    assert task["status"] == "follow_up" and task["level"] == 1
    assert client_for(rw.stranger).get(URL + "tasks").json() == []
    t = URL + f"tasks/{task['id']}/actions"
    r = post(head, t, {"action": "follow_up", "note": ""})
    assert (r.status_code, r.json()["code"]) == (422, "rectification_note_required")
    r = post(head, t, {"action": "follow_up", "note": "已回访", "revision": 99})
    assert (r.status_code, r.json()["code"]) == (409, "conflict")
    r = post(head, t, {"action": "follow_up", "note": "已回访", "revision": 0})
    assert r.status_code == 200 and r.json()["status"] == "rectifying"
    r = post(head, t, {"action": "submit_rectification", "note": "措施", "outcome": "已改进"})
    assert r.json()["status"] == "review"
    r = post(head, t, {"action": "approve_rectification"})
    assert (r.status_code, r.json()["code"]) == (403, "rectification_role")
    r = post(client_for(rw.supervisor), t, {"action": "approve_rectification"})
    assert r.json()["status"] == "closed"
    assert head.get(URL + "tasks").json() == []
    assert len(head.get(URL + "tasks?all=true").json()) == 1
    r = post(client_for(rw.stranger), t, {"action": "appeal", "note": "x"})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_public_figures_without_login_or_personal_data(rw: RatingWorld) -> None:
    post(client_for(rw.world.applicant), URL, body(rw, scores={"overall": 1}, comment="张三很慢"))
    r = Client().get(URL + "public?start=2026-03-01&end=2026-03-31")
    assert r.status_code == 200
    data = r.json()
    assert data["totals"]["ratings"] == 1 and data["totals"]["bad"] == 1
    assert data["totals"]["follow_up_rate"] == "0.0000"
    assert data["departments"][0]["department_name"] == rw.world.dept.name
    text = r.content.decode()
    assert "张三" not in text and rw.local_case.applicant_code not in text
    r = Client().get(URL + "public?start=2026-03-31&end=2026-03-01")
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")
    r = Client().get(URL + "public?region_code=14")
    assert (r.status_code, r.json()["code"]) == (422, "region_code_format")
