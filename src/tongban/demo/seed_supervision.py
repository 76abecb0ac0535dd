"""Demo 电子监察: online cases of the 长治 applicant whose deadlines fell due (two red,
two yellow), one scan so the supervisor (``changzhi.supervisor``) sees their cards, and
one 督办 already answered by the department. Idempotent: cases are found again by their
idempotency keys; the scanner never raises a card twice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from tongban.accounts.models import User
from tongban.cases.deadlines import acceptance_deadline, completion_deadlines
from tongban.cases.models import Case, MaterialStatus
from tongban.cases.services import ApplicantInput, IntakeInput, case_create_draft, case_transition
from tongban.cases.services_materials import material_upload
from tongban.catalog.models import ItemImplementation
from tongban.core.calendar import CalendarExhausted, WorkCalendar, remaining_working_days
from tongban.core.calendar_store import work_calendar
from tongban.core.errors import TongbanError
from tongban.supervision.models import Card, Escalation
from tongban.supervision.scanner import cards_scan
from tongban.supervision.services import escalation_issue, escalation_reply
from tongban.supervision.stats import stats_refresh

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# (idempotency key, status, working days the deadline is past (+) or still ahead (-))
PLAN = [
    ("demo-sv-red-review", "under_review", 3),
    ("demo-sv-red-intake", "pre_review", 2),
    ("demo-sv-yellow-1", "accepted", -1),
    ("demo-sv-yellow-2", "under_review", 0),
]
PATHS = {
    "pre_review": ["submitted", "pre_review"],
    "accepted": ["submitted", "pre_review", "accepted"],
    "under_review": ["submitted", "pre_review", "accepted", "under_review"],
}


def _start_day(cal: WorkCalendar, today: date, status: str, days: int, promised: int) -> date:
    """The day to submit/accept on so that the running deadline lands ``days`` working
    days before (or after, when negative) today."""
    d = today
    for _ in range(120):
        d -= timedelta(days=1)
        if status == "pre_review":
            deadline = acceptance_deadline(cal, d)
        else:
            deadline = completion_deadlines(
                cal, accepted_on=d, promised_days=promised, statutory_days=promised, pauses=[]
            ).promised
        if deadline is None:
            continue
        late = -remaining_working_days(cal, today, deadline)
        if late >= days and (days > 0 or deadline >= today):
            return d
    return d


def _case(
    key: str,
    status: str,
    days: int,
    applicant: User,
    approver: User,
    impls: list[ItemImplementation],
    today: date,
    cal: WorkCalendar,
) -> Case | None:
    existing = Case.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    intake = IntakeInput(
        applicant=ApplicantInput(
            kind="person",
            name=applicant.display_name,
            code=applicant.id_number,
            phone=applicant.phone,
        ),
        channel="pc",
        idempotency_key=key,
    )
    for impl in impls:
        version = impl.current_version
        if version is None or version.promised_days < 3:
            continue
        try:
            on = _start_day(cal, today, status, days, version.promised_days)
            with transaction.atomic():
                case = case_create_draft(actor=applicant, implementation=impl, intake=intake)
                for m in case.materials.filter(status=MaterialStatus.MISSING):
                    material_upload(
                        actor=applicant,
                        case=case,
                        material_id=m.pk,
                        file_name=f"{m.name}.pdf",
                        data=PDF,
                        claimed_type="application/pdf",
                    )
                for to in PATHS[status]:
                    actor = applicant if to == "submitted" else approver
                    case = case_transition(actor=actor, case=case, to=to, today=on)
                at = datetime.combine(on, time(10), ZoneInfo(settings.TIME_ZONE))
                stamps = {"created_at": at, "submitted_at": at, "status_changed_at": at}
                if case.accepted_at:
                    stamps["accepted_at"] = at
                Case.objects.filter(pk=case.pk).update(**stamps)
                return case
        except (TongbanError, CalendarExhausted):
            continue
    return None


def seed_supervision(*, today: date, region_key: str = "changzhi") -> int:
    """Returns the number of cards raised by the demo scan."""
    applicant = User.objects.filter(username=f"{region_key}.applicant").first()
    approver = User.objects.filter(username=f"{region_key}.approver").first()
    supervisor = User.objects.filter(username=f"{region_key}.supervisor").first()
    if applicant is None or approver is None or supervisor is None or not applicant.id_number:
        return 0
    cal = work_calendar()
    dept_ids = list(
        approver.grants.filter(department__isnull=False).values_list("department_id", flat=True)
    )
    impls = list(
        ItemImplementation.objects.filter(
            Q(department_id__in=dept_ids), current_version__isnull=False
        ).order_by("id")[:30]
    )
    cases = [_case(k, s, d, applicant, approver, impls, today, cal) for k, s, d in PLAN]
    result = cards_scan(today=today, cal=cal)
    stats_refresh(today=today, cal=cal)
    first = cases[0]
    red = Card.objects.filter(case=first, kind="red").first() if first else None
    if red is not None and not Escalation.objects.filter(card=red).exists():
        try:
            esc = escalation_issue(
                actor=supervisor,
                card=red,
                request="该件已超过承诺办结时间，请说明原因并尽快办结。",
                reply_days=3,
                today=today,
                cal=cal,
            )
            escalation_reply(
                actor=approver,
                escalation=esc,
                today=today,
                reply="因申请人补充的证明材料需与外省核实，已加急处理，预计两个工作日内办结。",
            )
        except TongbanError:
            pass  # e.g. the calendar does not reach the reply deadline
    return result.total_raised
