"""Counter intake for ``tongban bench cases``: the one-call service (``case_intake``) and
its batch form (``case_intake_batch``), on the catalogue of cases_data.py.

Every application is a walk-in at a window: the applicant's 身份证号 (checked), the
identity check, three scanned PDFs (magic bytes checked, files written), the original
of a material checked where the item asks for it, then submit and accept. Half are taken
in at a cross-province window (异地代收代办: a hand-off message each), half at the local
window of the deciding region.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tongban.accounts.models import User, Window
from tongban.bench.cases_data import PDF, Catalogue, _Steps
from tongban.catalog.models import ItemImplementation


def _application(impl: ItemImplementation, key: str, seq: int) -> Any:
    from tongban.cases.requirements import version_requirements
    from tongban.cases.services import ApplicantInput, IntakeInput
    from tongban.cases.services_intake import CounterApplication
    from tongban.cases.services_window import ChecklistEntry, IdentityCheck, Scan
    from tongban.core.ids import make_id_number

    version = impl.current_version
    assert version is not None
    code = make_id_number(f"5104021990{1 + seq % 12:02d}{1 + seq % 28:02d}{seq % 1000:03d}")
    return CounterApplication(
        implementation=impl,
        intake=IntakeInput(
            applicant=ApplicantInput(kind="person", name="申请人", code=code, phone="13800000000"),
            channel="window",
            idempotency_key=key,
        ),
        identity=IdentityCheck(verified=True, method="card_reader"),
        checklist=[
            ChecklistEntry(
                requirement_id=r.pk,
                received=True,
                original_checked=r.original_required,
                scans=[Scan(f"{r.name}.pdf", PDF, "application/pdf")],
            )
            for r in version_requirements(version)
        ],
    )


def _window_for(
    cat: Catalogue, i: int, impls: list[ItemImplementation]
) -> tuple[Window, User, list[ItemImplementation]]:
    """Even: a cross-province window (any item); odd: the local window of one deciding
    region (its own items)."""
    if i % 2 == 0:
        window, clerk = cat.proxy_windows[(i // 2) % len(cat.proxy_windows)]
        return window, clerk, impls
    regions = sorted({impl.region_id for impl in impls})
    region = regions[(i // 2) % len(regions)]
    window, clerk = cat.local_windows[region]
    return window, clerk, [impl for impl in impls if impl.region_id == region]


def intake_counter_one(
    cat: Catalogue,
    i: int,
    *,
    today: date,
    impls: list[ItemImplementation],
    run: str = "r",
    marks: dict[str, float] | None = None,
) -> int:
    """One walk-in application through ``case_intake``; returns the case id."""
    from tongban.cases.services_intake import case_intake

    window, clerk, mine = _window_for(cat, i, impls)
    impl = mine[i % len(mine)]
    step = _Steps(marks)
    step("", clerk)  # each intake is one request: the clerk's grants are loaded anew
    app = _application(impl, f"bench-one-{run}-{today:%Y%m%d}-{i}", i)
    case = case_intake(actor=clerk, window=window, application=app, today=today)
    step("one call", clerk)
    assert case.pk is not None
    return case.pk


def intake_counter_batch(
    cat: Catalogue,
    b: int,
    size: int,
    *,
    today: date,
    impls: list[ItemImplementation],
    run: str = "r",
    marks: dict[str, float] | None = None,
) -> list[int]:
    """Batch number ``b`` of ``size`` applications at one window through
    ``case_intake_batch``; returns the case ids."""
    from tongban.cases.services_intake import case_intake_batch

    window, clerk, mine = _window_for(cat, b, impls)
    step = _Steps(marks)
    step("", clerk)
    apps = [
        _application(mine[k % len(mine)], f"bench-batch-{run}-{today:%Y%m%d}-{b}-{k}", b * size + k)
        for k in range(size)
    ]
    result = case_intake_batch(actor=clerk, window=window, applications=apps, today=today)
    step("batch", clerk)
    return [c.pk for c in result.cases if c.pk is not None]
