"""What the case-level fault run does *inside* each node (``tongban shell -c``): seed
the same catalogue on both nodes, the intake side's work (攀枝花's window takes in N
applications for a 长治 item in batches, posts originals, answers supplement notices,
hands results over and closes), the deciding side's work (长治's department moves every
record it handles for the intake node) and the dump of one node's records for the
comparison (``case_compare``).

Everything goes through the service layer with real staff accounts, so the state
machine, the remote guard and the hook that writes the outbox rows run as in
production. Both drivers are restartable: their state is the database (idempotency
keys, statuses, timelines), so a driver killed with its node starts where it stood.

The case plan hangs on the application's index ``i`` (``form_data["chaos"]``):

- ``i % 3 == 0``  the window posts the originals at intake; the department signs for
  them before it accepts;
- ``i % 5 == 1``  the department sends a 一次性告知 supplement notice at 预审; the window
  answers it with a new scan;
- ``i % 10 == 0`` (and not a supplement case) 不予受理, then closed by the department;
- ``i % 4 == 2``  不予许可 after review, the decision issued; otherwise 准予许可, result
  issued; the window hands it over (送达) and closes the case.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.db import OperationalError, transaction
from django.utils import timezone

from tongban.accounts.models import User, Window
from tongban.accounts.services import service_center_create, user_create, window_create
from tongban.cases.joint_selectors import counted_applications
from tongban.cases.models import Case, CaseEvent, CaseFile, CaseMaterial, Shipment
from tongban.cases.services import IntakeInput, case_transition
from tongban.cases.services_intake import CounterApplication, case_intake_batch
from tongban.cases.services_materials import (
    Defect,
    case_request_supplement,
    shipment_receive,
    shipment_send,
)
from tongban.cases.services_remote import DECIDER_FIELDS, LOCAL_ONLY
from tongban.cases.services_window import (
    ChecklistEntry,
    IdentityCheck,
    Scan,
    result_hand_over,
    window_supplement,
)
from tongban.cases.testing import PDF_BYTES, person
from tongban.cases.transitions import CaseStatus
from tongban.catalog.agreements import agreement_create
from tongban.catalog.elements import MaterialInput, StepInput
from tongban.catalog.models import ItemImplementation
from tongban.catalog.services import version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.core.calendar_store import calendar_assume_weekdays
from tongban.core.errors import TongbanError
from tongban.federation.models import InboxMessage, InboxStatus, OutboxMessage
from tongban.federation.testing.chaos_cases import UNFINISHED, items_for
from tongban.regions.models import Region
from tongban.regions.services import regions_load_gb2260
from tongban.testing import elements, make_baseline, make_department, make_implementation

S = CaseStatus
INTAKE_REGION, DECIDING_REGION = "510400", "140400"
KEY = "chaos-"
PHOTO = "近期免冠照片"
FINAL = S.CLOSED

# Timeline entries that never cross to the other node (case_compare leaves them out).
NOT_CROSSING = LOCAL_ONLY | {"hand_off"}


def out(value: dict[str, Any]) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str), flush=True)


def _code(k: int) -> str:
    return f"000105{k:03d}000"


# ---- seed (the same on both nodes) -------------------------------------------------


def seed(*, items: int) -> None:
    """The deciding department, ``items`` published items with the same version on both
    nodes, the intake window, the agreement and the staff accounts."""
    if not Region.objects.filter(code="510402").exists():
        regions_load_gb2260()  # reference data, as ``tongban load-regions``
    # Test nodes state the working-day assumption for years the package lacks, so the
    # deadlines the deciding side copies to the intake side are real dates (ADR 0004).
    calendar_assume_weekdays(through=timezone.localdate() + timedelta(days=183))
    with transaction.atomic():
        dept = make_department(DECIDING_REGION, name="长治市人力资源和社会保障局")
        codes = []
        for k in range(items):
            name = f"社会保障卡申领（通办演练{k + 1}）"
            impl = make_implementation(make_baseline(code=_code(k), name=name), dept)
            el = elements(
                name=name,
                promised_days=5,
                materials=[
                    MaterialInput(
                        name="申请表", acceptance_standard="填写完整并签字", original_required=True
                    ),
                    MaterialInput(name=PHOTO, acceptance_standard="白底彩色"),
                ],
                steps=[
                    StepInput(name="受理", role="clerk", days=1),
                    StepInput(name="审查", role="reviewer", days=2),
                    StepInput(name="决定", role="approver", days=1),
                ],
            )
            v = version_create_draft(actor=SYSTEM, implementation=impl, elements=el)
            version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
            codes.append(impl.task_code)
        center = service_center_create(name="攀枝花市政务服务中心", region_code="510402")
        window = window_create(
            center=center, name="跨省通办专窗", number="18", is_cross_region=True
        )
        agreement_create(
            actor=SYSTEM,
            name="长治—攀枝花跨省通办合作协议（故障演练）",
            scope="cross_province",
            party_codes=[DECIDING_REGION, INTAKE_REGION],
            catalog_codes=[_code(k) for k in range(items)],
            valid_from="2026-01-01",
            rights={"receive", "notify", "verify_original", "deliver_result"},
        )
        for username, role, region, d, w in (
            ("chaos_clerk", "clerk", INTAKE_REGION, None, window),
            ("chaos_reviewer", "reviewer", DECIDING_REGION, dept, None),
            ("chaos_approver", "approver", DECIDING_REGION, dept, None),
        ):
            user_create(
                username=username,
                password="pass-1234",
                display_name=username,
                grants=[(role, region, d, w)],
            )
    out({"items": codes, "window": window.pk})


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _attempt(step: Callable[[], Any]) -> bool:
    """One service call; False when it was refused or lost a race with the node's own
    inbox (the next round looks again)."""
    try:
        step()
    except (TongbanError, OperationalError):
        return False
    return True


# ---- the intake side (攀枝花) ------------------------------------------------------


def _application(impl: ItemImplementation, i: int, to: str) -> CounterApplication:
    version = impl.current_version
    assert version is not None
    checklist = [
        ChecklistEntry(
            requirement_id=r.pk,
            received=True,
            original_checked=r.original_required,
            scans=[Scan(f"{r.name}.pdf", PDF_BYTES, "application/pdf")],
        )
        for r in version.materials.all()
    ]
    return CounterApplication(
        implementation=impl,
        intake=IntakeInput(
            applicant=person(f"申请人{i}", seq=i % 1000),
            channel="window",
            delivery="pickup",
            idempotency_key=f"{KEY}{i}",
            form_data={"chaos": i},
        ),
        identity=IdentityCheck(verified=True, method="card_reader"),
        checklist=checklist,
        to=to,
    )


def _index(case: Case) -> int:
    return int((case.form_data or {}).get("chaos", -1))


def intake_side(*, n: int, batch: int = 100, to: str = S.SUBMITTED, deadline: float = 3600) -> None:
    """Take in ``n`` applications in batches (idempotent: a restarted driver replays),
    post the originals of every third, then answer supplement notices and hand results
    over until every case is closed here."""
    clerk = _user("chaos_clerk")
    window = Window.objects.get(name="跨省通办专窗")
    impls = list(
        ItemImplementation.objects.filter(region_id=DECIDING_REGION)
        .select_related("current_version")
        .order_by("task_code")
    )
    k = items_for(n)
    started = time.monotonic()
    for lo in range(0, n, batch):
        apps = [_application(impls[i % k], i, to) for i in range(lo, min(n, lo + batch))]
        cases = case_intake_batch(actor=clerk, window=window, applications=apps).cases
        for case in cases:
            if _index(case) % 3 == 0 and not case.shipments.exists():
                _attempt(functools.partial(_post_originals, clerk, case))
    out({"side": "intake", "taken_in": n, "seconds": round(time.monotonic() - started, 1)})
    ours = Case.objects.filter(idempotency_key__startswith=KEY, handled_for_node="")
    while time.monotonic() - started < deadline:
        todo = list(ours.exclude(status=FINAL).only("pk", "status", "applicant_name"))
        if not todo:
            out({"side": "intake", "done": n, "seconds": round(time.monotonic() - started, 1)})
            return
        moved = 0
        for case in todo:
            moved += _intake_step(clerk, case)
        if not moved:
            time.sleep(0.5)
    out({"side": "intake", "timeout": True, "open": ours.exclude(status=FINAL).count()})
    sys.exit(UNFINISHED)


def _post_originals(clerk: User, case: Case) -> Shipment:
    return shipment_send(
        actor=clerk,
        case=case,
        kind="originals",
        carrier="EMS",
        tracking_number=f"EO{_index(case):09d}CN",
    )


def _intake_step(clerk: User, case: Case) -> int:
    if case.status == S.SUPPLEMENT_REQUESTED:
        flagged = case.materials.filter(status="defective")
        scans = {
            m.pk: [Scan("补正.pdf", PDF_BYTES + b"%supplement\n", "application/pdf")]
            for m in flagged
        }
        return int(_attempt(lambda: window_supplement(actor=clerk, case=case, scans=scans)))
    if case.status == S.RESULT_ISSUED:
        return int(
            _attempt(
                lambda: result_hand_over(
                    actor=clerk, case=case, method="pickup", recipient=case.applicant_name
                )
            )
        )
    if case.status == S.DELIVERED:
        return int(_attempt(lambda: case_transition(actor=clerk, case=case, to=S.CLOSED)))
    return 0


# ---- the deciding side (长治) ------------------------------------------------------


def deciding_side(*, n: int, intake_node: str, deadline: float = 3600) -> None:
    """Move every record handled for ``intake_node`` along its plan until all ``n`` are
    closed here."""
    reviewer, approver = _user("chaos_reviewer"), _user("chaos_approver")
    started = time.monotonic()
    records = Case.objects.filter(handled_for_node=intake_node)
    waiting = (S.CLOSED, S.RESULT_ISSUED, S.DELIVERED, S.SUPPLEMENT_REQUESTED)
    while time.monotonic() - started < deadline:
        done = records.filter(status=FINAL).count()
        if done >= n:
            out({"side": "deciding", "done": done, "seconds": round(time.monotonic() - started, 1)})
            return
        todo = list(records.exclude(status__in=waiting).order_by("pk")[:2000])
        ids = [c.pk for c in todo]
        asked = set(
            CaseEvent.objects.filter(case_id__in=ids, action="request_supplement").values_list(
                "case_id", flat=True
            )
        )
        shipments: dict[int, list[Shipment]] = defaultdict(list)
        for s in Shipment.objects.filter(case_id__in=ids):
            shipments[s.case_id].append(s)
        moved = 0
        for case in todo:
            moved += _deciding_step(
                reviewer, approver, case, asked=case.pk in asked, shipments=shipments[case.pk]
            )
        if not moved:
            time.sleep(0.5)
    out({"side": "deciding", "timeout": True, "open": records.exclude(status=FINAL).count()})
    sys.exit(UNFINISHED)


def _deciding_step(
    reviewer: User, approver: User, case: Case, *, asked: bool, shipments: list[Shipment]
) -> int:
    i = _index(case)
    move: Callable[[], Any] | None = None
    if case.status == S.SUBMITTED:
        move = lambda: case_transition(actor=reviewer, case=case, to=S.PRE_REVIEW)  # noqa: E731
    elif case.status == S.PRE_REVIEW:
        unreceived = [s for s in shipments if s.received_at is None]
        if unreceived:
            move = lambda: shipment_receive(actor=reviewer, shipment=unreceived[0])  # noqa: E731
        elif i % 3 == 0 and not shipments:
            return 0  # the originals' shipment has not reached this node yet
        elif i % 5 == 1 and not asked:
            photo = case.materials.get(name=PHOTO)
            move = lambda: case_request_supplement(  # noqa: E731
                actor=reviewer,
                case=case,
                defects=[Defect(photo.pk, "照片背景不是白色")],
                opinion="请补正照片",
            )
        elif i % 10 == 0 and i % 5 != 1:
            move = lambda: case_transition(  # noqa: E731
                actor=reviewer, case=case, to=S.REFUSED, opinion="不属于本机关受理范围"
            )
        else:
            move = lambda: case_transition(actor=reviewer, case=case, to=S.ACCEPTED)  # noqa: E731
    elif case.status == S.ACCEPTED:
        move = lambda: case_transition(actor=reviewer, case=case, to=S.UNDER_REVIEW)  # noqa: E731
    elif case.status == S.UNDER_REVIEW:
        to, why = (S.DENIED, "不符合申领条件") if i % 4 == 2 else (S.APPROVED, "准予")
        move = lambda: case_transition(actor=approver, case=case, to=to, opinion=why)  # noqa: E731
    elif case.status in (S.APPROVED, S.DENIED):
        move = lambda: case_transition(actor=approver, case=case, to=S.RESULT_ISSUED)  # noqa: E731
    elif case.status == S.REFUSED:
        move = lambda: case_transition(actor=reviewer, case=case, to=S.CLOSED)  # noqa: E731
    return int(move is not None and _attempt(move))


# ---- the dump --------------------------------------------------------------------


def _events(ids: Iterable[int]) -> dict[int, list[list[Any]]]:
    out_: dict[int, list[list[Any]]] = defaultdict(list)
    rows = (
        CaseEvent.objects.filter(case_id__in=list(ids))
        .order_by("case_id", "seq")
        .values_list("case_id", "seq", "action", "from_status", "to_status", "data")
    )
    for case_id, seq, action, frm, to, data in rows:
        d = data or {}
        local = action in NOT_CROSSING
        out_[case_id].append(
            [seq, action, frm, to, d.get("origin_node", ""), d.get("origin_seq"), local]
        )
    return out_


def dump(*, path: str, intake_node: str = "") -> None:
    """Write this node's records of the run as JSON: the intake side's applications
    (``intake_node`` empty) or the records handled for ``intake_node``."""
    if intake_node:
        qs = Case.objects.filter(handled_for_node=intake_node)
    else:
        qs = Case.objects.filter(idempotency_key__startswith=KEY, handled_for_node="")
    cases = list(qs.order_by("pk"))
    ids = [c.pk for c in cases]
    events = _events(ids)
    ships: dict[int, list[list[Any]]] = defaultdict(list)
    for s in Shipment.objects.filter(case_id__in=ids).order_by("pk"):
        ships[s.case_id].append([s.kind, s.carrier, s.tracking_number, s.received_at is not None])
    files: dict[int, int] = defaultdict(int)
    for mid in CaseFile.objects.filter(material__case_id__in=ids).values_list(
        "material_id", flat=True
    ):
        files[mid] += 1
    materials: dict[int, list[list[Any]]] = defaultdict(list)
    for m in CaseMaterial.objects.filter(case_id__in=ids).order_by("case_id", "name"):
        materials[m.case_id].append([m.name, m.status, m.original_checked, files[m.pk]])
    counted = set(counted_applications().filter(pk__in=ids).values_list("pk", flat=True))
    records = [
        {
            "index": _index(c),
            "number": c.case_number,
            "remote_node": c.remote_node,
            "remote_number": c.remote_case_number,
            "handled_for": c.handled_for_node,
            "status": c.status,
            "counted": c.pk in counted,
            "fields": {
                f: (v.isoformat() if isinstance(v, date) else v)
                for f in DECIDER_FIELDS
                for v in [getattr(c, f)]
            },
            "events": events[c.pk],
            "shipments": ships[c.pk],
            "materials": materials[c.pk],
        }
        for c in cases
    ]
    state = {
        "records": records,
        "outbox_open": OutboxMessage.objects.exclude(status="delivered").count(),
        "inbox_held": InboxMessage.objects.filter(status=InboxStatus.HELD).count(),
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(state, fh, ensure_ascii=False)
    out({"dumped": len(records), "path": path})
