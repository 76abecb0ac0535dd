"""The demo is seeded once for this test package inside a transaction that is rolled back at
the end, so each test reads the full data set without paying for the seed again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test.utils import override_settings

from tongban.demo.results import DemoSummary
from tongban.demo.seed import demo_seed

# A fixed "today" after every demo agreement has started.
TODAY = date(2026, 7, 1)
# Hashing 33 demo passwords with PBKDF2 takes ~10 s; tests do not need it to be slow.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="package")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoSummary]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        summary = demo_seed(today=TODAY)
        yield summary
        transaction.set_rollback(True)
