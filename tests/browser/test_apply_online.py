"""A citizen applies online for a 长治 item on a phone, follows the case, supplements
after a 一次性告知, and reads the timeline; the my-cases list on a desktop."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import login
from tongban.cases.models import Case
from tongban.cases.services import case_create_draft, case_transition
from tongban.cases.services_materials import Defect, case_request_supplement, material_upload
from tongban.cases.testing import PDF_BYTES, World, build_world, online
from tongban.core.jobs.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = date(2026, 3, 2)  # Monday
PHONE_WIDTH = 390


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tongban.cases.views_applicant._today", lambda: TODAY)


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "申请表.pdf"
    path.write_bytes(PDF_BYTES)
    return path


def _fits_phone(p: Any) -> None:
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def _material_input(p: Any, name: str) -> Any:
    return p.locator(".material-field", has_text=name).locator("input[type=file]")


def test_apply_online_and_supplement_on_a_phone(
    phone: Any, live_server: Any, shot: Any, world: World, pdf: Path
) -> None:
    base = live_server.url
    # Find the 长治 item and open its guide.
    phone.goto(f"{base}/items/?q=社会保障卡")
    phone.locator(".hits").get_by_role("link", name="社会保障卡申领").first.click()
    phone.wait_for_url(f"**/items/{world.impl.task_code}/")
    # Apply online: not logged in yet, so log in and come straight back to the form.
    phone.get_by_role("link", name="在线申请").click()
    phone.wait_for_url(re.compile(r"/login/\?next=/apply/"))
    phone.fill("input[name=username]", "zhangsan")
    phone.fill("input[name=password]", "pass-1234")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/apply/{world.impl.task_code}/")
    assert phone.locator("h1").inner_text() == "社会保障卡申领"
    assert phone.locator("input[name=id_number]").input_value() == world.applicant.id_number
    assert phone.get_by_text("免提交，将通过数据共享核验").is_visible()
    assert phone.get_by_text("受理标准：白底彩色").is_visible()
    _fits_phone(phone)
    shot(phone, "apply-form-phone")

    # One material only: the coded message, and the uploaded file stays on the draft.
    phone.fill("input[name=phone]", "13900001111")
    _material_input(phone, "申请表").set_input_files(str(pdf))
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_load_state("networkidle")
    # Said at the top, above the materials, and at the material itself.
    assert "近期免冠照片" in phone.locator("[data-code=materials_missing]").first.inner_text()
    flagged = phone.locator(".material-field.has-error")
    assert flagged.count() == 1 and "近期免冠照片" in flagged.inner_text()
    assert phone.get_by_text("已上传：申请表.pdf").is_visible()
    assert phone.locator("input[name=phone]").input_value() == "13900001111"
    _fits_phone(phone)
    shot(phone, "apply-missing-phone")

    _material_input(phone, "近期免冠照片").set_input_files(str(pdf))
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url("**/my/cases/*/")
    case = Case.objects.get(applicant_user=world.applicant)
    assert case.status == "submitted"
    assert phone.locator(".case-number").inner_text() == case.case_number
    assert phone.get_by_text("受理期限").is_visible()
    assert phone.locator(".case-head .deadline").inner_text() == "剩余 5 个工作日"
    _fits_phone(phone)
    shot(phone, "case-submitted-phone")

    # 长治's department accepts and its reviewer asks for a supplement (一次性告知).
    case = case_transition(actor=world.clerk, case=case, to="pre_review", today=TODAY)
    case = case_transition(actor=world.clerk, case=case, to="accepted", today=TODAY)
    case = case_transition(actor=world.reviewer, case=case, to="under_review", today=TODAY)
    photo = case.materials.get(name="近期免冠照片")
    case_request_supplement(
        actor=world.reviewer,
        case=case,
        defects=[Defect(photo.pk, "照片背景应为白色，请重新上传")],
        opinion="材料需补正",
        today=TODAY,
    )
    phone.reload()
    notice = phone.locator("#supplement")
    assert notice.get_by_role("heading").inner_text() == "一次性告知：请补正以下材料"
    assert "照片背景应为白色，请重新上传" in notice.inner_text()
    assert phone.get_by_text("补正期间暂停计时").is_visible()
    assert phone.locator(".case-head .deadline").inner_text() == "已暂停计时"
    _fits_phone(phone)
    shot(phone, "case-supplement-phone")

    notice.locator("input[type=file]").set_input_files(str(pdf))
    notice.get_by_role("button", name="提交补正").click()
    phone.wait_for_load_state("networkidle")
    assert phone.get_by_text("补正材料已提交，办件恢复计时").is_visible()
    assert phone.locator("#supplement").count() == 0
    timeline = phone.locator("ol.timeline")
    for label in ("提交申请", "受理", "开始审查", "一次性告知补正", "提交补正材料"):
        assert timeline.get_by_text(label, exact=True).count() >= 1
    assert "照片背景应为白色" in timeline.inner_text()
    case.refresh_from_db()
    assert case.status == "under_review"
    _fits_phone(phone)
    shot(phone, "case-timeline-phone")

    # The messages the fake notifier sent are on the applicant's messages page.
    run_worker(once=True, worker_id="browser", poll_seconds=0.01, periodic=[])
    phone.goto(f"{base}/my/messages/")
    assert phone.get_by_text("办件进度：一次性告知补正").is_visible()
    _fits_phone(phone)
    shot(phone, "my-messages-phone")


def _case(world: World, key: str, *, accept: bool = False) -> Case:
    case = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online(key))
    for m in case.materials.filter(status="missing"):
        material_upload(
            actor=world.applicant,
            case=case,
            material_id=m.pk,
            file_name="a.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    case = case_transition(actor=world.applicant, case=case, to="submitted", today=TODAY)
    if accept:
        case = case_transition(actor=world.clerk, case=case, to="pre_review", today=TODAY)
        case = case_transition(actor=world.clerk, case=case, to="accepted", today=TODAY)
    return case


def test_my_cases_on_a_desktop(page: Any, live_server: Any, shot: Any, world: World) -> None:
    submitted = _case(world, "a")
    accepted = _case(world, "b", accept=True)
    paused = _case(world, "c", accept=True)
    case_request_supplement(
        actor=world.clerk,
        case=paused,
        defects=[Defect(paused.materials.get(name="申请表").pk, "缺少签字")],
        opinion="请补正",
        today=TODAY,
    )
    unknown = _case(world, "d", accept=True)
    Case.objects.filter(pk=unknown.pk).update(deadline_unknown=True)
    case_create_draft(actor=world.applicant, implementation=world.impl, intake=online("e"))

    login(page, live_server.url, "zhangsan")
    page.get_by_role("link", name="我的办件").click()
    page.wait_for_url("**/my/cases/")
    rows = page.locator("table.my-cases tbody tr")
    assert rows.count() == 5
    assert page.get_by_role("columnheader", name="剩余").is_visible()
    text = page.locator("table.my-cases").inner_text()
    for case in (submitted, accepted, paused):
        assert case.case_number in text
    assert "已暂停计时" in text and "期限无法计算：工作日历未覆盖" in text
    assert "剩余 5 个工作日" in text and "草稿" in text
    shot(page, "my-cases-desktop")
    page.get_by_role("link", name="社会保障卡申领").nth(2).click()
    page.wait_for_url("**/my/cases/*/")
    assert page.locator("ol.progress li.current").inner_text().strip() == "审查"
    shot(page, "case-desktop")
