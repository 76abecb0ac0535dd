from datetime import date

import pytest
from django.test.utils import override_settings

from tongban.demo.seed import demo_seed
from tongban.demo.seed_ratings import seed_ratings
from tongban.ratings.models import Rating, Rectification
from tongban.ratings.selectors import rating_totals

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_demo_has_ratings_with_an_open_follow_up_and_a_closed_rectification() -> None:
    summary = demo_seed(today=date(2026, 3, 2))
    assert summary.created["ratings"] == 6
    assert Rating.objects.count() == 6
    statuses = sorted(Rectification.objects.values_list("status", flat=True))
    assert statuses == ["closed", "follow_up"]
    closed = Rectification.objects.get(status="closed")
    assert closed.outcome and closed.followed_up_at is not None
    totals = rating_totals(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert (totals.ratings, totals.bad, totals.rectified) == (6, 2, 1)
    assert seed_ratings() == 0  # idempotent
    assert Rating.objects.count() == 6
