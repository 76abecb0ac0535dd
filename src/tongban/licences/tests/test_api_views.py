"""API and pages: public verification, the wallet, 亮证, operations, the online form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tongban.accounts.models import Role
from tongban.cases.models import Case, MaterialStatus
from tongban.cases.testing import PDF_BYTES
from tongban.licences.issuing import licence_render_pdf
from tongban.licences.models import LicenceUse
from tongban.licences.present import token_make
from tongban.licences.testing import LicenceWorld, build_licence_world
from tongban.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> LicenceWorld:
    return build_licence_world()


def _login(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def test_public_verify_api(w: LicenceWorld) -> None:
    c = Client()
    r = c.get("/api/v1/licences/verify", {"id": w.id_card.identifier})
    assert r.status_code == 200 and r.json()["outcome"] == "valid"
    assert r.json()["holder_name"] == "张三"
    bad = w.id_card.identifier[:-1] + ("0" if w.id_card.identifier[-1] != "0" else "1")
    r = c.get("/api/v1/licences/verify", {"id": bad})
    assert r.status_code == 422 and r.json()["code"] == "licence_id_checksum"


def test_public_verify_pdf_api_and_page(w: LicenceWorld) -> None:
    lic = licence_render_pdf(licence_id=w.id_card.pk)
    with lic.pdf.open("rb") as fh:
        pdf = fh.read()
    c = Client()
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(
        "/api/v1/licences/verify/pdf",
        {"file": SimpleUploadedFile("l.pdf", pdf, content_type="application/pdf")},
    )
    assert r.status_code == 200 and r.json()["outcome"] == "valid"
    r = c.post(
        "/api/v1/licences/verify/pdf",
        {"file": SimpleUploadedFile("l.pdf", PDF_BYTES, content_type="application/pdf")},
    )
    assert r.status_code == 422 and r.json()["code"] == "licence_pdf_no_signature"
    page = c.post(
        "/licences/verify/",
        {"file": SimpleUploadedFile("l.pdf", pdf, content_type="application/pdf")},
    )
    assert page.status_code == 200 and 'data-outcome="valid"' in page.content.decode()
    page = c.get("/licences/verify/", {"id": w.id_card.identifier})
    assert "有效" in page.content.decode()
    page = c.post("/licences/verify/", {"id": "1.2.3"})
    assert page.status_code == 422 and 'data-code="licence_id_format"' in page.content.decode()


def test_present_token_api_and_scan(w: LicenceWorld) -> None:
    c = _login(w.applicant)
    r = c.post(f"/api/v1/licences/mine/{w.id_card.identifier}/present")
    assert r.status_code == 200
    token = r.json()["token"]
    scan = Client().get(f"/api/v1/licences/present/{token}")
    assert scan.status_code == 200 and scan.json()["outcome"] == "valid"
    old, _ = token_make(w.id_card.identifier, now=timezone.now() - timedelta(minutes=6))
    scan = Client().get(f"/api/v1/licences/present/{old}")
    assert scan.status_code == 422 and scan.json()["code"] == "present_token_expired"
    page = Client().get(f"/licences/p/{old}/")
    assert page.status_code == 410 and "present_token_expired" in page.content.decode()
    # Someone else cannot present my licence.
    other = make_user("lisi", Role.APPLICANT, "140400")
    r = _login(other).post(f"/api/v1/licences/mine/{w.id_card.identifier}/present")
    assert r.status_code == 404


def test_wallet_api_and_pages(w: LicenceWorld) -> None:
    c = _login(w.applicant)
    r = c.get("/api/v1/licences/mine")
    assert [x["identifier"] for x in r.json()] == [w.id_card.identifier]
    assert Client().get("/api/v1/licences/mine").status_code == 401
    page = c.get("/my/licences/")
    assert page.status_code == 200 and "居民身份证" in page.content.decode()
    page = c.get(f"/my/licences/{w.id_card.identifier}/")
    assert page.status_code == 200 and "亮证" in page.content.decode()
    assert c.get(f"/my/licences/{w.id_card.identifier}/pdf/").status_code == 404  # not rendered
    licence_render_pdf(licence_id=w.id_card.pk)
    r = c.get(f"/my/licences/{w.id_card.identifier}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    page = c.post(f"/my/licences/{w.id_card.identifier}/present/")
    assert page.status_code == 200 and "亮证二维码" in page.content.decode()
    other = _login(make_user("lisi", Role.APPLICANT, "140400"))
    assert other.get(f"/my/licences/{w.id_card.identifier}/").status_code == 404
    assert Client().get("/my/licences/").status_code == 302


def test_operations_api(w: LicenceWorld) -> None:
    ident = w.id_card.identifier
    r = _login(w.approver).post(
        f"/api/v1/licences/{ident}/operations",
        {"operation": "suspend", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "licence_not_issuer"
    from tongban.accounts.services import department_create, user_create
    from tongban.licences.testing import POLICE_CODE

    police = department_create(
        name="长治市公安局潞州分局", uscc=POLICE_CODE, region_code="140400", level="county"
    )
    officer = user_create(
        username="officer", password="pass-1234", grants=[("approver", "140400", police, None)]
    )
    c = _login(officer)
    r = c.post(
        f"/api/v1/licences/{ident}/operations",
        {"operation": "revoke", "reason": ""},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    r = c.post(
        f"/api/v1/licences/{ident}/operations",
        {"operation": "revoke", "reason": "申请材料虚假"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    v = Client().get("/api/v1/licences/verify", {"id": ident}).json()
    assert (v["outcome"], v["reason"]) == ("revoked", "申请材料虚假")


def test_offers_and_exemption_api(w: LicenceWorld) -> None:
    c = _login(w.applicant)
    r = c.get("/api/v1/licences/offers", {"task_code": w.impl.task_code})
    (offer,) = r.json()
    assert offer["found"] and offer["licence_id"] == w.id_card.identifier
    created = c.post(
        "/api/v1/cases",
        {
            "task_code": w.impl.task_code,
            "channel": "pc",
            "applicant": {"kind": "person", "name": "张三", "code": w.applicant.id_number},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    body = {
        "case_id": case_id,
        "consents": [
            {"requirement_id": offer["requirement_id"], "licence_id": w.id_card.identifier}
        ],
    }
    r = c.post("/api/v1/licences/exemptions", body, content_type="application/json")
    assert r.status_code == 200 and r.json() == {"exempted_materials": 2}
    r = _login(w.reviewer).post(
        "/api/v1/licences/exemptions", body, content_type="application/json"
    )
    assert r.status_code == 404
    r = c.get("/api/v1/licences/uses")
    assert r.json()[0]["department_name"] == "长治市人力资源和社会保障局"


def test_online_form_offers_consent_and_exempts(w: LicenceWorld) -> None:
    c = _login(w.applicant)
    page = c.get(f"/apply/{w.impl.task_code}/")
    html = page.content.decode()
    assert "同意调用该电子证照" in html and w.id_card.identifier in html
    rid = w.impl.current_version.materials.get(name="居民身份证").pk  # type: ignore[union-attr]
    form_rid = w.impl.current_version.materials.get(name="申请表").pk  # type: ignore[union-attr]
    import re

    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(
        f"/apply/{w.impl.task_code}/",
        {
            "idempotency_key": key,
            "applicant_kind": "person",
            "name": "张三",
            "id_number": w.applicant.id_number,
            "delivery": "electronic",
            "action": "submit",
            f"licence_{rid}": w.id_card.identifier,
            f"file_{form_rid}": SimpleUploadedFile(
                "a.pdf", PDF_BYTES, content_type="application/pdf"
            ),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get(idempotency_key=key)
    assert case.status == "submitted" and case.exempted_materials == 2
    m = case.materials.get(name="居民身份证")
    assert (m.status, m.reference) == (MaterialStatus.EXEMPTED, w.id_card.identifier)
    assert LicenceUse.objects.filter(case=case).count() == 1
    # The clerk sees the provenance.
    staff = _login(w.clerk).get(f"/workbench/cases/{case.case_number}/")
    assert staff.status_code == 200 and "可信等级 A" in staff.content.decode()
