"""Issue on decision: a case whose item's result is an e-licence gets its licence when it
is approved (the case engine queues ``licences.issue_for_case`` in the transaction of the
approval), and every licence gets its PDF from ``licences.render_pdf``."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tongban.cases.models import ApplicantKind, Case
from tongban.cases.services import _event
from tongban.catalog.models import ResultType
from tongban.core.actors import SYSTEM
from tongban.core.errors import ValidationFailed
from tongban.licences.models import HolderCodeType, Licence, LicenceType
from tongban.licences.pdf import render_pdf
from tongban.licences.services import LicenceInput, licence_issue, licence_new_version
from tongban.licences.transitions import LicenceOperation, LicenceStatus

ISSUED_ACTION = "licence_issued"


def licence_issue_for_case(*, case_id: int) -> Licence | None:
    """Idempotent: a case gets at most one licence from its decision."""
    case = Case.objects.select_related("version", "handling_department").get(pk=case_id)
    version = case.version
    if version.result_type != ResultType.LICENCE or not version.result_licence_type:
        return None
    existing = Licence.objects.filter(case=case).order_by("-version").first()
    if existing is not None:
        return existing
    ltype = LicenceType.objects.filter(code=version.result_licence_type).first()
    if ltype is None:
        raise ValidationFailed("licence_type_unknown", field="result_licence_type")
    person = case.applicant_kind == ApplicantKind.PERSON
    form = case.form_data or {}
    fields = {
        f["key"]: str(form[f["key"]])
        for f in ltype.field_schema
        if f.get("key") in form and form[f["key"]] not in (None, "")
    }
    fields.setdefault("item", case.item_name)
    fields.setdefault("case_number", case.case_number or "")
    dept = case.handling_department
    today = timezone.localdate()
    with transaction.atomic():
        current = Licence.objects.filter(
            type=ltype,
            holder_code=case.applicant_code,
            status=LicenceStatus.VALID,
            type__allows_multiple=False,
        ).first()
        if current is not None and current.issuer_code == dept.uscc:
            # 换领/补领: the holder's licence of this type is replaced by a new version.
            licence = licence_new_version(
                actor=SYSTEM,
                licence=current,
                operation=LicenceOperation.CHANGE,
                issue_date=today,
                fields=fields,
                holder_name=case.applicant_name,
                reason=f"办件 {case.case_number} 换发",
            )
            Licence.objects.filter(pk=licence.pk).update(case=case)
        else:
            licence = licence_issue(
                actor=SYSTEM,
                data=LicenceInput(
                    type_code=ltype.code,
                    holder_name=case.applicant_name,
                    holder_code=case.applicant_code,
                    holder_code_type=HolderCodeType.ID_NUMBER if person else HolderCodeType.USCC,
                    issuer_code=dept.uscc,
                    issuer_name=dept.name,
                    issue_date=today,
                    region_code=case.handling_region_id,
                    fields=fields,
                ),
                case=case,
            )
        locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        locked.result_number = licence.number
        locked.result_name = locked.result_name or ltype.name
        locked.save(update_fields=["result_number", "result_name"])
        _event(
            locked,
            action=ISSUED_ACTION,
            actor=SYSTEM,
            role="system",
            opinion=f"已签发电子证照“{ltype.name}”，证照编号 {licence.number}",
            data={"licence_id": licence.identifier},
        )
    return licence


def licence_render_pdf(*, licence_id: int) -> Licence:
    licence = Licence.objects.select_related("type").get(pk=licence_id)
    pdf = render_pdf(licence.payload, licence.signature, licence.type.field_schema)
    with transaction.atomic():
        locked = Licence.objects.select_for_update().get(pk=licence_id)
        if locked.pdf:
            locked.pdf.delete(save=False)
        locked.pdf.save(f"{locked.serial}-{locked.version:03d}.pdf", ContentFile(pdf), save=False)
        locked.pdf_rendered_at = timezone.now()
        locked.save(update_fields=["pdf", "pdf_rendered_at"])
    return locked


__all__ = ["ISSUED_ACTION", "LicenceStatus", "licence_issue_for_case", "licence_render_pdf"]
