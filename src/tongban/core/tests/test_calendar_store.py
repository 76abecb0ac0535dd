"""The calendar table: seeding from chinese_calendar, administrator edits, the cache."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from tongban.accounts.models import Role
from tongban.core.actors import SYSTEM
from tongban.core.calendar import CalendarExhausted, add_working_days, is_working_day
from tongban.core.calendar_store import (
    calendar_coverage,
    calendar_day_set,
    calendar_load_from_package,
    calendar_year_set,
    package_year_range,
    work_calendar,
)
from tongban.core.errors import PermissionDenied
from tongban.core.models import CalendarDay, CalendarSource, CalendarYear, DayKind
from tongban.testing import make_user


@pytest.fixture(autouse=True)
def empty_calendar():  # type: ignore[no-untyped-def]
    """These tests start from an empty calendar table (the session setup preloads every
    year chinese_calendar knows); the test transaction restores it afterwards."""
    from tongban.core.calendar_store import calendar_cache_clear

    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    calendar_cache_clear()
    yield
    calendar_cache_clear()


pytestmark = pytest.mark.django_db


def test_load_seeds_every_day_with_kinds_and_chinese_names() -> None:
    result = calendar_load_from_package([2026])
    assert result.loaded_years == [2026] and result.unknown_years == []
    assert result.created == 365
    assert CalendarDay.objects.filter(date__year=2026).count() == 365
    row = CalendarDay.objects.get(date=date(2026, 2, 16))
    assert (row.is_working_day, row.kind, row.name) == (False, DayKind.HOLIDAY, "春节")
    assert row.source == CalendarSource.PACKAGE
    sat = CalendarDay.objects.get(date=date(2026, 2, 14))
    assert (sat.is_working_day, sat.kind, sat.name) == (True, DayKind.WORKDAY_ADJUSTED, "春节")
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).name == "国庆节"
    sunday = CalendarDay.objects.get(date=date(2026, 3, 1))
    assert (sunday.is_working_day, sunday.kind, sunday.name) == (False, DayKind.WEEKEND, "")
    assert CalendarDay.objects.get(date=date(2026, 3, 2)).kind == DayKind.WEEKDAY
    # Weekend days inside the festival are holiday days, named.
    assert CalendarDay.objects.get(date=date(2026, 2, 21)).kind == DayKind.HOLIDAY
    year = CalendarYear.objects.get(year=2026)
    assert year.complete and year.source == CalendarSource.PACKAGE and year.loaded_at


def test_unknown_year_is_reported_and_left_unknown_never_guessed() -> None:
    result = calendar_load_from_package([2026, 2027])
    assert result.loaded_years == [2026]
    assert result.unknown_years == [2027]
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not CalendarYear.objects.filter(year=2027).exists()
    cal = work_calendar()
    assert cal.last_year == 2026
    with pytest.raises(CalendarExhausted):
        add_working_days(cal, date(2026, 12, 30), 5)


def test_default_loads_every_year_the_package_knows() -> None:
    first, last = package_year_range()
    assert first <= 2004 and last >= 2026
    result = calendar_load_from_package()
    assert result.loaded_years == list(range(first, last + 1))
    assert calendar_coverage().first_year == first
    assert calendar_coverage().last_year == last
    assert calendar_coverage().missing_between == ()


def test_reload_is_idempotent() -> None:
    calendar_load_from_package([2025, 2026])
    again = calendar_load_from_package([2025, 2026])
    assert (again.created, again.updated, again.kept_admin) == (0, 0, 0)
    assert CalendarDay.objects.count() == 365 * 2


def test_admin_edit_overrides_a_day_and_survives_reload() -> None:
    calendar_load_from_package([2026])
    assert add_working_days(work_calendar(), date(2026, 3, 5), 1) == date(2026, 3, 6)
    # A local extra day off (e.g. a regional holiday) on Friday 6 March.
    calendar_day_set(actor=SYSTEM, day=date(2026, 3, 6), is_working_day=False, name="地方假日")
    row = CalendarDay.objects.get(date=date(2026, 3, 6))
    assert (row.kind, row.source, row.name) == (DayKind.HOLIDAY, CalendarSource.ADMIN, "地方假日")
    cal = work_calendar()
    assert not is_working_day(cal, date(2026, 3, 6))
    assert add_working_days(cal, date(2026, 3, 5), 1) == date(2026, 3, 9)

    result = calendar_load_from_package([2026])
    assert result.kept_admin == 1 and result.updated == 0
    assert CalendarDay.objects.get(date=date(2026, 3, 6)).source == CalendarSource.ADMIN
    assert add_working_days(work_calendar(), date(2026, 3, 5), 1) == date(2026, 3, 9)

    # And a Saturday made a working day.
    calendar_day_set(actor=SYSTEM, day=date(2026, 3, 7), is_working_day=True)
    assert CalendarDay.objects.get(date=date(2026, 3, 7)).kind == DayKind.WORKDAY_ADJUSTED
    assert add_working_days(work_calendar(), date(2026, 3, 5), 1) == date(2026, 3, 7)


def test_cache_is_reused_until_the_table_changes() -> None:
    calendar_load_from_package([2026])
    first = work_calendar()
    assert work_calendar() is first
    # A change made elsewhere (another process): bump the year row directly.
    CalendarDay.objects.filter(date=date(2026, 3, 6)).update(is_working_day=False)
    assert work_calendar() is first  # the day alone is not the version stamp ...
    CalendarYear.objects.get(year=2026).save()  # ... the year row is, as services do
    rebuilt = work_calendar()
    assert rebuilt is not first
    assert not is_working_day(rebuilt, date(2026, 3, 6))


def test_admin_can_add_a_year_the_package_does_not_know() -> None:
    calendar_load_from_package([2026])
    calendar_day_set(actor=SYSTEM, day=date(2027, 1, 1), is_working_day=False, name="元旦")
    # Entering days does not make the year known ...
    year = CalendarYear.objects.get(year=2027)
    assert not year.complete and year.source == CalendarSource.ADMIN
    with pytest.raises(CalendarExhausted):
        add_working_days(work_calendar(), date(2026, 12, 31), 1)
    # ... declaring it complete does; undeclared days follow the Monday–Friday rule.
    calendar_year_set(actor=SYSTEM, year=2027, complete=True)
    cal = work_calendar()
    assert cal.last_year == 2027
    assert add_working_days(cal, date(2026, 12, 31), 1) == date(2027, 1, 4)
    # A later package that knows 2027 does not overrule the administrator's days.
    result = calendar_load_from_package([2027])
    assert result.unknown_years == [2027]  # (the installed package does not know it)


def test_coverage_reports_gaps() -> None:
    calendar_load_from_package([2024, 2026])
    cov = calendar_coverage()
    assert (cov.first_year, cov.last_year, cov.missing_between) == (2024, 2026, (2025,))


def test_only_node_admins_edit_the_calendar() -> None:
    clerk = make_user("clerk-cal", Role.CLERK, "140400")
    with pytest.raises(PermissionDenied) as exc:
        calendar_day_set(actor=clerk, day=date(2026, 3, 6), is_working_day=False)
    assert exc.value.code == "permission_denied"
    with pytest.raises(PermissionDenied):
        calendar_year_set(actor=clerk, year=2027, complete=True)
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()
    admin = make_user("node-admin-cal", Role.NODE_ADMIN, "140400")
    calendar_day_set(actor=admin, day=date(2026, 3, 6), is_working_day=False)
    assert CalendarDay.objects.get(date=date(2026, 3, 6)).source == CalendarSource.ADMIN


def test_load_calendar_command() -> None:
    out, err = StringIO(), StringIO()
    call_command("load_calendar", "2025", "2026", "2027", stdout=out, stderr=err)
    assert "已载入 2 个年份（2025–2026）" in out.getvalue()
    assert "可计算法定期限的年份：2025–2026" in out.getvalue()
    assert "2027 年" in err.getvalue() and "不做推测" in err.getvalue()


def test_django_admin_edit_goes_through_the_service() -> None:
    from tongban.accounts.models import User

    calendar_load_from_package([2026])
    User.objects.create_superuser("root-cal", "root@example.cn", "pass-1234")
    client = Client()
    client.login(username="root-cal", password="pass-1234")
    listing = client.get("/admin/core/calendarday/")
    assert listing.status_code == 200
    assert "2026" in listing.content.decode()
    response = client.post(
        "/admin/core/calendarday/2026-03-06/change/",
        {"is_working_day": "", "name": "地方假日"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CalendarDay.objects.get(date=date(2026, 3, 6))
    assert (row.is_working_day, row.source, row.kind) == (False, "admin", DayKind.HOLIDAY)
    assert not is_working_day(work_calendar(), date(2026, 3, 6))
    assert client.get("/admin/core/calendaryear/").status_code == 200
    assert client.get("/admin/core/job/").status_code == 200


def test_demo_and_test_nodes_assume_weekdays_for_years_the_package_lacks(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    import tongban.config
    from tongban.core.calendar_store import calendar_assume_weekdays
    from tongban.core.errors import ValidationFailed

    assert calendar_assume_weekdays(through=date(2027, 6, 1)) == []  # nothing known yet
    calendar_load_from_package([2026])
    assert calendar_assume_weekdays(through=date(2026, 11, 30)) == []  # inside the calendar
    with pytest.raises(CalendarExhausted):
        add_working_days(work_calendar(), date(2026, 12, 28), 5)
    assert calendar_assume_weekdays(through=date(2028, 2, 1)) == [2027, 2028]
    year = CalendarYear.objects.get(year=2027)
    assert year.complete and year.source == CalendarSource.ADMIN
    # Monday–Friday: 1 January 2027 is a Friday, the next working day the Monday after.
    assert add_working_days(work_calendar(), date(2026, 12, 31), 2) == date(2027, 1, 4)
    assert calendar_assume_weekdays(through=date(2028, 2, 1)) == []  # idempotent
    # A production node never assumes: its administrator enters the State Council notice.
    prod = replace(tongban.config.CONFIG, env="production")
    monkeypatch.setattr(tongban.config, "CONFIG", prod)
    with pytest.raises(ValidationFailed) as exc:
        calendar_assume_weekdays(through=date(2029, 2, 1))
    assert exc.value.code == "calendar_assumption_refused"
    assert not CalendarYear.objects.filter(year=2029).exists()
