from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tongban.ratings.testing import RatingWorld, build_rating_world

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Now is Mon 2 March 2026, 09:00 in Shanghai (inside the known working-day calendar)."""
    real_now = timezone.now
    shift = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI) - real_now()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)


@pytest.fixture
def rw(db: None) -> RatingWorld:
    return build_rating_world()
