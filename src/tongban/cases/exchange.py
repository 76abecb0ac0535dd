"""One case in the national exchange format (办件信息交换): five groups, as JSON.

``case_exchange`` is pure: it reads only the objects it is given (the selector
``case_exchange_export`` loads the case with its related rows, events, materials with
requirement and files, shipments and pauses) and never the database or the clock.

Keys are English; the groups carry these Chinese names in the national exchange:

| key                  | 组       | content                                                       |
|----------------------|----------|---------------------------------------------------------------|
| ``accept``           | 受理     | case number, item code/name, applicant, submitted/accepted    |
|                      |          | time, intake region/window/channel, handling department       |
| ``process``          | 过程     | each step from the timeline: name, action, start, end,        |
|                      |          | handler, opinion                                              |
| ``result``           | 结果     | result code, time, certificate name/number, by post?,         |
|                      |          | satisfaction (null until ratings exist)                       |
| ``special_procedures`` | 特别程序 | kind, reason, start, end, result (clock paused meanwhile)   |
| ``materials``        | 材料     | name, how received, copies                                    |

Result codes of the legacy national code set (shared/STANDARDS.md), mapped from our
state machine — ``RESULT_CODES`` below is the table, keyed by (status, outcome) where the
outcome is read from the timeline:

| our status                          | outcome (from the timeline)        | code        |
|-------------------------------------|------------------------------------|-------------|
| result_issued / delivered / closed  | approved                           | 0 出证办结  |
| result_issued / delivered / closed  | denied (不予许可决定书, no licence)  | 6 其他办结  |
| refused, or closed after refused    | refused from pre-review            | 1 退回      |
| refused, or closed after refused    | refused while awaiting supplement  | 5 补正逾期  |
| withdrawn                           | withdrawn after submission         | 2 作废      |
| withdrawn                           | draft deleted (never submitted)    | 3 删除      |
| revoked                             | any                                | 2 作废      |
| any other status (still open)       | —                                  | null        |

4 转报 is never produced: an 异地代收代办 hand-off is the same case (one case in the
statistics, see STANDARDS.md), not a report forwarded to another authority.

``materials[].received_via``: ``exempted`` (data sharing / internal check, 免提交),
``deferred`` (容缺后补), ``commitment`` (告知承诺), ``paper`` (handed in at a window, or
the original verified there), ``upload`` (uploaded online), ``none`` (an optional
material nobody provided).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import IntEnum
from typing import Any

from django.utils import timezone

from tongban.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CasePause,
    Channel,
    Delivery,
    MaterialStatus,
    Shipment,
)
from tongban.cases.transitions import CaseStatus

S = CaseStatus
FORMAT = "tongban.case-exchange/1"


class ResultCode(IntEnum):
    ISSUED = 0  # 出证办结
    RETURNED = 1  # 退回
    VOIDED = 2  # 作废
    DELETED = 3  # 删除
    FORWARDED = 4  # 转报 (never produced, see the module docstring)
    SUPPLEMENT_OVERDUE = 5  # 补正逾期
    OTHER = 6  # 其他办结


RESULT_LABELS: dict[ResultCode, str] = {
    ResultCode.ISSUED: "出证办结",
    ResultCode.RETURNED: "退回",
    ResultCode.VOIDED: "作废",
    ResultCode.DELETED: "删除",
    ResultCode.FORWARDED: "转报",
    ResultCode.SUPPLEMENT_OVERDUE: "补正逾期",
    ResultCode.OTHER: "其他办结",
}

# Outcomes read from the timeline (``_outcome``); "*" matches any outcome.
APPROVED, DENIED = "approved", "denied"
REFUSED, REFUSED_AFTER_SUPPLEMENT = "refused", "refused_after_supplement"
DRAFT_DELETED, WITHDRAWN_AFTER_SUBMIT = "draft_deleted", "withdrawn_after_submit"
ANY = "*"

# Keyed by plain strings: an enum member hashes by its name, not its value.
RESULT_CODES: dict[tuple[str, str], ResultCode] = {
    (S.RESULT_ISSUED.value, APPROVED): ResultCode.ISSUED,
    (S.DELIVERED.value, APPROVED): ResultCode.ISSUED,
    (S.CLOSED.value, APPROVED): ResultCode.ISSUED,
    (S.RESULT_ISSUED.value, DENIED): ResultCode.OTHER,
    (S.DELIVERED.value, DENIED): ResultCode.OTHER,
    (S.CLOSED.value, DENIED): ResultCode.OTHER,
    (S.REFUSED.value, REFUSED): ResultCode.RETURNED,
    (S.CLOSED.value, REFUSED): ResultCode.RETURNED,
    (S.REFUSED.value, REFUSED_AFTER_SUPPLEMENT): ResultCode.SUPPLEMENT_OVERDUE,
    (S.CLOSED.value, REFUSED_AFTER_SUPPLEMENT): ResultCode.SUPPLEMENT_OVERDUE,
    (S.WITHDRAWN.value, WITHDRAWN_AFTER_SUBMIT): ResultCode.VOIDED,
    (S.WITHDRAWN.value, DRAFT_DELETED): ResultCode.DELETED,
    (S.REVOKED.value, ANY): ResultCode.VOIDED,
}

# The status whose entry settles each code (its event gives the result time).
_SETTLED_BY: dict[ResultCode, str | None] = {
    ResultCode.ISSUED: S.RESULT_ISSUED,
    ResultCode.OTHER: S.RESULT_ISSUED,
    ResultCode.RETURNED: S.REFUSED,
    ResultCode.SUPPLEMENT_OVERDUE: S.REFUSED,
    ResultCode.VOIDED: None,  # the entry into the current status (withdrawn / revoked)
    ResultCode.DELETED: None,
}

# Names of timeline steps (过程 环节名称) by action.
STEP_NAMES: dict[str, str] = {
    "create": "创建申请",
    "submit": "提交申请",
    "pre_review": "预审",
    "accept": "受理",
    "refuse_acceptance": "不予受理",
    "request_supplement": "一次性告知补正",
    "supplement": "补正",
    "review": "审查",
    "special_procedure": "启动特别程序",
    "end_special_procedure": "结束特别程序",
    "approve": "准予许可",
    "deny": "不予许可",
    "issue_result": "出具结果",
    "deliver": "结果送达",
    "close": "办结",
    "withdraw": "撤回",
    "revoke": "撤销",
    "ship": "寄递",
    "receive_shipment": "签收寄递",
    "check_original": "原件核验",
}

# 持证主体代码类型 as in the licence catalogue: 111 身份证号, 001 统一社会信用代码.
_CODE_TYPES = {"person": "111", "organisation": "001"}


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    return value.isoformat()


def _last(events: Sequence[CaseEvent], to_status: str) -> CaseEvent | None:
    hits = [e for e in events if e.to_status == to_status]
    return hits[-1] if hits else None


def _outcome(status: str, events: Sequence[CaseEvent]) -> str:
    """How the case reached ``status``, as far as the national code set cares."""
    if status == S.WITHDRAWN:
        w = _last(events, S.WITHDRAWN)
        return (
            DRAFT_DELETED if w is not None and w.from_status == S.DRAFT else WITHDRAWN_AFTER_SUBMIT
        )
    refusal = _last(events, S.REFUSED)
    if refusal is not None:
        from_supplement = refusal.from_status == S.SUPPLEMENT_REQUESTED
        return REFUSED_AFTER_SUPPLEMENT if from_supplement else REFUSED
    decisions = [e for e in events if e.to_status in (S.APPROVED, S.DENIED)]
    if decisions:
        return APPROVED if decisions[-1].to_status == S.APPROVED else DENIED
    return ""


def result_code(status: str, events: Sequence[CaseEvent]) -> ResultCode | None:
    """The national result code of a case in ``status`` with this timeline (None: open)."""
    status = str(status)  # a CaseStatus member hashes differently from its value
    code = RESULT_CODES.get((status, _outcome(status, events)))
    return code if code is not None else RESULT_CODES.get((status, ANY))


def _accept(case: Case) -> dict[str, Any]:
    window = case.intake_window
    dept = case.handling_department
    return {
        "case_number": case.case_number,
        "task_code": case.implementation.task_code,
        "catalog_code": case.implementation.baseline.catalog_code,
        "item_name": case.item_name,
        "item_version": case.version.version,
        "applicant": {
            "kind": case.applicant_kind,
            "name": case.applicant_name,
            "code": case.applicant_code,
            "code_type": _CODE_TYPES.get(case.applicant_kind, ""),
            "phone": case.applicant_phone,
            "agent_name": case.agent_name,
            "agent_id_number": case.agent_id_number,
        },
        "submitted_at": _iso(case.submitted_at),
        "accepted_at": _iso(case.accepted_at),
        "intake_region": {"code": case.intake_region.code, "name": case.intake_region.name},
        "intake_window": str(window) if window is not None else None,
        "channel": case.channel,
        "mode": case.mode,
        "handling_department": {"name": dept.name, "uscc": dept.uscc},
        "handling_region": {"code": case.handling_region.code, "name": case.handling_region.name},
        "promised_days": case.promised_days,
        "statutory_days": case.statutory_days,
        "promised_deadline": _iso(case.promised_deadline),
        "statutory_deadline": _iso(case.statutory_deadline),
        "deadline_unknown": case.deadline_unknown,
    }


def _process(events: Sequence[CaseEvent]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    entered: datetime | None = None  # when the case entered its current status
    for e in events:
        start = entered if e.to_status and entered is not None else e.at
        steps.append(
            {
                "seq": e.seq,
                "name": STEP_NAMES.get(e.action, e.action),
                "action": e.action,
                "from_status": e.from_status or None,
                "to_status": e.to_status or None,
                "start": _iso(start),
                "end": _iso(e.at),
                "handler": e.actor_name,
                "handler_role": e.actor_role,
                "opinion": e.opinion,
            }
        )
        if e.to_status:
            entered = e.at
    return steps


def _result(
    case: Case, events: Sequence[CaseEvent], shipments: Sequence[Shipment]
) -> dict[str, Any]:
    code = result_code(case.status, events)
    settled: CaseEvent | None = None
    if code is not None:
        settled = _last(events, _SETTLED_BY.get(code) or case.status)
    by_post = any(s.kind == Shipment.Kind.RESULT for s in shipments) or (
        case.delivery == Delivery.POST
    )
    issued = code in (ResultCode.ISSUED, ResultCode.OTHER)
    return {
        "code": int(code) if code is not None else None,
        "label": RESULT_LABELS[code] if code is not None else None,
        "status": case.status,
        "time": _iso(settled.at) if settled is not None else None,
        "opinion": settled.opinion if settled is not None else "",
        "certificate_name": (case.result_name or case.version.result_name or None)
        if code == ResultCode.ISSUED
        else (case.result_name or None),
        "certificate_number": case.result_number or None,
        "by_post": bool(issued and by_post),
        "satisfaction": None,
    }


def _special_procedures(
    pauses: Sequence[CasePause], events: Sequence[CaseEvent]
) -> list[dict[str, Any]]:
    # The n-th special-procedure pause ends with the n-th event leaving that status.
    endings = [e for e in events if e.from_status == S.SPECIAL_PROCEDURE and e.to_status]
    out = []
    for i, p in enumerate(x for x in pauses if x.kind == S.SPECIAL_PROCEDURE):
        end = endings[i] if i < len(endings) and p.ended_on is not None else None
        out.append(
            {
                "kind": p.kind,
                "kind_label": S.SPECIAL_PROCEDURE.label,
                "reason": p.reason,
                "start": _iso(p.started_on),
                "end": _iso(p.ended_on),
                "result": (end.opinion or STEP_NAMES.get(end.action, end.action)) if end else None,
            }
        )
    return out


def _received_via(case: Case, m: CaseMaterial) -> str:
    fixed = {
        MaterialStatus.EXEMPTED: "exempted",
        MaterialStatus.DEFERRED: "deferred",
        MaterialStatus.COMMITMENT: "commitment",
    }
    if m.status in fixed:
        return fixed[MaterialStatus(m.status)]
    if m.original_checked or (
        case.channel == Channel.WINDOW and m.status == MaterialStatus.PROVIDED
    ):
        return "paper"
    if m.status == MaterialStatus.PROVIDED:
        return "upload"
    return "none"


def _materials(case: Case, materials: Sequence[CaseMaterial]) -> list[dict[str, Any]]:
    return [
        {
            "name": m.name,
            "required": m.is_required,
            "status": m.status,
            "received_via": _received_via(case, m),
            "copies": m.requirement.copies,
            "files": len(m.files.all()),
            "original_checked": m.original_checked,
            "reference": m.reference or None,
        }
        for m in materials
    ]


def case_exchange(
    case: Case,
    *,
    events: Sequence[CaseEvent],
    materials: Sequence[CaseMaterial],
    shipments: Sequence[Shipment],
    pauses: Sequence[CasePause],
) -> dict[str, Any]:
    """The case as the national exchange's five groups (keys: see the module docstring)."""
    ordered = sorted(events, key=lambda e: e.seq)
    return {
        "format": FORMAT,
        "accept": _accept(case),
        "process": _process(ordered),
        "result": _result(case, ordered, shipments),
        "special_procedures": _special_procedures(
            sorted(pauses, key=lambda p: (p.started_on, p.pk or 0)), ordered
        ),
        "materials": _materials(case, materials),
    }
