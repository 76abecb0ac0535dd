"""Shared pytest fixtures. Tests run on SQLite by default and on PostgreSQL when
DATABASE_URL points at one (.ci/run does both)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TONGBAN_ENV", "test")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Reference data every test may need, loaded once per run: the GB/T 2260 region
    tree and the working-day calendar (every year chinese_calendar knows)."""
    from tongban.core.calendar_store import calendar_load_from_package
    from tongban.regions.services import regions_load_gb2260

    with django_db_blocker.unblock():
        regions_load_gb2260()
        calendar_load_from_package()
