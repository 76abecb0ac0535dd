"""Steps the cluster tests run *inside* one demo node (``tongban shell -c``), each
printing one JSON line: what the tests need to know about a node (its window and items),
the 多地联办 intake (no API route for it yet) and a record's federation fields and the
node's application count (not in the API). Every other user action goes over HTTP
(``node_http``); the messages between the nodes travel signed by their workers.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from tongban.accounts.models import User, Window
from tongban.cases.joint import JointPart, joint_application_create
from tongban.cases.joint_selectors import application_count
from tongban.cases.models import Case
from tongban.cases.services import ApplicantInput, IntakeInput
from tongban.cases.services_window import (
    ChecklistEntry,
    IdentityCheck,
    Scan,
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


def context() -> None:
    """What the HTTP steps need to know about 攀枝花: its window and the items used."""
    window = _window("panzhihua")
    remote, local = _item(window, "140400"), _item(window, "510400")
    out(
        {
            "window_id": window.pk,
            "remote_item": remote.task_code,
            "remote_item_name": remote.current_version.name,  # type: ignore[union-attr]
            "local_item": local.task_code,
        }
    )


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
