"""E-licences in a browser: the wallet and 亮证 on a phone, public verification on a
desktop (identifier, uploaded PDF, revoked), and 两个免提交 in the online form."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import login
from tongban.cases.models import Case
from tongban.cases.testing import PDF_BYTES
from tongban.core.actors import SYSTEM
from tongban.licences.issuing import licence_render_pdf
from tongban.licences.models import LicenceUse
from tongban.licences.services import licence_operate
from tongban.licences.testing import LicenceWorld, build_licence_world

pytestmark = pytest.mark.django_db(transaction=True)
PHONE_WIDTH = 390


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tongban.cases.views_applicant._today", lambda: date(2026, 3, 2))


@pytest.fixture
def w() -> LicenceWorld:
    world = build_licence_world()
    licence_render_pdf(licence_id=world.id_card.pk)
    return world


def _fits_phone(p: Any) -> None:
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_wallet_and_present_on_a_phone(
    phone: Any, live_server: Any, shot: Any, w: LicenceWorld
) -> None:
    base = live_server.url
    login(phone, base, "zhangsan")
    phone.goto(f"{base}/my/licences/")
    card = phone.locator(".lic-card", has_text="居民身份证")
    assert card.is_visible() and "有效" in card.inner_text()
    _fits_phone(phone)
    shot(phone, "licences-wallet-phone")
    card.get_by_role("link", name="居民身份证").click()
    phone.wait_for_url(f"**/my/licences/{w.id_card.identifier}/")
    assert "山西省长治市潞州区英雄南路1号" in phone.content()
    phone.get_by_role("button", name="亮证").click()
    phone.wait_for_selector("#present-qr")
    assert phone.locator("#countdown").inner_text().startswith("剩余 4 分") or (
        "剩余 5 分" in phone.locator("#countdown").inner_text()
    )
    _fits_phone(phone)
    shot(phone, "licences-present-phone")
    # The verifier scans the code: here, the same link.
    phone.locator("#present-link").click()
    phone.wait_for_selector(".lic-result")
    assert phone.locator(".lic-result").get_attribute("data-outcome") == "valid"
    assert "张三" in phone.locator(".lic-result").inner_text()
    _fits_phone(phone)
    shot(phone, "licences-present-scan-phone")


def test_verification_page_on_a_desktop(
    page: Any, live_server: Any, shot: Any, w: LicenceWorld, tmp_path: Path
) -> None:
    base = live_server.url
    page.goto(f"{base}/licences/verify/")
    page.fill("input[name=id]", w.id_card.identifier)
    page.get_by_role("button", name="核验", exact=True).click()
    page.wait_for_selector(".lic-result")
    assert page.locator(".lic-result").get_attribute("data-outcome") == "valid"
    shot(page, "licences-verify-desktop")
    # A typo in the identifier is caught by the check character.
    wrong = w.id_card.identifier[:-1] + ("0" if w.id_card.identifier[-1] != "0" else "1")
    page.fill("input[name=id]", wrong)
    page.get_by_role("button", name="核验", exact=True).click()
    assert page.locator("[data-code=licence_id_checksum]").is_visible()
    # Upload the certificate PDF.
    w.id_card.refresh_from_db()
    pdf = tmp_path / "身份证.pdf"
    with w.id_card.pdf.open("rb") as fh:
        pdf.write_bytes(fh.read())
    page.set_input_files("input[name=file]", str(pdf))
    page.get_by_role("button", name="上传并核验").click()
    page.wait_for_selector(".lic-result")
    assert page.locator(".lic-result").get_attribute("data-outcome") == "valid"
    # Revoked: the same PDF fails, with the reason.
    licence_operate(actor=SYSTEM, licence=w.id_card, operation="revoke", reason="申请材料虚假")
    page.set_input_files("input[name=file]", str(pdf))
    page.get_by_role("button", name="上传并核验").click()
    page.wait_for_selector(".lic-result.bad")
    text = page.locator(".lic-result").inner_text()
    assert "已撤销" in text and "申请材料虚假" in text
    shot(page, "licences-verify-revoked-desktop")


@pytest.mark.parametrize("device", ["page", "phone"])
def test_exempted_material_in_the_online_form(
    device: str, request: Any, live_server: Any, shot: Any, w: LicenceWorld, tmp_path: Path
) -> None:
    p = request.getfixturevalue(device)
    base = live_server.url
    login(p, base, "zhangsan")
    p.goto(f"{base}/apply/{w.impl.task_code}/")
    offer = p.locator(".licence-offer.found")
    assert "居民身份证" in offer.inner_text()
    if device == "phone":
        _fits_phone(p)
    shot(p, f"licences-offer-{device}")
    offer.get_by_label("同意调用该电子证照，免于提交此材料").check()
    form = tmp_path / "申请表.pdf"
    form.write_bytes(PDF_BYTES)
    p.locator(".material-field", has_text="申请表").locator("input[type=file]").set_input_files(
        str(form)
    )
    p.get_by_role("button", name="提交申请").click()
    p.wait_for_url("**/my/cases/**")
    case = Case.objects.get(applicant_user=w.applicant)
    assert case.status == "submitted" and case.exempted_materials == 2
    m = case.materials.get(name="居民身份证")
    assert (m.status, m.reference) == ("exempted", w.id_card.identifier)
    assert LicenceUse.objects.filter(case=case).count() == 1
    # The holder's use log shows it.
    p.goto(f"{base}/my/licences/")
    assert "长治市人力资源和社会保障局" in p.locator("table.uses").inner_text()
    shot(p, f"licences-use-log-{device}")


def _dept_licence(w: LicenceWorld) -> Any:
    from tongban.licences.services import licence_issue
    from tongban.licences.testing import SOCIAL_CARD, licence_input

    return licence_issue(
        actor=SYSTEM,
        data=licence_input(
            type_code=SOCIAL_CARD,
            issuer_code=w.dept.uscc,
            issuer_name=w.dept.name,
            issue_date=date(2026, 3, 2),
            holder_name="张三",
        ),
        render_pdf=False,
    )


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_department_manages_its_licences(
    request: Any, live_server: Any, shot: Any, w: LicenceWorld, width: str
) -> None:
    p = request.getfixturevalue("page" if width == "desktop" else "phone")
    lic = _dept_licence(w)
    base = live_server.url
    login(p, base, w.approver.username)
    p.goto(f"{base}/workbench/")
    p.get_by_role("link", name="证照管理").click()
    p.wait_for_url("**/workbench/licences/")
    p.fill("input[name=q]", "张三")
    p.get_by_role("button", name="查询").click()
    row = p.locator(f"tr[data-licence='{lic.identifier}']")
    assert "有效" in row.inner_text()
    if width == "phone":
        _fits_phone(p)
    shot(p, f"licences-staff-list-{width}")
    row.get_by_role("link", name="社会保障卡").click()
    p.wait_for_url(f"**/workbench/licences/{lic.identifier}/")
    p.locator("input[name=operation][value=suspend]").check()
    p.get_by_role("button", name="确认操作").click()  # no reason: refused, nothing lost
    assert p.locator("p.error").get_attribute("data-code") == "reason_required"
    p.locator("input[name=operation][value=suspend]").check()
    p.fill("textarea[name=reason]", "持卡人挂失核查")
    p.get_by_role("button", name="确认操作").click()
    p.wait_for_selector("[data-status=suspended]")
    assert "持卡人挂失核查" in p.locator(".timeline").last.inner_text()
    if width == "phone":
        _fits_phone(p)
    shot(p, f"licences-staff-licence-{width}")
    # The public verification page agrees at once.
    p.goto(f"{base}/licences/verify/?id={lic.identifier}")
    p.wait_for_selector(".lic-result")
    assert p.locator(".lic-result").get_attribute("data-outcome") == "suspended"
