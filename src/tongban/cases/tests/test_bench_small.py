"""``tongban bench cases`` at toy size on the test database (no subprocess, no server):
the catalogue, intake through the services, bulk generation and every timed query, so
the benchmark cannot rot between runs."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import connection

from tongban.bench.cases_data import catalogue_build, intake_one
from tongban.bench.cases_intake import intake_counter_batch, intake_counter_one
from tongban.bench.cases_queries import explain_all, measure, queries
from tongban.bench.cases_volume import cases_generate
from tongban.cases.models import Case, CaseFile, CaseNumberSequence
from tongban.cases.selectors import CaseFilters, case_list
from tongban.core.actors import SYSTEM
from tongban.federation.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_bench_generation_intake_and_queries(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    cat = catalogue_build(applicants=30, regions=("140400",))
    assert len(cat.impls) == 10 and len(cat.staff) == 2
    assert len(cat.proxy_windows) == 2 and set(cat.local_windows) == {"140400"}

    day = date(2026, 3, 2)
    ids = [intake_one(cat, i, today=day, impls=cat.impls) for i in range(4)]
    intaken = Case.objects.filter(pk__in=ids)
    assert {c.status for c in intaken} == {"accepted"}
    assert {c.channel for c in intaken} == {"pc", "mobile", "window"}
    assert {c.mode for c in intaken} == {"fully_online", "proxy_intake", "local"}
    assert CaseFile.objects.count() == 12  # three real files per case
    assert OutboxMessage.objects.filter(type="cn.tongban.case.handed-off").count() == 1

    # The one-call and batched counter intake on the same catalogue.
    one = [intake_counter_one(cat, i, today=day, impls=cat.impls) for i in range(2)]
    batch = intake_counter_batch(cat, 0, 6, today=day, impls=cat.impls)
    batch += intake_counter_batch(cat, 1, 4, today=day, impls=cat.impls)
    counter = Case.objects.filter(pk__in=one + batch)
    assert len(batch) == 10 and counter.count() == 12
    assert {c.status for c in counter} == {"accepted"} and {c.channel for c in counter} == {
        "window"
    }
    assert {c.mode for c in counter} == {"proxy_intake", "local"}
    assert CaseFile.objects.filter(material__case__in=counter).count() == 36
    assert counter.filter(originals_pending=True).exists()
    ids += one + batch

    assert cases_generate(cat, 200, seed=3, batch=64) == 200
    generated = Case.objects.exclude(pk__in=ids)
    assert generated.count() == 200
    statuses = Counter(generated.values_list("status", flat=True))
    assert len(statuses) >= 6 and statuses["closed"] > statuses["draft"]
    assert generated.filter(status="draft", case_number__isnull=True).count() == statuses["draft"]
    assert len(set(generated.values_list("handling_department_id", flat=True))) == 2
    assert generated.filter(promised_deadline__year=2026).exists()
    assert generated.filter(mode="proxy_intake", intake_window__is_cross_region=True).exists()
    # Generated numbers continue the sequences: the next intake on a busy day is unique.
    busy = generated.exclude(case_number=None).values_list("case_number", flat=True).first()
    assert busy is not None
    top = CaseNumberSequence.objects.get(
        task_code=busy[:31], day=date.fromisoformat(f"{busy[31:35]}-{busy[35:37]}-{busy[37:39]}")
    )
    assert top.last_serial >= int(busy[-4:])
    impl = next(i for i in cat.impls if i.task_code == busy[:31])
    intake_one(cat, 99, today=top.day, impls=[impl], run="after")
    assert Case.objects.filter(case_number__startswith=busy[:39]).count() == top.last_serial + 1

    page = case_list(SYSTEM, CaseFilters(open_only=True), order="deadline")
    assert page.cases and all(c.promised_deadline for c in page.cases)

    samples = measure(cat, rounds=1, log=lambda _: None)
    assert set(samples) == set(queries(cat)) and all(len(v) == 1 for v in samples.values())
    seq_scans = explain_all(cat, log=lambda _: None)
    if connection.vendor == "postgresql":
        assert isinstance(seq_scans, list)
    else:
        assert seq_scans == []
