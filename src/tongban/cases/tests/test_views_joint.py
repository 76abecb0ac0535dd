"""多地联办 screens: the window starts a joint application (items, applicant, each part's
checklist) and the parent case page shows each part (node, status, deadline), a refused
part highlighted, and the combined result. Two nodes in one database (loopback)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.cases.models import Case
from tongban.cases.services_remote_node import Loopback
from tongban.cases.testing import PDF_BYTES, person
from tongban.cases.tests import test_joint as tj
from tongban.cases.tests.test_joint import JointWorld, _decide

jw = tj.jw  # the service tests' fixtures
lb = tj.lb

pytestmark = pytest.mark.django_db
URL = "/workbench/clerk/joint/"


def _client(jw: JointWorld) -> Client:
    c = Client()
    c.force_login(jw.clerk)
    return c


def _post(c: Client, jw: JointWorld, items: list[str], **extra: object) -> object:
    a = person("王五", 9)
    data: dict[str, object] = {
        "window": jw.window.pk,
        "items": items,
        "idempotency_key": "joint-ui-1",
        "applicant_kind": "person",
        "applicant_name": a.name,
        "applicant_code": a.code,
        "applicant_phone": "13900000001",
        "agent_role": "",
        "channel": "window",
        "identity_verified": "1",
        "identity_method": "card_reader",
        "delivery": "pickup",
        **extra,
    }
    for impl in (jw.cz, jw.pzh):
        v = impl.current_version
        assert v is not None
        for m in v.materials.all():
            data[f"received_{m.pk}"] = "1"
            data[f"scan_{m.pk}"] = SimpleUploadedFile("表.pdf", PDF_BYTES, "application/pdf")
    return c.post(URL, data)


def test_the_window_starts_a_joint_application(lb: Loopback, jw: JointWorld) -> None:
    c = _client(jw)
    page = c.get(URL, {"window": jw.window.pk}).content.decode()
    assert "选择联办事项" in page and page.count('name="items"') == 2
    form = c.get(URL, {"window": jw.window.pk, "items": [jw.cz.task_code, jw.pzh.task_code]})
    text = form.content.decode()
    assert text.count('class="joint-part"') == 2 and "异地办理" in text
    resp = _post(c, jw, [jw.cz.task_code, jw.pzh.task_code])
    assert resp.status_code == 302  # type: ignore[attr-defined]
    parent = Case.objects.get(mode="joint", parent=None)
    assert resp["Location"].endswith(f"/workbench/cases/{parent.case_number}/")  # type: ignore[index]
    assert parent.parts.count() == 2
    assert [m.type for m in lb.queue] == ["cn.tongban.case.transferred"]


def test_one_item_is_not_a_joint_application(jw: JointWorld) -> None:
    c = _client(jw)
    resp = c.get(URL, {"window": jw.window.pk, "items": [jw.cz.task_code]})
    assert resp.status_code == 422
    assert "多地联办至少包含两个不同的事项部分" in resp.content.decode()
    resp = _post(c, jw, [jw.cz.task_code, "999999999999999999999999999999x"])
    assert resp.status_code == 422  # type: ignore[attr-defined]
    assert not Case.objects.filter(mode="joint", parent=None).exists()


def test_missing_identity_check_is_refused_with_the_input_kept(jw: JointWorld) -> None:
    resp = _post(_client(jw), jw, [jw.cz.task_code, jw.pzh.task_code], identity_verified="")
    assert resp.status_code == 422  # type: ignore[attr-defined]
    assert "王五" in resp.content.decode()  # type: ignore[attr-defined]
    assert not Case.objects.filter(mode="joint", parent=None).exists()


def test_the_parent_page_shows_each_part_and_a_refused_one(lb: Loopback, jw: JointWorld) -> None:
    c = _client(jw)
    _post(c, jw, [jw.cz.task_code, jw.pzh.task_code])
    parent = Case.objects.get(mode="joint", parent=None)
    remote, local = parent.parts.order_by("pk")
    lb.pump()
    page = c.get(f"/workbench/cases/{parent.case_number}/").content.decode()
    assert "多地联办：各地办理部分" in page and "合并结果：<strong>办理中</strong>" in page
    rows = re.findall(r'<tr class="([^"]*)" data-part="([^"]+)"', page)
    assert [n for _, n in rows] == [remote.case_number, local.case_number]
    assert "cz" in page and "本节点" in page and not [r for r in rows if r[0]]
    decider = Case.objects.get(handled_for_node="pzh")
    assert decider.case_number in page  # the deciding node's own number for the part
    with lb.as_node("cz"):
        _decide(decider, jw.cz_approver, "denied", "户籍信息不符")
    lb.pump()
    page = c.get(f"/workbench/cases/{parent.case_number}/").content.decode()
    rows = re.findall(r'<tr class="([^"]*)" data-part="([^"]+)"', page)
    assert rows[0] == ("part-failed", remote.case_number) and rows[1][0] == ""
    assert "1 个部分未通过" in page and "户籍信息不符" in page
    _decide(local, jw.pzh_approver, "approved")
    page = c.get(f"/workbench/cases/{parent.case_number}/").content.decode()
    assert 'data-combined="denied"' in page and "不予许可" in page
