"""Withdrawing a whole 多地联办 application: the parent and every part that can still be
withdrawn (a remote part through the outbox message to its deciding node), decided parts
reported, illegal moves coded. Service, API and the parent's page; two nodes in one
database (loopback): 攀枝花 (pzh) takes in, 长治 (cz) decides one part."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tongban.cases.access import case_roles
from tongban.cases.joint_withdraw import joint_withdraw
from tongban.cases.models import Case
from tongban.cases.services import case_transition
from tongban.cases.services_remote import EVENT
from tongban.cases.services_remote_node import Loopback
from tongban.cases.testing import person
from tongban.cases.tests import test_joint as tj
from tongban.cases.tests.test_joint import JointWorld, _apply, _decide
from tongban.core.errors import TongbanError

jw = tj.jw
lb = tj.lb

pytestmark = pytest.mark.django_db
U = "/api/v1/cases"


def _parts(parent: Case) -> tuple[Case, Case, Case]:
    """(the intake record of the remote part, the local part, 长治's own record of it)."""
    remote, local = parent.parts.order_by("pk")
    return remote, local, Case.objects.get(handled_for_node="pzh")


def _code(fn: Any) -> str:
    with pytest.raises(TongbanError) as err:
        fn()
    return err.value.code


def test_every_open_part_on_every_node_is_withdrawn(lb: Loopback, jw: JointWorld) -> None:
    parent = _apply(jw)
    lb.pump()
    remote, local, decider = _parts(parent)
    with lb.as_node("cz"):
        decider = case_transition(actor=jw.cz_approver, case=decider, to="pre_review")
    lb.pump()
    # The window needs the applicant's reason.
    assert _code(lambda: joint_withdraw(actor=jw.clerk, parent=parent)) == "reason_required"
    result = joint_withdraw(actor=jw.clerk, parent=parent, reason="申请人已在迁入地另行办理")
    assert result.parent.status == "withdrawn" and not result.kept
    assert [p.case.pk for p in result.parts] == [remote.pk, local.pk]
    for c in (remote, local):
        c.refresh_from_db()
        assert c.status == "withdrawn"
    # The remote part's withdrawal waits in the outbox for 长治, then applies there.
    assert [m.type for m in lb.queue] == [EVENT]
    assert lb.queue[0].recipient == "cz"
    lb.pump()
    decider.refresh_from_db()
    assert decider.status == "withdrawn"
    assert "整体撤回" in decider.events.order_by("-seq")[0].opinion
    # The parent states the outcome and stays withdrawn (no combined decision follows).
    parent.refresh_from_db()
    e = parent.events.get(to_status="withdrawn")
    assert e.data["joint_withdrawal"] and e.data["withdrawn"] == [
        remote.case_number,
        local.case_number,
    ]
    assert "已撤回 2 个部分" in e.opinion and "异地部分已通知办理地节点" in e.opinion
    assert parent.status == "withdrawn"
    # Not reported again as failed parts: the withdrawal entry lists them.
    assert parent.events.filter(action="part_failed").count() == 0


def test_a_decided_part_is_reported_not_withdrawn(lb: Loopback, jw: JointWorld) -> None:
    parent = _apply(jw)
    lb.pump()
    remote, local, _decider = _parts(parent)
    _decide(local, jw.pzh_approver, "approved")
    result = joint_withdraw(actor=jw.clerk, parent=parent, reason="不再需要")
    assert [(k.case.pk, k.status) for k in result.kept] == [(local.pk, "result_issued")]
    local.refresh_from_db()
    remote.refresh_from_db()
    assert local.status == "result_issued" and remote.status == "withdrawn"
    e = result.parent.events.get(to_status="withdrawn")
    assert "未撤回" in e.opinion and local.case_number in e.opinion
    assert e.data["kept"] == [{"part": local.case_number, "status": "result_issued"}]


def test_illegal_withdrawals_are_refused_with_codes(lb: Loopback, jw: JointWorld) -> None:
    parent = _apply(jw)
    lb.pump()
    _remote, local, decider = _parts(parent)
    # Neither the parent alone nor a part's page can withdraw the application by the
    # plain move: it goes whole.
    code = _code(lambda: case_transition(actor=jw.clerk, case=parent, to="withdrawn", opinion="x"))
    assert code == "joint_withdraw_whole"
    # A part is not an application.
    assert (
        _code(lambda: joint_withdraw(actor=jw.clerk, parent=local, reason="x"))
        == "not_joint_application"
    )
    # A department that sees the application (here the coordinating one) cannot withdraw
    # it; one that does not see it gets not_found.
    assert (
        _code(lambda: joint_withdraw(actor=jw.cz_approver, parent=parent, reason="x"))
        == "permission_denied"
    )
    assert (
        _code(lambda: joint_withdraw(actor=jw.pzh_approver, parent=parent, reason="x"))
        == "not_found"
    )
    # Once decided, the application can no longer be withdrawn.
    _decide(local, jw.pzh_approver, "approved")
    with lb.as_node("cz"):
        _decide(decider, jw.cz_approver, "approved")
    lb.pump()
    parent.refresh_from_db()
    assert parent.status == "result_issued"
    assert (
        _code(lambda: joint_withdraw(actor=jw.clerk, parent=parent, reason="x"))
        == "illegal_transition"
    )
    # Nothing was half done: the stale revision is refused too.
    assert _code(
        lambda: joint_withdraw(actor=jw.clerk, parent=parent, reason="x", expected_revision=1)
    ) in {"conflict", "illegal_transition"}


def _citizen(id_number: str, username: str = "wangwu") -> Any:
    from tongban.accounts.services import user_create

    return user_create(
        username=username, password="pass-1234", display_name="王五", id_number=id_number
    )


def test_the_applicant_withdraws_their_own_application(lb: Loopback, jw: JointWorld) -> None:
    """A window-taken application belongs to the applicant's real-name account (same
    公民身份号码): it is in 我的办件 once, with its parts, and the applicant withdraws it
    whole — no reason needed — the remote part through the outbox to 长治."""
    parent = _apply(jw)
    lb.pump()
    remote, local, decider = _parts(parent)
    me = _citizen(parent.applicant_code)
    c = Client()
    c.force_login(me)
    listing = c.get("/my/cases/").content.decode()
    assert parent.case_number in listing
    assert remote.case_number not in listing and local.case_number not in listing
    page = c.get(f"/my/cases/{parent.case_number}/").content.decode()
    assert 'id="joint-parts"' in page and "/workbench/" not in page.split('id="joint-parts"')[1]
    assert f'data-part="{remote.case_number}"' in page and "撤回申请" in page
    confirm = c.get(f"/my/cases/{parent.case_number}/withdraw/").content.decode()
    assert "多地联办申请" in confirm
    r = c.post(
        f"/my/cases/{parent.case_number}/withdraw/", {"revision": parent.revision, "reason": ""}
    )
    assert r.status_code == 302
    assert "申请已撤回" in c.get(r["Location"]).content.decode()
    for x in (parent, remote, local):
        x.refresh_from_db()
        assert x.status == "withdrawn"
    e = parent.events.get(to_status="withdrawn")
    assert e.actor_id == me.pk and e.actor_role == "applicant" and "申请人撤回" in e.opinion
    lb.pump()
    decider.refresh_from_db()
    assert decider.status == "withdrawn"


def test_only_the_same_real_name_sees_a_window_application(lb: Loopback, jw: JointWorld) -> None:
    parent = _apply(jw)
    lb.pump()
    _remote, local, decider = _parts(parent)
    other = _citizen(person("赵六", 8).code, "zhaoliu")
    c = Client()
    c.force_login(other)
    assert parent.case_number not in c.get("/my/cases/").content.decode()
    assert c.get(f"/my/cases/{parent.case_number}/").status_code == 404
    r = c.post(f"/my/cases/{parent.case_number}/withdraw/", {"revision": parent.revision})
    assert r.status_code == 404
    parent.refresh_from_db()
    assert parent.status != "withdrawn"
    # The deciding node's own record is not the applicant's to act on (it answers to
    # the intake node), and a withdrawn part is reported on a later whole withdrawal.
    me = _citizen(parent.applicant_code)
    assert case_roles(me, decider) == set() and case_roles(me, local) == {"applicant"}
    _decide(local, jw.pzh_approver, "approved")
    c.force_login(me)
    r = c.post(f"/my/cases/{parent.case_number}/withdraw/", {"revision": parent.revision})
    assert "未撤回" in c.get(r["Location"]).content.decode()


def _json(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, data=json.dumps(body), content_type="application/json")


def test_api_withdraws_the_whole_application(lb: Loopback, jw: JointWorld) -> None:
    parent = _apply(jw)
    lb.pump()
    c = Client()
    c.force_login(jw.clerk)
    url = f"{U}/{parent.case_number}/joint-withdrawal"
    r = _json(c, url, {"reason": ""})
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    r = _json(c, url, {"reason": "申请人撤回", "expected_revision": parent.revision - 1})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = _json(c, f"{U}/{parent.case_number}/transitions", {"to": "withdrawn", "opinion": "x"})
    assert r.status_code == 422 and r.json()["code"] == "joint_withdraw_whole"
    r = _json(c, url, {"reason": "申请人撤回", "expected_revision": parent.revision})
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["joint"]["application"]["status"] == "withdrawn"
    assert out["joint"]["decision"] == "withdrawn"
    assert len(out["withdrawn"]) == 2 and out["kept"] == []
    assert {p["status"] for p in out["joint"]["parts"]} == {"withdrawn"}
    r = _json(c, url, {"reason": "again"})
    assert r.status_code == 422 and r.json()["code"] == "illegal_transition"
    assert Client().post(url).status_code == 401


def test_the_parent_page_withdraws_the_whole_application(lb: Loopback, jw: JointWorld) -> None:
    parent = _apply(jw)
    lb.pump()
    c = Client()
    c.force_login(jw.clerk)
    page = c.get(f"/workbench/cases/{parent.case_number}/").content.decode()
    assert 'id="joint-withdraw"' in page and 'value="withdrawn"' not in page
    url = f"/workbench/cases/{parent.case_number}/joint-withdraw/"
    r = c.post(url, {"revision": parent.revision, "reason": ""})
    assert r.status_code == 422 and "撤回理由" in r.content.decode()
    r = c.post(url, {"revision": parent.revision, "reason": "申请人撤回"})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "已整体撤回联办申请：撤回 2 个部分" in page
    parent.refresh_from_db()
    assert parent.status == "withdrawn" and 'id="joint-withdraw"' not in page
