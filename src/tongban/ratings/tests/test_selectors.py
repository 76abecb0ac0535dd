from datetime import date
from decimal import Decimal

import pytest

from tongban.core.errors import TongbanError
from tongban.ratings.models import Rating
from tongban.ratings.selectors import (
    rating_totals,
    satisfaction_by_department,
    satisfaction_by_item,
)
from tongban.ratings.services import RatingInput, rating_submit, rectification_transition
from tongban.ratings.testing import RatingWorld

pytestmark = pytest.mark.django_db
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


def _rate(rw: RatingWorld, case_number: str, stage: str, target: str, level: int) -> Rating:
    data = RatingInput(case_number, stage, target, {"overall": level})
    return rating_submit(actor=rw.world.applicant, data=data, channel="online")


def _seed(rw: RatingWorld) -> list[Rating]:
    local, shared = rw.local_case.case_number, rw.shared_case.case_number
    assert local and shared
    return [
        _rate(rw, local, "acceptance", "department", 5),
        _rate(rw, local, "closure", "department", 1),
        _rate(rw, shared, "acceptance", "department", 2),
        _rate(rw, shared, "closure", "department", 4),
        _rate(rw, shared, "acceptance", "window", 3),
        _rate(rw, shared, "closure", "window", 1),
    ]


def test_empty_period_totals() -> None:
    t = rating_totals(start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert (t.ratings, t.average, t.bad) == (0, Decimal("0.00"), 0)
    assert t.follow_up_rate == Decimal("1.0000") and t.rectification_rate == Decimal("1.0000")
    assert satisfaction_by_department(start=date(2026, 1, 1), end=date(2026, 1, 31)) == []


def test_department_and_totals_with_follow_up_and_rectification(rw: RatingWorld) -> None:
    ratings = _seed(rw)
    w = rw.world
    bad_local = ratings[1].rectification
    rectification_transition(
        actor=w.approver, rectification_id=bad_local.pk, action="follow_up", note="回访"
    )
    rectification_transition(
        actor=w.approver,
        rectification_id=bad_local.pk,
        action="submit_rectification",
        note="措施",
        outcome="结果",
    )
    rectification_transition(
        actor=rw.supervisor, rectification_id=bad_local.pk, action="approve_rectification"
    )
    bad_shared = ratings[2].rectification
    rectification_transition(
        actor=w.approver, rectification_id=bad_shared.pk, action="follow_up", note="回访"
    )

    (dept,) = satisfaction_by_department(**MARCH)
    assert dept.department_id == w.dept.pk and dept.region_code == "140400"
    assert dept.ratings == 4 and dept.average == Decimal("3.00")  # (5+1+2+4)/4
    assert (dept.bad, dept.followed_up, dept.rectified) == (2, 2, 1)

    total = rating_totals(**MARCH)
    assert total.ratings == 6 and total.average == Decimal("2.67")  # 16/6
    assert (total.bad, total.followed_up, total.rectified) == (3, 2, 1)
    assert total.follow_up_rate == Decimal("0.6667")
    assert total.rectification_rate == Decimal("0.3333")

    # Region filter: 攀枝花 sees only its window's ratings; 长治 only the department's.
    pzh = rating_totals(**MARCH, region_code="510400")
    assert (pzh.ratings, pzh.average, pzh.bad, pzh.follow_up_rate) == (
        2,
        Decimal("2.00"),
        1,
        Decimal("0.0000"),
    )
    assert rating_totals(**MARCH, region_code="140000").ratings == 4
    assert satisfaction_by_department(**MARCH, region_code="510400") == []
    assert rating_totals(**MARCH, department_id=w.dept.pk).ratings == 4
    assert satisfaction_by_department(**MARCH, department_id=w.dept.pk + 999) == []
    # Outside the period nothing counts.
    assert rating_totals(start=date(2026, 4, 1), end=date(2026, 4, 30)).ratings == 0

    (item,) = satisfaction_by_item(**MARCH)
    assert item.task_code == w.impl.task_code and item.ratings == 4 and item.bad == 2


def test_upheld_appeal_leaves_statistics(rw: RatingWorld) -> None:
    ratings = _seed(rw)
    rect = ratings[1].rectification
    w = rw.world
    rectification_transition(
        actor=w.approver, rectification_id=rect.pk, action="follow_up", note="回访"
    )
    rectification_transition(
        actor=w.approver, rectification_id=rect.pk, action="appeal", note="恶意"
    )
    rectification_transition(
        actor=rw.supervisor, rectification_id=rect.pk, action="uphold_appeal", note="属实"
    )
    (dept,) = satisfaction_by_department(**MARCH)
    assert dept.ratings == 3 and dept.bad == 1 and dept.average == Decimal("3.67")


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"region_code": "14"}, "region_code_format"),
        ({"region_code": "abcdef"}, "region_code_format"),
        ({"start": date(2026, 3, 31), "end": date(2026, 3, 1)}, "invalid_input"),
    ],
)
def test_bad_filters_get_coded_errors(kw: dict[str, object], code: str) -> None:
    args: dict[str, object] = {**MARCH, **kw}
    with pytest.raises(TongbanError) as exc:
        rating_totals(**args)  # type: ignore[arg-type]
    assert exc.value.code == code
    with pytest.raises(TongbanError):
        satisfaction_by_department(**args)  # type: ignore[arg-type]
