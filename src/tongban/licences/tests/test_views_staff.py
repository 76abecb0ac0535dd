"""证照管理 pages for the issuing department's staff."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.accounts.models import Role
from tongban.accounts.services import department_create
from tongban.core.ids import make_id_number, make_uscc
from tongban.licences.models import Licence, LicenceEvent
from tongban.licences.testing import ISSUER_CODE, issue, make_type
from tongban.testing import make_user

pytestmark = pytest.mark.django_db
LIST = "/workbench/licences/"


@pytest.fixture
def staff() -> Client:
    make_type()
    dept = department_create(
        name="长治市人力资源和社会保障局", uscc=ISSUER_CODE, region_code="140400", level="city"
    )
    c = Client()
    c.force_login(make_user("cz-hr", Role.APPROVER, "140400", dept))
    return c


def _client(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def test_staff_find_their_departments_licences(staff: Client) -> None:
    a = issue(holder_name="张三")
    b = issue(make_id_number("14040219900101002"), holder_name="李四")
    page = staff.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "证照管理" in html and a.identifier in html and b.identifier in html
    html = staff.get(LIST, {"q": "李四"}).content.decode()
    assert b.identifier in html and a.identifier not in html
    html = staff.get(LIST, {"q": a.holder_code.lower()}).content.decode()
    assert a.identifier in html and b.identifier not in html
    html = staff.get(LIST, {"status": "suspended"}).content.decode()
    assert "没有符合条件的电子证照" in html


def test_others_see_nothing(staff: Client) -> None:
    lic = issue()
    assert Client().get(LIST).status_code == 302  # to the login page
    other = department_create(
        name="攀枝花市民政局",
        uscc=make_uscc("11510400000000009"),
        region_code="510400",
        level="city",
    )
    outsider = _client(make_user("pzh-mz", Role.APPROVER, "510400", other))
    assert outsider.get(LIST).status_code == 200  # their own (empty) list …
    assert lic.identifier not in outsider.get(LIST).content.decode()
    assert outsider.get(f"{LIST}{lic.identifier}/").status_code == 404  # … not ours
    applicant = _client(make_user("someone", Role.APPLICANT, "140400"))
    assert applicant.get(LIST).status_code == 403
    assert staff.get(f"{LIST}1.2.156.3005.2.bad/").status_code == 404


def test_operations_through_the_page(staff: Client) -> None:
    lic = issue()
    url = f"{LIST}{lic.identifier}/"
    html = staff.get(url).content.decode()
    for label in ("暂扣", "撤销", "注销", "吊销", "转出"):
        assert f"> {label}<" in html
    assert "暂扣发还" not in html  # only from 暂扣
    r = staff.post(url, {"operation": "revoke", "reason": " "})
    assert r.status_code == 422 and 'data-code="reason_required"' in r.content.decode()
    r = staff.post(url, {"operation": "restore", "reason": "x"})
    assert r.status_code == 422 and "licence_illegal_operation" in r.content.decode()
    r = staff.post(url, {"operation": "suspend", "reason": "涉嫌违规使用"})
    assert r.status_code == 302 and r["Location"] == url
    assert Licence.objects.get(pk=lic.pk).status == "suspended"
    html = staff.get(url).content.decode()
    assert 'data-status="suspended"' in html and "暂扣发还" in html and "涉嫌违规使用" in html
    r = staff.post(url, {"operation": "penalty_revoke", "reason": "长人社罚〔2026〕1号"})
    assert Licence.objects.get(pk=lic.pk).status == "penalty_revoked"
    assert "不允许再操作" in staff.get(url).content.decode()
    last = LicenceEvent.objects.filter(licence=lic).order_by("-id").first()
    assert last is not None and (last.operation, last.actor_name) == ("penalty_revoke", "cz-hr")
