"""Cases at volume for ``tongban bench cases``, generated directly rather than through
the services (which would take hours for a million): realistic rows inserted with COPY
on PostgreSQL and ``bulk_create`` elsewhere."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from tongban.bench.cases_data import HANDLING, TZ, Catalogue

# Status mix of a mature system: most cases finished, a working set open.
STATUS_WEIGHTS = {
    "draft": 3,
    "submitted": 3,
    "pre_review": 2,
    "accepted": 8,
    "supplement_requested": 3,
    "special_procedure": 1,
    "under_review": 14,
    "approved": 3,
    "denied": 1,
    "result_issued": 4,
    "delivered": 3,
    "closed": 50,
    "refused": 2,
    "withdrawn": 3,
}
CHANNEL_WEIGHTS = {"pc": 35, "mobile": 35, "window": 25, "kiosk": 3, "hotline": 2}
_NOT_SUBMITTED = {"draft"}
_NOT_ACCEPTED = {"draft", "submitted", "pre_review", "refused", "withdrawn"}
# Proxy cases whose originals are still on their way out (posted within days of intake).
_ORIGINALS_PENDING = {"submitted", "pre_review", "accepted"}


def _insert_cases(rows: list[dict[str, Any]]) -> None:
    """Insert generated rows: COPY on PostgreSQL (a million rows in about a minute),
    ``bulk_create`` elsewhere. ``auto_now_add`` is bypassed on purpose: generated cases
    carry creation times spread over the year."""
    from django.db import connection

    from tongban.cases.models import Case

    if connection.vendor != "postgresql":
        f = Case._meta.get_field("created_at")
        saved = getattr(f, "auto_now_add", False)
        setattr(f, "auto_now_add", False)  # noqa: B010 — a field flag, not an attribute typo
        try:
            Case.objects.bulk_create([Case(**r) for r in rows], batch_size=2000)
        finally:
            setattr(f, "auto_now_add", saved)  # noqa: B010
        return
    fields = [f for f in Case._meta.concrete_fields if f.attname != "id"]
    defaults = {f.attname: f.get_default() for f in fields}
    columns = ", ".join(f'"{f.column}"' for f in fields)
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY cases_case ({columns}) FROM STDIN") as copy:
        for r in rows:
            values = [r[a] if a in r else defaults[a] for a in defaults]
            copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in values])


def cases_generate(
    cat: Catalogue, n: int, *, seed: int = 7, batch: int = 20_000, log: Any = None
) -> int:
    """Generate ``n`` realistic cases directly (not through the services): statuses
    spread, created over Jan–Nov 2026 with deadlines from the calendar, five deciding
    regions, ten departments, all channels, online applicants and repeat applicant codes.
    Case numbers continue the per-day sequences so later intakes never collide."""
    from tongban.cases.deadlines import acceptance_deadline, completion_deadlines
    from tongban.cases.models import CaseNumberSequence
    from tongban.cases.numbering import format_case_number
    from tongban.cases.requirements import version_requirements
    from tongban.core.calendar_store import work_calendar
    from tongban.core.ids import make_id_number

    rng = random.Random(seed)
    cal = work_calendar()
    statuses, s_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    channels, c_weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
    serials = {(s.task_code, s.day): s.last_serial for s in CaseNumberSequence.objects.all()}
    # Walk-in applicants: about three cases per identity number over the year.
    born = date(1950, 1, 1)
    codes = [
        make_id_number(f"{HANDLING[k % 5]}{born + timedelta(days=k // 1000):%Y%m%d}{k % 1000:03d}")
        for k in range(min(max(50, n // 3), 200_000))
    ]
    day_span = (date(2026, 11, 20) - date(2026, 1, 5)).days
    needs_originals = {
        impl.pk: any(r.original_required for r in version_requirements(impl.current_version))
        for impl in cat.impls
        if impl.current_version is not None
    }
    acc_cache: dict[date, date | None] = {}
    done_cache: dict[tuple[date, int, int], Any] = {}
    made = 0
    while made < n:
        rows = []
        for _ in range(min(batch, n - made)):
            impl = rng.choice(cat.impls)
            v = impl.current_version
            assert v is not None
            status = rng.choices(statuses, s_weights)[0]
            channel = rng.choices(channels, c_weights)[0]
            day = date(2026, 1, 5) + timedelta(days=rng.randrange(day_span))
            created = datetime.combine(day, time(8 + rng.randrange(10)), TZ)
            created += timedelta(seconds=rng.randrange(3600))
            row: dict[str, Any] = {
                "implementation_id": impl.pk,
                "version_id": v.pk,
                "item_name": v.name,
                "item_kind": v.kind,
                "statutory_days": v.statutory_days,
                "promised_days": v.promised_days,
                "applicant_kind": "person",
                "applicant_name": "申请人",
                "applicant_phone": "13800000000",
                "channel": channel,
                "mode": "local",
                "intake_region_id": impl.region_id,
                "handling_department_id": impl.department_id,
                "handling_region_id": impl.region_id,
                "status": status,
                "revision": rng.randrange(1, 12),
                "created_at": created,
                "status_changed_at": created,
            }
            if channel == "window":
                proxy = rng.random() < 0.4
                w, clerk = (
                    rng.choice(cat.proxy_windows) if proxy else cat.local_windows[impl.region_id]
                )
                row.update(
                    intake_window_id=w.pk,
                    intake_clerk_id=clerk.pk,
                    intake_region_id=w.center.region_id,
                    mode="proxy_intake" if proxy else "local",
                    originals_pending=proxy
                    and needs_originals.get(impl.pk, False)
                    and status in _ORIGINALS_PENDING,
                )
            if channel in ("pc", "mobile"):
                user = rng.choice(cat.applicants)
                row.update(
                    applicant_user_id=user.pk, applicant_code=user.id_number, mode="fully_online"
                )
            else:
                row["applicant_code"] = rng.choice(codes)
            if status not in _NOT_SUBMITTED:
                key = (impl.task_code, day)
                serials[key] = serials.get(key, 0) + 1
                if day not in acc_cache:
                    acc_cache[day] = acceptance_deadline(cal, day)
                row.update(
                    case_number=format_case_number(impl.task_code, day, serials[key]),
                    submitted_at=created,
                    acceptance_deadline=acc_cache[day],
                    deadline_unknown=acc_cache[day] is None,
                )
            if status not in _NOT_ACCEPTED:
                accepted_on = day + timedelta(days=rng.randrange(0, 3))
                ck = (accepted_on, v.promised_days, v.statutory_days)
                if ck not in done_cache:
                    done_cache[ck] = completion_deadlines(
                        cal,
                        accepted_on=accepted_on,
                        promised_days=v.promised_days,
                        statutory_days=v.statutory_days,
                        pauses=[],
                    )
                d = done_cache[ck]
                row.update(
                    accepted_at=created,
                    accepted_on=accepted_on,
                    promised_deadline=d.promised,
                    statutory_deadline=d.statutory,
                    deadline_unknown=d.unknown,
                )
            if status in ("supplement_requested", "special_procedure"):
                row["paused_from"] = "under_review"
            if status in ("closed", "refused", "withdrawn"):
                row["closed_at"] = created
            rows.append(row)
        _insert_cases(rows)
        made += len(rows)
        if log is not None and (made % (batch * 10) == 0 or made == n):
            log(f"  generated {made:,} cases")
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(task_code=t, day=d, last_serial=s) for (t, d), s in serials.items()],
        update_conflicts=True,
        unique_fields=["task_code", "day"],
        update_fields=["last_serial"],
        batch_size=5000,
    )
    return made
