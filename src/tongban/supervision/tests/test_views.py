import re
from datetime import date

import pytest
from django.test import Client

from tongban.cases.models import Case
from tongban.core.calendar_store import work_calendar
from tongban.supervision.models import Escalation
from tongban.supervision.services import escalation_close, escalation_issue
from tongban.supervision.stats import stats_refresh
from tongban.testing import make_user

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_dashboard_shows_cards_counts_and_filters(late) -> None:  # type: ignore[no-untyped-def]
    stats_refresh(today=date(2026, 3, 10), cal=work_calendar())
    sup = _client(late.supervisor)
    page = sup.get("/workbench/supervision/?period=custom&start=2026-03-01&end=2026-03-31")
    assert page.status_code == 200
    body = page.content.decode()
    assert late.case.case_number in body and "超期办件（红牌 1）" in body
    assert 'data-kpi="total">1<' in body  # one case submitted in the period
    # ECharts is served from this node, nothing from elsewhere (a bare "cdn" substring
    # check also matched random CSRF tokens now and then).
    assert 'data-echarts="/static/echarts/echarts.esm.min.js"' in body
    assert not re.search(r'(src|href|data-echarts)="(https?:)?//', body)
    # Filters: another department → nothing of ours.
    other = sup.get(
        f"/workbench/supervision/?period=custom&start=2026-03-01&end=2026-03-31&department={late.world.dept.pk}"
    )
    assert late.case.case_number in other.content.decode()
    bad = sup.get("/workbench/supervision/?period=custom&start=2026-04-01&end=2026-03-01")
    assert bad.status_code == 422 and "period_invalid" in bad.content.decode()
    assert sup.get("/workbench/supervision/?region=510400").status_code == 403  # not theirs
    assert sup.get("/workbench/supervision/?region=999999").status_code == 422
    # Another city's supervisor does not see the case.
    sy = _client(make_user("sy_sup", "supervisor", "210100"))
    assert late.case.case_number not in sy.get("/workbench/supervision/").content.decode()


def test_the_echarts_file_is_served_locally() -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("echarts/echarts.esm.min.js")
    assert path is not None
    with open(path, "rb") as f:
        assert b"Apache Software Foundation" in f.read(2000)


def test_card_page_escalate_reply_and_close_through_forms(late) -> None:  # type: ignore[no-untyped-def]
    sup = _client(late.supervisor)
    url = f"/workbench/supervision/cards/{late.card.pk}/"
    page = sup.get(url)
    assert page.status_code == 200 and "发起督办" in page.content.decode()
    r = sup.post(url + "escalate/", {"request": "", "reply_days": "3"})
    assert r.status_code == 422 and "escalation_request_required" in r.content.decode()
    r = sup.post(
        url + "escalate/", {"request": "请<script>alert(1)</script>说明", "reply_days": "3"}
    )
    assert r.status_code == 302
    esc = Escalation.objects.get(card=late.card)
    dept = _client(late.world.approver)
    body = dept.get(url).content.decode()
    assert "提交答复" in body and "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    r = dept.post(url + f"escalations/{esc.pk}/reply/", {"reply": "已办结"})
    assert r.status_code == 302
    r = sup.post(url + f"escalations/{esc.pk}/close/", {"outcome": "同意", "close_card": "1"})
    assert r.status_code == 302
    r = dept.post(url + f"escalations/{esc.pk}/reply/", {"reply": "再答复"})
    assert r.status_code == 409 and "escalation_closed" in r.content.decode()
    # The department sees its own cards list; a stranger gets 403; anonymous → login.
    assert (
        late.case.case_number
        in dept.get("/workbench/supervision/cards/?status=closed").content.decode()
    )
    assert dept.get("/workbench/supervision/").status_code == 403
    stranger = _client(make_user("nobody", "applicant", "140400"))
    assert stranger.get("/workbench/supervision/cards/").status_code == 403
    assert Client().get(url).status_code == 302


def test_card_of_another_region_is_not_found(late) -> None:  # type: ignore[no-untyped-def]
    sy = _client(make_user("sy_sup", "supervisor", "210100"))
    assert sy.get(f"/workbench/supervision/cards/{late.card.pk}/").status_code == 404
    assert Case.objects.filter(pk=late.case.pk).exists()


def test_escalation_closed_via_services_shows_outcome(late) -> None:  # type: ignore[no-untyped-def]
    esc = escalation_issue(
        actor=late.supervisor,
        card=late.card,
        request="督办",
        reply_days=2,
        today=date(2026, 3, 10),
        cal=work_calendar(),
    )
    escalation_close(actor=late.supervisor, escalation=esc, outcome="约谈部门负责人")
    body = (
        _client(late.supervisor)
        .get(f"/workbench/supervision/cards/{late.card.pk}/")
        .content.decode()
    )
    assert "约谈部门负责人" in body and 'data-status="closed"' in body


def test_workbench_nav_links_staff_to_their_cards_and_rating_tasks(late) -> None:  # type: ignore[no-untyped-def]
    """The red card of ``late`` is addressed to the deciding department: its reviewer
    finds 预警督办 and 好差评回访整改 in the workbench tabs, and the card behind the first."""
    staff = _client(late.world.reviewer)
    body = staff.get("/workbench/inbox/").content.decode()
    nav = body[body.index('<nav class="wb-tabs"') : body.index("</nav>", body.index("wb-tabs"))]
    assert 'href="/workbench/supervision/cards/">预警督办</a>' in nav
    assert 'href="/workbench/ratings/tasks/">好差评回访整改</a>' in nav
    cards = staff.get("/workbench/supervision/cards/")
    assert cards.status_code == 200 and late.case.case_number in cards.content.decode()
    assert staff.get("/workbench/ratings/tasks/").status_code == 200
    # A window clerk of another region has the tabs too (window cards), a supervisor
    # without a desk has neither the tabs nor the workbench.
    pzh = _client(late.world.pzh_clerk).get("/workbench/clerk/").content.decode()
    assert "预警督办" in pzh and "好差评回访整改" in pzh
    sup = _client(late.supervisor).get("/workbench/inbox/")
    assert "预警督办" not in sup.content.decode()


def test_warning_rule_settings_page(late) -> None:  # type: ignore[no-untyped-def]
    from tongban.supervision.models import WarningRule

    impl = late.world.impl
    sup = _client(late.supervisor)
    page = sup.get("/workbench/supervision/rules/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-impl="{impl.pk}"' in body and impl.task_code in body
    assert "默认：</span>≤ 1 个工作日或 ≤ 20%；环节计时开启" in body
    assert (
        'href="/workbench/supervision/rules/"'
        in sup.get("/workbench/supervision/").content.decode()
    )
    # Save a rule for the item: stored through the service, shown, used by the next scan.
    saved = sup.post(
        "/workbench/supervision/rules/",
        {"implementation": impl.pk, "yellow_days": "3", "yellow_percent": "40"},
    )
    assert saved.status_code == 302
    rule = WarningRule.objects.get(implementation=impl)
    assert (rule.yellow_days, rule.yellow_percent, rule.step_timers) == (3, 40, False)
    assert rule.updated_by == late.supervisor
    body = sup.get(saved["Location"]).content.decode()
    assert "≤ 3 个工作日或 ≤ 40%；环节计时关闭" in body and "已保存" in body
    # Out of range or not a number: the coded error, nothing changed.
    bad = sup.post(
        "/workbench/supervision/rules/",
        {"implementation": impl.pk, "yellow_days": "61", "yellow_percent": "40"},
    )
    assert bad.status_code == 422 and "warning_rule_invalid" in bad.content.decode()
    nan = sup.post(
        "/workbench/supervision/rules/",
        {"implementation": impl.pk, "yellow_days": "x", "yellow_percent": "40"},
    )
    assert nan.status_code == 422
    assert WarningRule.objects.get(implementation=impl).yellow_days == 3
    # Search by name.
    assert (
        impl.task_code
        not in sup.get("/workbench/supervision/rules/?q=不存在的事项").content.decode()
    )
    # Another city's supervisor neither sees nor changes this item; staff get no page.
    other = _client(make_user("pzh_sup", "supervisor", "510400"))
    assert impl.task_code not in other.get("/workbench/supervision/rules/").content.decode()
    denied = other.post(
        "/workbench/supervision/rules/",
        {"implementation": impl.pk, "yellow_days": "0", "yellow_percent": "0"},
    )
    assert denied.status_code == 404
    assert _client(late.world.reviewer).get("/workbench/supervision/rules/").status_code == 403
    assert WarningRule.objects.get(implementation=impl).yellow_days == 3
