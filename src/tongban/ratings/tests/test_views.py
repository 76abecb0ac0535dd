from typing import Any

import pytest
from django.test import Client

from tongban.ratings.models import Rating, Rectification
from tongban.ratings.services import RatingInput, rating_submit
from tongban.ratings.testing import RatingWorld

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_case_page_links_to_rating(rw: RatingWorld) -> None:
    c = client_for(rw.world.applicant)
    html = c.get(f"/my/cases/{rw.local_case.case_number}/").content.decode()
    assert f'href="/my/ratings/{rw.local_case.case_number}/"' in html


def test_applicant_rates_online_and_comment_is_escaped(rw: RatingWorld) -> None:
    c = client_for(rw.world.applicant)
    url = f"/my/ratings/{rw.local_case.case_number}/"
    page = c.get(url).content.decode()
    assert page.count('class="rate-form"') == 2  # 受理 and 办结, department only
    assert "平台操作性" in page and "服务态度" not in page
    r = c.post(
        url,
        {"stage": "closure", "target": "department", "score_overall": "2", "comment": XSS},
    )
    assert r.status_code == 302
    rating = Rating.objects.get()
    assert rating.comment == XSS and rating.level == 2
    page = c.get(url).content.decode()
    assert XSS not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # The staff page escapes it too.
    rect = Rectification.objects.get()
    staff = client_for(rw.world.approver).get(f"/workbench/ratings/tasks/{rect.pk}/")
    assert staff.status_code == 200
    assert XSS not in staff.content.decode() and "&lt;img src=x" in staff.content.decode()
    assert "生成回访整改任务" in staff.content.decode()  # the timeline speaks Chinese


def test_form_errors_are_coded(rw: RatingWorld) -> None:
    c = client_for(rw.world.applicant)
    url = f"/my/ratings/{rw.local_case.case_number}/"
    r = c.post(url, {"stage": "closure", "target": "department", "score_overall": "9"})
    assert r.status_code == 422 and 'data-code="rating_level_invalid"' in r.content.decode()
    c.post(url, {"stage": "closure", "target": "department", "score_overall": "5"})
    r = c.post(url, {"stage": "closure", "target": "department", "score_overall": "4"})
    assert r.status_code == 409 and 'data-code="rating_duplicate"' in r.content.decode()
    r = client_for(rw.stranger).get(url)
    assert r.status_code == 403 and "rating_not_own_case" in r.content.decode()
    assert Client().get(url).status_code == 302  # to the login page


def test_window_evaluator(rw: RatingWorld) -> None:
    num = rw.shared_case.case_number
    c = client_for(rw.world.pzh_clerk)
    pick = c.get("/workbench/ratings/evaluator/").content.decode()
    assert f"/workbench/ratings/evaluator/{num}/" in pick
    assert c.get(f"/workbench/ratings/evaluator/?case_number={num}").status_code == 302
    page = c.get(f"/workbench/ratings/evaluator/{num}/").content.decode()
    assert "服务态度" in page and "平台操作性" not in page
    assert 'name="stage" value="closure"' in page and 'name="target" value="window"' in page
    r = c.post(
        f"/workbench/ratings/evaluator/{num}/",
        {"stage": "closure", "target": "window", "score_overall": "5", "score_service_level": "4"},
    )
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.target, rating.entered_by) == (
        "window",
        "window",
        rw.world.pzh_clerk,
    )
    r = client_for(rw.world.clerk).get(f"/workbench/ratings/evaluator/{num}/")
    assert r.status_code == 403 and "rating_not_window_case" in r.content.decode()


def test_task_pages_to_closure(rw: RatingWorld) -> None:
    data = RatingInput(rw.local_case.case_number or "", "closure", "department", {"overall": 1})
    rating_submit(actor=rw.world.applicant, data=data, channel="online")
    rect = Rectification.objects.get()
    head = client_for(rw.world.approver)
    assert rw.local_case.case_number in head.get("/workbench/ratings/tasks/").content.decode()
    url = f"/workbench/ratings/tasks/{rect.pk}/"
    r = head.post(url, {"action": "follow_up", "note": "", "revision": "0"})
    assert r.status_code == 422 and 'data-code="rectification_note_required"' in r.content.decode()
    assert (
        head.post(url, {"action": "follow_up", "note": "已回访", "revision": "0"}).status_code
        == 302
    )
    head.post(
        url,
        {
            "action": "submit_rectification",
            "note": "培训",
            "outcome": "已培训窗口人员",
            "revision": "1",
        },
    )
    sup = client_for(rw.supervisor)
    assert 'data-action="approve_rectification"' in sup.get(url).content.decode()
    sup.post(url, {"action": "approve_rectification", "note": "", "revision": "2"})
    rect.refresh_from_db()
    assert rect.status == "closed"
    assert client_for(rw.stranger).get(url).status_code == 404


def test_public_page_has_no_personal_data(rw: RatingWorld) -> None:
    data = RatingInput(
        rw.local_case.case_number or "", "closure", "department", {"overall": 1}, "张三 13800000000"
    )
    rating_submit(actor=rw.world.applicant, data=data, channel="online")
    r = Client().get("/ratings/public/?month=2026-03")
    html = r.content.decode()
    assert r.status_code == 200 and rw.world.dept.name in html and "待回访" in html
    for secret in ("张三", "13800000000", rw.local_case.applicant_code, rw.local_case.case_number):
        assert secret not in html
    assert "本期暂无评价" in Client().get("/ratings/public/?month=2026-01").content.decode()
    assert Client().get("/ratings/public/?month=bad&region=x").status_code == 200
