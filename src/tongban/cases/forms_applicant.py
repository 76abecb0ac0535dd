"""Parsing the applicant's forms. These forms only turn POST data into typed input for
the services; every business rule (identity codes, delivery address, file checks) is
checked by the services, whose coded errors the pages show next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from tongban.cases.models import ApplicantKind, Channel, Delivery
from tongban.cases.services import ApplicantInput, IntakeInput
from tongban.cases.services_applicant import COMMITMENT, DEFER, UPLOAD, FileInput
from tongban.config import CONFIG

ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd"

# Service error fields → the form field they belong to.
_PERSON_FIELDS = {"applicant.name": "name", "applicant.code": "id_number"}
_ORG_FIELDS = {"applicant.name": "org_name", "applicant.code": "uscc"}


class ApplicationForm(forms.Form):
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("save", "保存草稿"), ("submit", "提交申请")])
    applicant_kind = forms.ChoiceField(choices=ApplicantKind.choices)
    name = forms.CharField(max_length=128, required=False)
    id_number = forms.CharField(max_length=18, required=False)
    org_name = forms.CharField(max_length=128, required=False)
    uscc = forms.CharField(max_length=18, required=False)
    agent_name = forms.CharField(max_length=64, required=False)
    agent_id_number = forms.CharField(max_length=18, required=False)
    phone = forms.CharField(max_length=20, required=False)
    delivery = forms.ChoiceField(choices=Delivery.choices)
    delivery_address = forms.CharField(max_length=300, required=False)
    remarks = forms.CharField(max_length=1000, required=False)

    @property
    def submitting(self) -> bool:
        return self.cleaned_data.get("action") == "submit"

    def intake(self, *, channel: str) -> IntakeInput:
        d = self.cleaned_data
        key = d.get("idempotency_key")
        if d["applicant_kind"] == ApplicantKind.ORGANISATION:
            applicant = ApplicantInput(
                kind=ApplicantKind.ORGANISATION,
                name=d["org_name"].strip(),
                code=d["uscc"].strip().upper(),
                phone=d["phone"].strip(),
                agent_name=d["agent_name"].strip(),
                agent_id_number=d["agent_id_number"].strip().upper(),
            )
        else:
            applicant = ApplicantInput(
                kind=ApplicantKind.PERSON,
                name=d["name"].strip(),
                code=d["id_number"].strip().upper(),
                phone=d["phone"].strip(),
            )
        return IntakeInput(
            applicant=applicant,
            channel=channel,
            form_data={"remarks": d["remarks"].strip()} if d["remarks"].strip() else {},
            delivery=d["delivery"],
            delivery_address=(
                d["delivery_address"].strip() if d["delivery"] == Delivery.POST else ""
            ),
            idempotency_key=str(key) if key else None,
        )

    def field_for(self, service_field: str | None) -> str | None:
        """The form field a service error's ``field`` belongs to (None: the whole form)."""
        if not service_field:
            return None
        kind = self.cleaned_data.get("applicant_kind") if hasattr(self, "cleaned_data") else None
        names = _ORG_FIELDS if kind == ApplicantKind.ORGANISATION else _PERSON_FIELDS
        if service_field in names:
            return names[service_field]
        if service_field in ("agent_id_number", "delivery", "delivery_address"):
            return service_field
        if service_field.startswith("file_"):
            return service_field
        return None


def initial_from_user(user: Any) -> dict[str, Any]:
    """Prefill the applicant's details from the logged-in user."""
    return {
        "applicant_kind": ApplicantKind.PERSON,
        "name": user.display_name or "",
        "id_number": user.id_number or "",
        "agent_name": user.display_name or "",
        "agent_id_number": user.id_number or "",
        "phone": user.phone or "",
        "delivery": Delivery.ELECTRONIC,
    }


def initial_from_case(case: Any) -> dict[str, Any]:
    org = case.applicant_kind == ApplicantKind.ORGANISATION
    return {
        "applicant_kind": case.applicant_kind,
        "name": "" if org else case.applicant_name,
        "id_number": "" if org else case.applicant_code,
        "org_name": case.applicant_name if org else "",
        "uscc": case.applicant_code if org else "",
        "agent_name": case.agent_name,
        "agent_id_number": case.agent_id_number,
        "phone": case.applicant_phone,
        "delivery": case.delivery,
        "delivery_address": case.delivery_address,
        "remarks": (case.form_data or {}).get("remarks", ""),
        "revision": case.revision,
    }


def channel_of(request: HttpRequest) -> str:
    agent = request.headers.get("User-Agent", "")
    return Channel.MOBILE if "Mobi" in agent or "Android" in agent else Channel.PC


def _read(upload: UploadedFile) -> bytes:
    # One byte past the limit is enough for the service to say "too large".
    return upload.read(CONFIG.upload_max_bytes + 1)


def files_from(request: HttpRequest, requirement_ids: list[int]) -> list[FileInput]:
    out = []
    for rid in requirement_ids:
        upload = request.FILES.get(f"file_{rid}")
        if upload is None:
            continue
        out.append(
            FileInput(
                requirement_id=rid,
                name=(upload.name or "file")[:200],
                data=_read(upload),
                claimed_type=upload.content_type or "",
            )
        )
    return out


def choices_from(request: HttpRequest, requirement_ids: list[int]) -> dict[int, str]:
    out = {}
    for rid in requirement_ids:
        how = request.POST.get(f"how_{rid}", "")
        if how in (UPLOAD, DEFER, COMMITMENT):
            out[rid] = how
    return out


class RevisionForm(forms.Form):
    """Withdraw and supplement carry the revision the page was rendered with."""

    revision = forms.IntegerField(min_value=0)
    reason = forms.CharField(max_length=500, required=False)
