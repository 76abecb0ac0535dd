"""The applicant's side of a case: the online application (save a draft, submit —
idempotent on the form's key), editing a draft, 容缺/告知承诺 choices, and the one-go
supplement with its files.

Nothing entered is lost: a file that fails its checks is reported against its field while
every other file and field of the same submission is stored. When the applicant's own
details are invalid and no draft exists yet, the valid files wait in a per-user stash
keyed by the form's idempotency key and are attached on the next try.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from tongban.cases.access import case_roles
from tongban.cases.files import check_upload
from tongban.cases.models import Case, Channel, Delivery, MaterialStatus
from tongban.cases.services import (
    IntakeInput,
    _lock,
    _validate_applicant,
    case_create_draft,
    case_transition,
)
from tongban.cases.services_materials import case_supplement, material_defer, material_upload
from tongban.cases.transitions import APPLICANT, CLERK, CaseStatus
from tongban.catalog.models import ItemImplementation
from tongban.core.actors import Actor
from tongban.core.errors import Conflict, NotFound, TongbanError, ValidationFailed

S = CaseStatus
UPLOAD, DEFER, COMMITMENT = "upload", "defer", "commitment"


@dataclass(frozen=True)
class FileInput:
    requirement_id: int
    name: str
    data: bytes
    claimed_type: str


@dataclass
class Outcome:
    """What happened to one submission of a form. ``errors`` maps a field to its error:
    ``file_<requirement id>`` for a material's file, ``applicant.code`` etc. for details,
    ``materials`` for the completeness check."""

    case: Case | None
    errors: dict[str, TongbanError] = field(default_factory=dict)
    done: bool = False  # submitted / supplemented
    replayed: bool = False  # the same submission again: nothing was changed


def file_field(requirement_id: int) -> str:
    return f"file_{requirement_id}"


def _check_intake(intake: IntakeInput) -> dict[str, TongbanError]:
    errors: dict[str, TongbanError] = {}
    try:
        intake.applicant = _validate_applicant(intake.applicant)
    except TongbanError as exc:
        errors[exc.field or "applicant"] = exc
    if intake.delivery not in Delivery.values:
        errors["delivery"] = ValidationFailed("invalid_input", "送达方式不正确", field="delivery")
    elif intake.delivery == Delivery.POST and not intake.delivery_address.strip():
        errors["delivery_address"] = ValidationFailed(
            "delivery_address_required", field="delivery_address"
        )
    return errors


def _require_online(implementation: ItemImplementation) -> None:
    version = implementation.current_version
    if version is None:
        raise ValidationFailed("item_not_in_force", field="task_code")
    if not (version.mode_fully_online or version.is_online):
        raise ValidationFailed("item_not_online", field="task_code")


# --- the stash: valid files waiting for a draft --------------------------------------


def _stash_dir(actor: Actor, key: str) -> str:
    # Keys come from clients (forms, the API); hashing them means any key, UUID or not,
    # maps to one safe folder name that can never climb out of the stash folder.
    return f"pending/{int(actor.pk)}/{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def _stash_put(actor: Actor, key: str, f: FileInput) -> None:
    base = f"{_stash_dir(actor, key)}/{f.requirement_id}"
    for suffix in (".bin", ".json"):
        if default_storage.exists(base + suffix):
            default_storage.delete(base + suffix)
    default_storage.save(base + ".bin", ContentFile(f.data))
    meta = {"name": f.name, "type": f.claimed_type}
    default_storage.save(base + ".json", ContentFile(json.dumps(meta).encode()))


def _stash_read(actor: Actor, key: str) -> dict[int, FileInput]:
    folder = _stash_dir(actor, key)
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return {}
    found: dict[int, FileInput] = {}
    for name in names:
        stem, _, suffix = name.partition(".")
        if suffix != "json" or not stem.isdigit():
            continue
        with default_storage.open(f"{folder}/{name}") as fh:
            meta = json.loads(fh.read())
        with default_storage.open(f"{folder}/{stem}.bin") as fh:
            data = fh.read()
        found[int(stem)] = FileInput(int(stem), meta["name"], data, meta["type"])
    return found


def _stash_clear(actor: Actor, key: str) -> None:
    folder = _stash_dir(actor, key)
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        default_storage.delete(f"{folder}/{name}")


def stashed_files(actor: Actor, key: str | None) -> dict[int, str]:
    """requirement id → file name of the files waiting for this form's draft."""
    if not key or not getattr(actor, "is_authenticated", False):
        return {}
    return {rid: f.name for rid, f in _stash_read(actor, key).items()}


# --- application: save draft / submit -------------------------------------------------


def _apply_materials(
    actor: Actor, case: Case, files: list[FileInput], choices: dict[int, str]
) -> dict[str, TongbanError]:
    """Choices first, then files (a file wins over a 容缺 choice for the same material).
    Each write is its own savepoint: one bad file does not undo the others."""
    errors: dict[str, TongbanError] = {}
    by_requirement = {m.requirement_id: m for m in case.materials.all()}
    with_file = {f.requirement_id for f in files}
    for rid, how in choices.items():
        m = by_requirement.get(rid)
        if m is None or rid in with_file or m.status == MaterialStatus.EXEMPTED:
            continue
        try:
            with transaction.atomic():
                if how in (DEFER, COMMITMENT):
                    material_defer(
                        actor=actor, case=case, material_id=m.pk, commitment=how == COMMITMENT
                    )
                elif m.status in (MaterialStatus.DEFERRED, MaterialStatus.COMMITMENT):
                    # Back to "I will upload it": the material is missing again.
                    m.status = MaterialStatus.MISSING
                    m.save(update_fields=["status"])
        except TongbanError as exc:
            errors[file_field(rid)] = exc
    for f in files:
        m = by_requirement.get(f.requirement_id)
        if m is None or m.status == MaterialStatus.EXEMPTED:
            errors[file_field(f.requirement_id)] = NotFound("需上传的材料", field="material")
            continue
        try:
            with transaction.atomic():
                material_upload(
                    actor=actor,
                    case=case,
                    material_id=m.pk,
                    file_name=f.name,
                    data=f.data,
                    claimed_type=f.claimed_type,
                )
        except TongbanError as exc:
            errors[file_field(f.requirement_id)] = exc
    return errors


def _update_draft(case: Case, intake: IntakeInput) -> None:
    a = intake.applicant
    case.applicant_kind, case.applicant_name, case.applicant_code = a.kind, a.name.strip(), a.code
    case.applicant_phone = a.phone
    case.agent_name, case.agent_id_number = a.agent_name, a.agent_id_number
    case.form_data = intake.form_data
    case.delivery, case.delivery_address = intake.delivery, intake.delivery_address
    case.revision += 1
    case.save()


def application_save(
    *,
    actor: Actor,
    implementation: ItemImplementation,
    intake: IntakeInput,
    files: list[FileInput],
    choices: dict[int, str] | None = None,
    submit: bool,
    draft: Case | None = None,
    expected_revision: int | None = None,
    today: date | None = None,
    licence_consents: dict[int, str] | None = None,
) -> Outcome:
    """Save the online application form as a draft and, when ``submit``, submit it.

    ``licence_consents`` maps a material's requirement id to the e-licence the applicant
    agreed to use instead of uploading it (两个免提交; see tongban.licences.exemption).

    New forms carry ``intake.idempotency_key``: the same form posted twice opens one
    case, and a form posted again after its case was submitted changes nothing
    (``replayed``). ``draft`` is the case when an existing draft is edited.
    """
    _require_online(implementation)
    if intake.channel not in (Channel.PC, Channel.MOBILE):
        raise ValidationFailed("invalid_input", "在线申请只能通过网上渠道", field="channel")
    today = today or timezone.localdate()
    choices = choices or {}
    key = intake.idempotency_key
    errors = _check_intake(intake)
    if draft is None:
        if not key:
            raise ValidationFailed("invalid_input", "缺少申请表单标识", field="idempotency_key")
        existing = _existing(actor, key)
        if existing is not None and existing.status != S.DRAFT:
            return Outcome(existing, replayed=True)
        if existing is None:
            if errors:
                return Outcome(None, {**errors, **_stash(actor, key, files)})
            draft = case_create_draft(
                actor=actor, implementation=implementation, intake=intake, today=today
            )
            if draft.status != S.DRAFT:  # a concurrent twin submitted it meanwhile
                return Outcome(draft, replayed=True)
        else:
            draft = existing
    stashed = _stash_read(actor, key) if key else {}
    given = {f.requirement_id for f in files}
    files = files + [f for rid, f in stashed.items() if rid not in given]
    with transaction.atomic():
        locked = _lock(draft, expected_revision)
        if not case_roles(actor, locked) & {APPLICANT, CLERK}:
            raise NotFound("办件")
        if locked.status != S.DRAFT:
            return Outcome(locked, replayed=True)
        if not errors:
            _update_draft(locked, intake)
        consents = licence_consents or {}
        errors.update(_exempt_by_licence(actor, locked, consents))
        files = [f for f in files if f.requirement_id not in consents]
        errors.update(_apply_materials(actor, locked, files, choices))
        done = False
        if submit and not errors:
            try:
                with transaction.atomic():
                    locked = case_transition(actor=actor, case=locked, to=S.SUBMITTED, today=today)
                done = True
            except ValidationFailed as exc:
                errors[exc.field or "materials"] = exc
    if key:
        _stash_clear(actor, key)
    locked.refresh_from_db()
    return Outcome(locked, errors, done=done)


def _exempt_by_licence(
    actor: Actor, case: Case, consents: dict[int, str]
) -> dict[str, TongbanError]:
    """Each consented e-licence in its own savepoint: a refused one is reported at its
    material and the others still count."""
    from tongban.licences.exemption import case_materials_exempt

    errors: dict[str, TongbanError] = {}
    for rid, identifier in consents.items():
        try:
            with transaction.atomic():
                case_materials_exempt(actor=actor, case=case, consents={rid: identifier})
        except TongbanError as exc:
            errors[file_field(rid)] = exc
    return errors


def _existing(actor: Actor, key: str) -> Case | None:
    case = Case.objects.filter(idempotency_key=key).first()
    if case is not None and case.applicant_user_id != actor.pk:
        raise Conflict("idempotency_key_reused", field="idempotency_key")
    return case


def _stash(actor: Actor, key: str, files: list[FileInput]) -> dict[str, TongbanError]:
    """Keep the valid files until the draft can be opened; report the invalid ones."""
    errors: dict[str, TongbanError] = {}
    for f in files:
        try:
            check_upload(f.data, claimed_type=f.claimed_type)
        except TongbanError as exc:
            errors[file_field(f.requirement_id)] = exc
            continue
        _stash_put(actor, key, f)
    return errors


# --- supplement ---------------------------------------------------------------------


def case_supplement_with_files(
    *,
    actor: Actor,
    case: Case,
    files: list[FileInput],
    expected_revision: int | None = None,
    today: date | None = None,
) -> Outcome:
    """Upload the files for the materials flagged in the 一次性告知 and, when every one is
    provided, supplement (the clock resumes). Valid files stay even when another fails."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        if not case_roles(actor, locked) & {APPLICANT, CLERK}:
            raise NotFound("办件")
        if locked.status != S.SUPPLEMENT_REQUESTED:
            raise ValidationFailed("illegal_transition", "办件当前不需要补正", field="status")
        errors = _apply_materials(actor, locked, files, {})
        done = False
        if not errors:
            try:
                with transaction.atomic():
                    locked = case_supplement(actor=actor, case=locked, today=today)
                done = True
            except ValidationFailed as exc:
                errors[exc.field or "materials"] = exc
    locked.refresh_from_db()
    return Outcome(locked, errors, done=done)
