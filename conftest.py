"""Shared pytest fixtures. Tests run on SQLite by default and on PostgreSQL when
DATABASE_URL points at one (.ci/run does both)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TONGBAN_ENV", "test")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The region tree is reference data every test may need: load it once per run."""
    from tongban.regions.services import regions_load_gb2260

    with django_db_blocker.unblock():
        regions_load_gb2260()
