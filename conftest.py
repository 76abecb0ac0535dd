"""Shared pytest fixtures. Tests run on SQLite by default and on PostgreSQL when
DATABASE_URL points at one (.ci/run does both)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TONGBAN_ENV", "test")


def _ensure_reference_data() -> None:
    """The GB/T 2260 region tree and the working-day calendar (every year
    chinese_calendar knows): reference data every test may need."""
    from tongban.core.calendar_store import calendar_cache_clear, calendar_load_from_package
    from tongban.core.models import CalendarYear
    from tongban.regions.models import Region
    from tongban.regions.services import regions_load_gb2260

    if not Region.objects.exists():
        regions_load_gb2260()
    if not CalendarYear.objects.exists():
        calendar_load_from_package()
        calendar_cache_clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load reference data once per run; ordinary tests roll back to it."""
    with django_db_blocker.unblock():
        _ensure_reference_data()
    yield
    # The licence row feed's listening connection would keep the test database open.
    from tongban.licences.row_feed import FEED

    FEED.close()


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):  # type: ignore[no-untyped-def]
    """Transactional tests (browser tests, threads) end with a flush that empties every
    table; give each of them the reference data again."""
    marker = request.node.get_closest_marker("django_db")
    wants_tx = (marker is not None and marker.kwargs.get("transaction")) or (
        "live_server" in request.fixturenames
    )
    if wants_tx:
        request.getfixturevalue("transactional_db")
        _ensure_reference_data()
    yield


@pytest.fixture
def calendar_covers_today(db):  # type: ignore[no-untyped-def]
    """For tests whose services take "today" from the clock (API and page flows): the
    deadlines of a case opened today must be computable whatever the date of the run. From
    about November they reach into a year chinese_calendar does not know; this declares
    such years on the Monday–Friday rule, as the demo node does (ADR 0004)."""
    from datetime import timedelta

    from django.utils import timezone

    from tongban.core.calendar_store import calendar_assume_weekdays

    return calendar_assume_weekdays(through=timezone.localdate() + timedelta(days=366))
