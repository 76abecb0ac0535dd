"""A case across nodes (docs/adr/0010-cases-across-nodes.md).

The intake node keeps the application (it counts it). When it is submitted for an item
decided on another node, ``case_hand_off`` sends the whole application — applicant, form,
materials with their file contents (size-limited, SHA-256 checked on arrival) — as
``cn.tongban.case.transferred``. The deciding node creates its own record
(``remote_case_receive``): a local case with its own number, marked handled for the
intake node and naming the intake node's case number; it answers with
``cn.tongban.case.linked``.

From then on each side's timeline entries travel to the other as ``cn.tongban.case.event``
and are applied there (``remote_event_apply``): status moves through ``case_transition``
(as SYSTEM), supplement notices flag the same materials, supplement answers bring their
files, shipments and original checks are recorded, and the deciding side's deadlines
and result are copied, so both sides show the same status and timeline. A message names
the sender's own case number; the receiver finds its record by (sender node, that
number), so nothing depends on the order in which the two sides learnt each other's
numbers.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tongban.cases.labels_remote import actor_block, actor_shown, node_label
from tongban.cases.models import Case, CaseEvent, CaseFile, CaseMaterial, MaterialStatus, Shipment
from tongban.cases.services import _event, case_transition
from tongban.cases.services_remote_node import remote_node_for, send, speaks_for, this_node
from tongban.cases.transitions import SYSTEM, CaseStatus
from tongban.catalog.models import ItemImplementation, ItemVersion
from tongban.config import CONFIG
from tongban.core.actors import SYSTEM as SYSTEM_ACTOR
from tongban.core.errors import NotFound, PermissionDenied, TongbanError, ValidationFailed

log = logging.getLogger("tongban.cases.remote")
S = CaseStatus

TRANSFERRED = "cn.tongban.case.transferred"
LINKED = "cn.tongban.case.linked"
EVENT = "cn.tongban.case.event"
# A whole application (every file, base64) must fit in one message.
MAX_TRANSFER_BYTES = 64 * 1024 * 1024
# Timeline entries that are this node's own notes about the other side: never echoed.
LOCAL_ONLY = frozenset({"status_update", "create", "sync_conflict", "part_failed", "joint"})
# Case fields the deciding side owns; copied onto the intake side with every event.
DECIDER_FIELDS = (
    "accepted_on",
    "acceptance_deadline",
    "promised_deadline",
    "statutory_deadline",
    "deadline_unknown",
    "paused_working_days",
    "result_name",
    "result_number",
    "result_note",
)

# True while a message from another node is being applied: what it causes is not echoed.
_APPLYING: ContextVar[bool] = ContextVar("tongban_case_remote_applying", default=False)


def _files_of(materials: list[CaseMaterial], since: datetime | None = None) -> list[dict]:
    out: list[dict[str, Any]] = []
    total = 0
    for m in materials:
        for f in m.files.all().order_by("pk"):
            if since is not None and f.uploaded_at < since:
                continue
            with f.file.open("rb") as fh:
                data = fh.read()
            total += len(data)
            if total > MAX_TRANSFER_BYTES:
                raise ValidationFailed("remote_transfer_too_large", field="materials")
            out.append(
                {
                    "material": m.name,
                    "name": f.original_name,
                    "content_type": f.content_type,
                    "size": f.size,
                    "sha256": f.sha256,
                    "data": base64.b64encode(data).decode("ascii"),
                }
            )
    return out


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def transfer_payload(case: Case) -> dict[str, Any]:
    materials = list(case.materials.all().order_by("pk"))
    window = case.intake_window
    return {
        "case_number": case.case_number,
        "regions": speaks_for(case.intake_region_id),
        "task_code": case.implementation.task_code,
        "version": case.version.version,
        "item_name": case.item_name,
        "mode": case.mode,
        "channel": case.channel,
        "intake_region": case.intake_region_id,
        "intake_place": f"{window.center.name}{window.name}" if window else "",
        "applicant": {
            "kind": case.applicant_kind,
            "name": case.applicant_name,
            "code": case.applicant_code,
            "phone": case.applicant_phone,
            "agent_name": case.agent_name,
            "agent_id_number": case.agent_id_number,
        },
        "form_data": case.form_data,
        "delivery": case.delivery,
        "delivery_address": case.delivery_address,
        "submitted_at": _iso(case.submitted_at),
        "exempted_materials": case.exempted_materials,
        "materials": [
            {
                "name": m.name,
                "status": m.status,
                "reference": m.reference,
                "original_checked": m.original_checked,
            }
            for m in materials
        ],
        "files": _files_of(materials),
    }


def case_hand_off(case: Case, node: str) -> None:
    """Send a just-submitted application to the node that decides it (in the submit
    transaction: the outbox row commits with the status change or not at all)."""
    Case.objects.filter(pk=case.pk).update(remote_node=node)
    case.remote_node = node
    send(
        type=TRANSFERRED,
        own_number=str(case.case_number),
        node=node,
        payload=transfer_payload(case),
    )
    _event(
        case,
        action="hand_off",
        actor=SYSTEM_ACTOR,
        role=SYSTEM,
        opinion=f"已推送至办理地节点 {node_label(node)}",
        data={"node": node},
    )


def _store_file(material: CaseMaterial, f: dict[str, Any]) -> CaseFile:
    data = base64.b64decode(str(f.get("data", "")), validate=True)
    if len(data) > CONFIG.upload_max_bytes:
        raise ValidationFailed("file_too_large", field="files")
    digest = hashlib.sha256(data).hexdigest()
    if digest != f.get("sha256") or len(data) != f.get("size"):
        raise ValidationFailed("remote_file_digest_mismatch", field="files")
    cf = CaseFile(
        material=material,
        original_name=str(f.get("name", ""))[:200],
        content_type=str(f.get("content_type", ""))[:64],
        size=len(data),
        sha256=digest,
    )
    cf.file.save(f"{digest[:16]}-{material.pk}", ContentFile(data), save=False)
    cf.save()
    return cf


def _store_files(case: Case, files: list[dict[str, Any]]) -> dict[str, int]:
    by_name = {m.name: m for m in case.materials.all()}
    stored: dict[str, int] = {}
    for f in files:
        material = by_name.get(str(f.get("material")))
        if material is None:
            raise NotFound("材料", field="files")
        _store_file(material, f)
        stored[material.name] = stored.get(material.name, 0) + 1
    return stored


def remote_case_receive(*, payload: dict[str, Any], sender: str) -> Case:
    """On the deciding node: create the local record of an application taken in on
    ``sender``. Idempotent on (sender, intake case number)."""
    number = str(payload.get("case_number") or "")
    existing = Case.objects.filter(remote_node=sender, remote_case_number=number).first()
    if existing is not None:
        return existing
    impl = (
        ItemImplementation.objects.select_related("department")
        .filter(task_code=str(payload.get("task_code") or ""))
        .first()
    )
    if impl is None:
        raise NotFound("事项", field="task_code")
    if remote_node_for(impl.region_id) is not None:
        raise PermissionDenied("remote_not_served", field="task_code")
    version = ItemVersion.objects.filter(
        implementation=impl, version=int(payload.get("version") or 0)
    ).first()
    if version is None:
        raise ValidationFailed("remote_version_unknown", field="version")
    a = payload.get("applicant") or {}
    token = _APPLYING.set(True)
    try:
        case = Case.objects.create(
            implementation=impl,
            version=version,
            item_name=version.name,
            item_kind=version.kind,
            statutory_days=version.statutory_days,
            promised_days=version.promised_days,
            applicant_kind=str(a.get("kind", "")),
            applicant_name=str(a.get("name", ""))[:128],
            applicant_code=str(a.get("code", ""))[:18],
            applicant_phone=str(a.get("phone", ""))[:20],
            agent_name=str(a.get("agent_name", ""))[:64],
            agent_id_number=str(a.get("agent_id_number", ""))[:18],
            channel=str(payload.get("channel", "")),
            mode=str(payload.get("mode", "")),
            intake_region_id=str(payload.get("intake_region", "")),
            handling_department=impl.department,
            handling_region_id=impl.region_id,
            form_data=payload.get("form_data") or {},
            delivery=str(payload.get("delivery", "")),
            delivery_address=str(payload.get("delivery_address", ""))[:300],
            exempted_materials=int(payload.get("exempted_materials") or 0),
            handled_for_node=sender,
            remote_node=sender,
            remote_case_number=number,
        )
        sent = {str(m.get("name")): m for m in payload.get("materials") or []}
        CaseMaterial.objects.bulk_create(
            CaseMaterial(
                case=case,
                requirement=r,
                name=r.name,
                is_required=r.is_required,
                status=str(sent.get(r.name, {}).get("status") or MaterialStatus.MISSING),
                reference=str(sent.get(r.name, {}).get("reference") or "")[:200],
                original_checked=bool(sent.get(r.name, {}).get("original_checked")),
            )
            for r in version.materials.all()
        )
        stored = _store_files(case, payload.get("files") or [])
        place = payload.get("intake_place") or payload.get("intake_region")
        _event(
            case,
            action="create",
            actor=SYSTEM_ACTOR,
            role=SYSTEM,
            to_status=S.DRAFT,
            opinion=f"受理{place}（节点 {sender}）推送的办件 {number}",
            data={"remote_node": sender, "remote_case_number": number, "files": stored},
        )
        case = case_transition(actor=SYSTEM_ACTOR, case=case, to=S.SUBMITTED)
        send(
            type=LINKED,
            own_number=str(case.case_number),
            node=sender,
            payload={
                "case_number": case.case_number,
                "intake_case_number": number,
                "regions": [impl.region_id],
            },
        )
    finally:
        _APPLYING.reset(token)
    return case


def remote_link(*, payload: dict[str, Any], sender: str) -> None:
    """On the intake node: remember the deciding node's number for our case."""
    case = Case.objects.filter(
        case_number=str(payload.get("intake_case_number") or ""), remote_node=sender
    ).first()
    if case is None:
        raise NotFound("办件", field="intake_case_number")
    Case.objects.filter(pk=case.pk).update(remote_case_number=str(payload.get("case_number")))


# ---- replicating timeline entries ---------------------------------------------------


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        name: (_iso(v) if isinstance(v, date | datetime) else v)
        for name in DECIDER_FIELDS
        for v in [getattr(case, name)]
    }


def event_payload(case: Case, event: CaseEvent) -> dict[str, Any]:
    files: list[dict[str, Any]] = []
    if event.action == "supplement":
        asked = case.events.filter(action="request_supplement").order_by("-seq").first()
        materials = list(case.materials.all().order_by("pk"))
        files = _files_of(materials, since=asked.at if asked else None)
    return {
        "case_number": case.case_number,
        "regions": speaks_for(
            case.handling_region_id if case.handled_for_node else case.intake_region_id
        ),
        "decider": bool(case.handled_for_node),
        "event": {
            "seq": event.seq,
            "action": event.action,
            "from": event.from_status,
            "to": event.to_status,
            "opinion": event.opinion,
            "data": event.data,
            "at": event.at.isoformat(),
        },
        # Schema version 2: who acted, as the other side shows it (replaces version 1's
        # event.actor_name / actor_role, which the receiver never showed).
        "actor": actor_block(case, event),
        "case": _snapshot(case),
        "files": files,
    }


def on_case_event(event: CaseEvent) -> None:
    """Called for every new timeline entry (in its transaction): hand a submitted
    application to its deciding node, or pass the entry to the other side."""
    if this_node() is None or _APPLYING.get() or event.action in LOCAL_ONLY:
        return
    case = event.case
    if event.to_status == S.SUBMITTED and not case.handled_for_node and not case.remote_node:
        node = remote_node_for(case.handling_region_id)
        if node is not None:
            case_hand_off(case, node)
        return
    if case.remote_node and case.case_number and event.action != "hand_off":
        send(
            type=EVENT,
            own_number=case.case_number,
            node=case.remote_node,
            payload=event_payload(case, event),
        )


def _find(sender: str, number: str) -> Case:
    case = (
        Case.objects.select_for_update()
        .filter(remote_node=sender, remote_case_number=number)
        .first()
    )
    if case is None or not number:
        # ``linked`` travels first on the same ordered stream, so the intake side always
        # knows the number; a record is never matched on anything weaker than it.
        raise NotFound("办件", field="case_number")
    return case


def _apply_shipment(case: Case, action: str, data: dict[str, Any], at: datetime) -> None:
    tracking = str(data.get("tracking_number") or "")
    carrier = str(data.get("carrier") or "")
    if action == "ship":
        taken = Shipment.objects.filter(carrier=carrier, tracking_number=tracking)
        if taken.exclude(case=case).exists():
            # A tracking number is unique per node; only two sides sharing one database
            # (tests) can meet their own copy. The timeline entry still records it.
            log.warning("case %s: shipment %s already on another case", case.pk, tracking)
            return
        Shipment.objects.get_or_create(
            case=case,
            carrier=carrier,
            tracking_number=tracking,
            defaults={"kind": str(data.get("kind") or Shipment.Kind.ORIGINALS), "sent_at": at},
        )
    elif action == "receive_shipment":
        Shipment.objects.filter(case=case, tracking_number=tracking, received_at=None).update(
            received_at=at
        )


def _apply_materials(case: Case, action: str, data: dict[str, Any], files: list) -> None:
    if action == "request_supplement":
        for d in data.get("defects") or []:
            case.materials.filter(name=str(d.get("material"))).update(
                status=MaterialStatus.DEFECTIVE, defect_note=str(d.get("note") or "")[:300]
            )
    elif action == "supplement":
        _store_files(case, files)
        # The other side accepted the answer only with every flagged material provided.
        case.materials.filter(status=MaterialStatus.DEFECTIVE).update(
            status=MaterialStatus.PROVIDED
        )
    elif action == "check_original":
        case.materials.filter(name__in=[str(n) for n in data.get("materials") or []]).update(
            original_checked=True
        )


def remote_event_apply(*, payload: dict[str, Any], sender: str) -> Case:
    """Apply one timeline entry from the other side; idempotent on its origin seq."""
    case = _find(sender, str(payload.get("case_number") or ""))
    e = payload.get("event") or {}
    seq = int(e.get("seq") or 0)
    if case.events.filter(data__origin_node=sender, data__origin_seq=seq).exists():
        return case
    action, to = str(e.get("action") or ""), str(e.get("to") or "")
    at = datetime.fromisoformat(str(e.get("at"))) if e.get("at") else timezone.now()
    data = dict(e.get("data") or {})
    # Version 2 names who acted there; a version 1 message (no block) still applies, as 系统.
    # The entry is still SYSTEM's here (actor_role); the name says who acted there.
    remote_actor = actor_shown(payload.get("actor"))
    shown = remote_actor[0] if remote_actor else None
    origin: dict[str, Any] = {
        "origin_node": sender,
        "origin_seq": seq,
        "origin_actor": shown or e.get("actor_name"),
    }
    if remote_actor:
        origin["origin_role"] = remote_actor[1]
    token = _APPLYING.set(True)
    try:
        _apply_shipment(case, action, data, at)
        if to and to != case.status:
            if action == "supplement":
                _apply_materials(case, action, data, payload.get("files") or [])
            try:
                with transaction.atomic():
                    case = case_transition(
                        actor=SYSTEM_ACTOR,
                        case=case,
                        to=to,
                        opinion=str(e.get("opinion") or ""),
                        data={**data, **origin},
                        shown_as=shown,
                    )
            except TongbanError as exc:
                # Both sides moved at once (e.g. withdrawn here, approved there): keep
                # what this side did, show the clash on the timeline, never drop it.
                log.warning("case %s: remote move %s refused: %s", case.case_number, to, exc.code)
                _event(
                    case,
                    action="sync_conflict",
                    actor=SYSTEM_ACTOR,
                    role=SYSTEM,
                    opinion=f"对端节点的操作“{action}”无法在本节点执行（{exc.message}）",
                    data={**origin, "to": to, "code": exc.code},
                )
                return case
            if action != "supplement":
                _apply_materials(case, action, data, payload.get("files") or [])
        else:
            _apply_materials(case, action, data, payload.get("files") or [])
            _event(
                case,
                action=action,
                actor=SYSTEM_ACTOR,
                role=SYSTEM,
                opinion=str(e.get("opinion") or ""),
                data={**data, **origin},
                shown_as=shown,
            )
        if payload.get("decider") and not case.handled_for_node:
            snap = payload.get("case") or {}
            fields = {k: snap[k] for k in DECIDER_FIELDS if k in snap}
            Case.objects.filter(pk=case.pk).update(**fields)
    finally:
        _APPLYING.reset(token)
    return case


def applying_remote() -> bool:
    return _APPLYING.get()


@transaction.atomic
def remote_apply(message_type: str, payload: dict[str, Any], sender: str) -> None:
    if message_type == TRANSFERRED:
        remote_case_receive(payload=payload, sender=sender)
    elif message_type == LINKED:
        remote_link(payload=payload, sender=sender)
    elif message_type == EVENT:
        remote_event_apply(payload=payload, sender=sender)
