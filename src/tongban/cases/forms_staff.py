"""Forms of the staff workbenches. They parse and check the shape of the input (identity
codes, required fields, the real type of every scan); the services decide the rest and
answer with coded errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from tongban.cases.files import check_upload
from tongban.cases.models import ApplicantKind, CaseMaterial, Channel, Delivery
from tongban.cases.services import ApplicantInput, IntakeInput
from tongban.cases.services_materials import Defect
from tongban.cases.services_window import (
    DEFER_CHOICES,
    HAND_OVER_METHODS,
    IDENTITY_METHODS,
    RECIPIENT_KINDS,
    ChecklistEntry,
    IdentityCheck,
    Scan,
)
from tongban.catalog.models import ItemVersion, MaterialRequirement, MaterialSource
from tongban.config import CONFIG
from tongban.core.errors import TongbanError, ValidationFailed
from tongban.core.ids import validate_id_number, validate_uscc

AGENT_ROLES = [("", "无（申请人本人办理）"), ("agent", "代理人"), ("assisted", "帮办代办")]
STAFF_CHANNELS = [
    (Channel.WINDOW.value, Channel.WINDOW.label),
    (Channel.KIOSK.value, "自助终端（代录）"),
    (Channel.HOTLINE.value, "热线（代录）"),
]
DELIVERIES = [(Delivery.PICKUP.value, "窗口领取（本窗口）"), (Delivery.POST.value, "邮寄送达")]
MAX_SCANS_PER_MATERIAL = 10


def _coded(exc: TongbanError) -> forms.ValidationError:
    return forms.ValidationError(f"{exc.message}（{exc.code}）", code=exc.code)


def read_scans(files: MultiValueDict[str, UploadedFile], key: str) -> list[Scan]:
    """The files uploaded under ``key``, each checked by its bytes (raises coded errors)."""
    scans = []
    for upload in files.getlist(key)[:MAX_SCANS_PER_MATERIAL]:
        if upload.size is not None and upload.size > CONFIG.upload_max_bytes:
            # Refuse before reading a huge file into memory.
            mb = CONFIG.upload_max_bytes // (1024 * 1024)
            raise ValidationFailed("file_too_large", f"文件超过大小上限（{mb} MB）", field=key)
        data = upload.read()
        check_upload(data, claimed_type=upload.content_type or "", field=key)
        scans.append(Scan(upload.name or "scan", data, upload.content_type or ""))
    return scans


class IntakeForm(forms.Form):
    applicant_kind = forms.ChoiceField(
        label="申请人类型", choices=ApplicantKind.choices, initial=ApplicantKind.PERSON
    )
    applicant_name = forms.CharField(label="申请人姓名/名称", max_length=128)
    # Length and checksum are checked in clean() with the coded identity validators.
    applicant_code = forms.CharField(label="身份证号/统一社会信用代码", max_length=40)
    applicant_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    agent_role = forms.ChoiceField(label="代办情形", choices=AGENT_ROLES, required=False)
    agent_name = forms.CharField(label="代理人/帮办员姓名", max_length=64, required=False)
    agent_id_number = forms.CharField(label="代理人/帮办员身份证号", max_length=40, required=False)
    channel = forms.ChoiceField(label="收件渠道", choices=STAFF_CHANNELS, initial=Channel.WINDOW)
    identity_verified = forms.BooleanField(label="已核验身份证原件", required=False)
    identity_method = forms.ChoiceField(
        label="核验方式", choices=list(IDENTITY_METHODS.items()), initial="face_match"
    )
    delivery = forms.ChoiceField(label="结果领取方式", choices=DELIVERIES, initial=Delivery.PICKUP)
    delivery_address = forms.CharField(label="邮寄地址", max_length=300, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.get("applicant_code") or "").strip().upper()
        if code:
            try:
                if data.get("applicant_kind") == ApplicantKind.ORGANISATION:
                    data["applicant_code"] = validate_uscc(code, field="applicant_code")
                else:
                    data["applicant_code"] = validate_id_number(code, field="applicant_code")
            except TongbanError as exc:
                self.add_error("applicant_code", _coded(exc))
        if data.get("agent_role"):
            if not (data.get("agent_name") or "").strip():
                self.add_error("agent_name", "请填写代理人/帮办员姓名")
            agent_code = (data.get("agent_id_number") or "").strip().upper()
            try:
                data["agent_id_number"] = validate_id_number(agent_code, field="agent_id_number")
            except TongbanError as exc:
                self.add_error("agent_id_number", _coded(exc))
        else:
            data["agent_name"], data["agent_id_number"] = "", ""
        if not data.get("identity_verified"):
            self.add_error(
                "identity_verified",
                forms.ValidationError(
                    "窗口收件须先核验申请人（或代理人）身份证原件（identity_check_required）",
                    code="identity_check_required",
                ),
            )
        if (
            data.get("delivery") == Delivery.POST
            and not (data.get("delivery_address") or "").strip()
        ):
            self.add_error(
                "delivery_address",
                forms.ValidationError(
                    "选择邮寄送达时必须填写送达地址（delivery_address_required）",
                    code="delivery_address_required",
                ),
            )
        return data

    def intake(self) -> IntakeInput:
        d = self.cleaned_data
        form_data: dict[str, Any] = {}
        if d["agent_role"]:
            form_data["agent_role"] = d["agent_role"]
        return IntakeInput(
            applicant=ApplicantInput(
                kind=d["applicant_kind"],
                name=d["applicant_name"].strip(),
                code=d["applicant_code"],
                phone=d["applicant_phone"].strip(),
                agent_name=d["agent_name"].strip(),
                agent_id_number=d["agent_id_number"],
            ),
            channel=d["channel"],
            form_data=form_data,
            delivery=d["delivery"],
            delivery_address=d["delivery_address"].strip(),
            idempotency_key=d["idempotency_key"],
        )

    def identity(self) -> IdentityCheck:
        d = self.cleaned_data
        return IdentityCheck(verified=bool(d["identity_verified"]), method=d["identity_method"])


@dataclass
class ChecklistRow:
    """One line of the intake checklist as shown and as posted."""

    requirement: MaterialRequirement
    exempt: bool
    can_defer: bool
    can_commit: bool
    received: bool = False
    original_checked: bool = False
    defer: str = ""
    error: str = ""


class Checklist:
    """The materials checklist generated from the item's acceptance standards."""

    def __init__(self, version: ItemVersion) -> None:
        self.rows = [
            ChecklistRow(
                requirement=m,
                exempt=m.source in (MaterialSource.DATA_SHARING, MaterialSource.INTERNAL),
                can_defer=version.allows_deferral and m.deferrable,
                can_commit=version.allows_commitment,
            )
            for m in version.materials.all()
        ]
        self.entries: list[ChecklistEntry] = []

    def parse(self, post: QueryDict, files: MultiValueDict[str, UploadedFile]) -> bool:
        """Read the posted checklist; False (with row errors) when a scan is refused."""
        ok = True
        self.entries = []
        for row in self.rows:
            if row.exempt:
                continue
            rid = row.requirement.pk
            row.received = post.get(f"received_{rid}") == "1"
            row.original_checked = post.get(f"original_{rid}") == "1"
            defer = post.get(f"defer_{rid}", "")
            allowed = {"deferred"} if row.can_defer else set()
            allowed |= {"commitment"} if row.can_commit else set()
            row.defer = defer if defer in allowed and defer in DEFER_CHOICES else ""
            try:
                scans = read_scans(files, f"scan_{rid}")
            except TongbanError as exc:
                row.error = f"{exc.message}（{exc.code}）"
                ok = False
                continue
            self.entries.append(
                ChecklistEntry(
                    requirement_id=rid,
                    received=row.received or bool(scans),
                    original_checked=row.original_checked,
                    scans=scans,
                    defer=row.defer,
                )
            )
        return ok


class RevisionForm(forms.Form):
    """Every action form carries the revision the page was rendered at."""

    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class MoveForm(RevisionForm):
    to = forms.CharField(max_length=24)
    opinion = forms.CharField(label="办理意见", max_length=2000, required=False)


class SupplementRequestForm(RevisionForm):
    """一次性告知: every defective material, each with what is wrong, in one notice."""

    opinion = forms.CharField(label="告知说明", max_length=2000, required=False)

    def __init__(self, *args: Any, materials: list[CaseMaterial], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.materials = materials

    def defects(self) -> list[Defect]:
        chosen = set(self.data.getlist("materials")) if hasattr(self.data, "getlist") else set()
        return [
            Defect(m.pk, (self.data.get(f"note_{m.pk}") or "").strip()[:300])
            for m in self.materials
            if str(m.pk) in chosen
        ]

    def notice_opinion(self, defects: list[Defect]) -> str:
        """The notice's statement; without one, the per-material requirements say it."""
        typed = (self.cleaned_data.get("opinion") or "").strip()
        if typed or not all(d.note for d in defects):
            return typed
        names = {m.pk: m.name for m in self.materials}
        return "请补正：" + "；".join(f"{names[d.material_id]}（{d.note}）" for d in defects)


class ShipmentForm(RevisionForm):
    carrier = forms.CharField(label="承运商", max_length=64)
    tracking_number = forms.CharField(label="运单号", max_length=64)


class HandOverForm(RevisionForm):
    method = forms.ChoiceField(label="送达方式", choices=list(HAND_OVER_METHODS.items()))
    recipient = forms.CharField(label="领取人", max_length=64, required=False)
    recipient_kind = forms.ChoiceField(
        label="领取人身份",
        choices=list(RECIPIENT_KINDS.items()),
        required=False,
    )
    recipient_id_number = forms.CharField(label="领取人身份证号", max_length=18, required=False)
    carrier = forms.CharField(label="承运商", max_length=64, required=False)
    tracking_number = forms.CharField(label="运单号", max_length=64, required=False)
