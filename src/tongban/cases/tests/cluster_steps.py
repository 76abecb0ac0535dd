"""Steps the cluster tests run *inside* one demo node (``tongban shell -c``): each acts
through the services as that node's demo staff and prints one JSON line.

Used by ``test_federation_cases.py``; the messages between the steps travel between the
real node processes (signed, over HTTP, by their workers).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from tongban.accounts.models import User, Window
from tongban.cases.joint import JointPart, joint_application_create
from tongban.cases.joint_selectors import application_count
from tongban.cases.models import Case, CaseMaterial, MaterialStatus
from tongban.cases.services import ApplicantInput, IntakeInput, case_create_draft, case_transition
from tongban.cases.services_materials import (
    Defect,
    case_request_supplement,
    material_upload,
    shipment_receive,
    shipment_send,
)
from tongban.cases.services_window import (
    ChecklistEntry,
    IdentityCheck,
    Scan,
    result_hand_over,
    window_intake,
    window_supplement,
)
from tongban.cases.testing import PDF_BYTES
from tongban.catalog.agreements import window_rights
from tongban.catalog.models import ItemImplementation, MaterialSource
from tongban.demo.people import CITIZENS, username

PDF = Scan("扫描件.pdf", PDF_BYTES, "application/pdf")
APPROVE = ("pre_review", "accepted", "under_review", "approved", "result_issued")


def out(value: dict[str, Any]) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str))


def _user(region_key: str, role: str) -> User:
    return User.objects.get(username=username(region_key, role))


def _window(region_key: str) -> Window:
    clerk = _user(region_key, "clerk")
    window_id = clerk.grants.get(role="clerk").window_id
    assert window_id is not None
    return Window.objects.get(pk=window_id)


def _item(window: Window, region: str, *, joint: bool = False) -> ItemImplementation:
    today = timezone.localdate()
    qs = ItemImplementation.objects.filter(region_id=region).select_related("current_version")
    for impl in qs.order_by("task_code"):
        v = impl.current_version
        if v is None or not (v.mode_joint if joint else v.mode_fully_online):
            continue
        rights = window_rights(window=window, implementation=impl, on=today)
        if rights.allowed and (not joint or rights.local or "joint" in rights.modes):
            return impl
    raise LookupError(region)


def _checklist(impl: ItemImplementation) -> list[ChecklistEntry]:
    v = impl.current_version
    assert v is not None
    return [
        ChecklistEntry(m.pk, received=True, scans=[PDF])
        for m in v.materials.all()
        if m.source not in (MaterialSource.DATA_SHARING, MaterialSource.INTERNAL)
    ]


def _applicant(n: int) -> ApplicantInput:
    c = CITIZENS["panzhihua"]
    return ApplicantInput(kind="person", name=c.name, code=c.id_number, phone=c.phone)


def proxy_intake(n: int = 1) -> None:
    """攀枝花's window takes in a 长治 item (a)."""
    window = _window("panzhihua")
    impl = _item(window, "140400")
    case = window_intake(
        actor=_user("panzhihua", "clerk"),
        implementation=impl,
        window=window,
        intake=IntakeInput(applicant=_applicant(n), channel="window", delivery="pickup"),
        identity=IdentityCheck(verified=True, method="card_reader"),
        checklist=_checklist(impl),
    )
    out({"case_number": case.case_number, "task_code": impl.task_code})


def online_apply() -> None:
    """The 攀枝花 citizen applies online on 攀枝花's portal for a 长治 item (b)."""
    window = _window("panzhihua")
    impl = _item(window, "140400")
    user = _user("panzhihua", "applicant")
    c = CITIZENS["panzhihua"]
    draft = case_create_draft(
        actor=user,
        implementation=impl,
        intake=IntakeInput(
            applicant=ApplicantInput(kind="person", name=c.name, code=c.id_number),
            channel="pc",
        ),
    )
    for m in draft.materials.filter(status=MaterialStatus.MISSING, is_required=True):
        material_upload(
            actor=user,
            case=draft,
            material_id=m.pk,
            file_name="a.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    case = case_transition(actor=user, case=draft, to="submitted")
    out({"case_number": case.case_number, "mode": case.mode})


def joint_apply() -> None:
    """攀枝花's window takes in a 多地联办 application: parts 长治, 攀枝花, 沈阳 (c)."""
    window = _window("panzhihua")
    impls = [_item(window, r, joint=True) for r in ("140400", "510400", "210100")]
    parent = joint_application_create(
        actor=_user("panzhihua", "clerk"),
        window=window,
        intake=IntakeInput(applicant=_applicant(1), channel="window", idempotency_key="joint-1"),
        identity=IdentityCheck(verified=True, method="card_reader"),
        parts=[JointPart(i.task_code, _checklist(i)) for i in impls],
    )
    out({"case_number": parent.case_number, "parts": [p.case_number for p in parent.parts.all()]})


def _handled(intake_number: str) -> Case:
    return Case.objects.get(remote_case_number=intake_number, handled_for_node__gt="")


def decide(region_key: str, intake_number: str, outcome: str = "approved") -> None:
    """The deciding node's department moves its record of ``intake_number``."""
    case = _handled(intake_number)
    reviewer, approver = _user(region_key, "reviewer"), _user(region_key, "approver")
    steps = APPROVE if outcome == "approved" else (*APPROVE[:3], "denied")
    if case.status in steps:  # e.g. back in 预审 after a supplement
        steps = steps[steps.index(case.status) + 1 :]
    for to in steps:
        actor = approver if to in ("approved", "denied", "result_issued") else reviewer
        case = case_transition(
            actor=actor, case=case, to=to, opinion="材料不符合要求" if to == "denied" else ""
        )
    out({"case_number": case.case_number, "status": case.status})


def decide_local(region_key: str, number: str) -> None:
    """A part decided on the intake node itself."""
    case = Case.objects.get(case_number=number)
    reviewer, approver = _user(region_key, "reviewer"), _user(region_key, "approver")
    for to in APPROVE:
        actor = approver if to in ("approved", "result_issued") else reviewer
        case = case_transition(actor=actor, case=case, to=to)
    out({"case_number": case.case_number, "status": case.status})


def ask_supplement(region_key: str, intake_number: str) -> None:
    case = _handled(intake_number)
    reviewer = _user(region_key, "reviewer")
    case = case_transition(actor=reviewer, case=case, to="pre_review")
    m = case.materials.filter(status=MaterialStatus.PROVIDED).order_by("pk").first()
    assert m is not None
    case_request_supplement(
        actor=reviewer, case=case, defects=[Defect(m.pk, "扫描件不清晰")], opinion="请补正"
    )
    out({"material": m.name})


def supplement_at_window(number: str) -> None:
    case = Case.objects.get(case_number=number)
    flagged = CaseMaterial.objects.filter(case=case, status=MaterialStatus.DEFECTIVE)
    case = window_supplement(
        actor=_user("panzhihua", "clerk"),
        case=case,
        scans={m.pk: [Scan("补正.pdf", PDF_BYTES + b"%2", "application/pdf")] for m in flagged},
    )
    out({"status": case.status})


def ship_originals(number: str, tracking: str) -> None:
    case = Case.objects.get(case_number=number)
    shipment_send(
        actor=_user("panzhihua", "clerk"),
        case=case,
        kind="originals",
        carrier="EMS",
        tracking_number=tracking,
    )
    out({"tracking": tracking})


def receive_originals(region_key: str, intake_number: str) -> None:
    case = _handled(intake_number)
    s = case.shipments.get()
    shipment_receive(actor=_user(region_key, "reviewer"), shipment=s)
    out({"received": True})


def hand_over(number: str) -> None:
    case = Case.objects.get(case_number=number)
    case = result_hand_over(
        actor=_user("panzhihua", "clerk"), case=case, method="pickup", recipient="本人"
    )
    out({"status": case.status})


def state(number: str = "", intake_number: str = "") -> None:
    """One record (by its own number, or the record handled for ``intake_number``)."""
    qs = Case.objects.filter(case_number=number) if number else None
    if intake_number:
        qs = Case.objects.filter(remote_case_number=intake_number, handled_for_node__gt="")
    case = qs.first() if qs is not None else None
    if case is None:
        out({"exists": False, "count": application_count()})
        return
    events = list(case.events.order_by("seq"))
    out(
        {
            "exists": True,
            "matches": qs.count() if qs is not None else 0,
            "case_number": case.case_number,
            "status": case.status,
            "mode": case.mode,
            "handled_for_node": case.handled_for_node,
            "remote_node": case.remote_node,
            "remote_case_number": case.remote_case_number,
            "statuses": [e.to_status for e in events if e.to_status],
            "actions": [e.action for e in events],
            "files": sum(m.files.count() for m in case.materials.all()),
            "shipments": [
                [s.tracking_number, s.received_at is not None] for s in case.shipments.all()
            ],
            "promised_deadline": case.promised_deadline,
            "result_note": case.result_note,
            "count": application_count(),
            "parts": [[p.case_number, p.status, p.remote_node] for p in case.parts.all()],
        }
    )
