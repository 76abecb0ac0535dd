from datetime import date

import pytest

from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError
from tongban.notifications.models import Notification
from tongban.ratings.models import Rating, RatingChannel, Rectification, RectificationEvent
from tongban.ratings.services import (
    RatingInput,
    due_days_for,
    rating_submit,
    rectification_rule_set,
    rectification_transition,
)
from tongban.ratings.testing import RatingWorld

pytestmark = pytest.mark.django_db


def _rate(rw: RatingWorld, level: object = 5, **kw: object) -> Rating:
    data = RatingInput(
        case_number=str(kw.pop("case_number", rw.local_case.case_number)),
        stage=str(kw.pop("stage", "closure")),
        target=str(kw.pop("target", "department")),
        scores=kw.pop("scores", {"overall": level}),  # type: ignore[arg-type]
        comment=str(kw.pop("comment", "")),
    )
    actor = kw.pop("actor", rw.world.applicant)
    channel = str(kw.pop("channel", RatingChannel.ONLINE))
    return rating_submit(actor=actor, data=data, channel=channel)


def _code(fn, *a, **kw) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(TongbanError) as exc:
        fn(*a, **kw)
    return exc.value.code


def test_good_rating_is_tied_to_case_item_applicant_and_handlers(rw: RatingWorld) -> None:
    r = _rate(
        rw,
        scores={"overall": 5, "efficiency": 4, "guide_accuracy": 5, "usability": 3},
        comment="很快",
    )
    case = rw.local_case
    assert (r.level, r.stage, r.target, r.channel) == (5, "closure", "department", "online")
    assert r.task_code == rw.world.impl.task_code and r.item_name == case.item_name
    assert r.applicant_code == case.applicant_code and r.applicant_user == rw.world.applicant
    assert r.department == rw.world.dept and r.region_id == "140400"
    names = {h["name"] for h in r.handlers}
    assert {"cz_clerk", "cz_approver"} <= names
    assert not Rectification.objects.exists()


@pytest.mark.parametrize("level", [0, 6, -1, "5", None, True, 2.5])
def test_level_outside_one_to_five_is_refused(rw: RatingWorld, level: object) -> None:
    assert _code(_rate, rw, level) == "rating_level_invalid"
    assert not Rating.objects.exists()


def test_sub_indicator_level_checked_and_unknown_indicator_refused(rw: RatingWorld) -> None:
    bad_sub = {"overall": 4, "efficiency": 9}
    assert _code(_rate, rw, scores=bad_sub) == "rating_level_invalid"
    # 服务态度 is an offline (window) indicator, not an online one.
    offline_on_online = {"overall": 4, "service_attitude": 4}
    assert _code(_rate, rw, scores=offline_on_online) == "rating_indicator_unknown"


def test_rating_twice_for_the_same_stage_is_refused(rw: RatingWorld) -> None:
    _rate(rw, 4)
    assert _code(_rate, rw, 5) == "rating_duplicate"
    # The other stage is a separate rating.
    assert _rate(rw, 5, stage="acceptance").stage == "acceptance"
    assert Rating.objects.count() == 2


def test_rating_a_case_that_is_not_yours_is_refused(rw: RatingWorld) -> None:
    assert _code(_rate, rw, 5, actor=rw.stranger) == "rating_not_own_case"
    # A case number that does not exist answers the same (no probing).
    assert _code(_rate, rw, 5, case_number="NOPE") == "rating_not_own_case"
    assert _code(_rate, rw, 5, actor=rw.world.clerk) == "rating_not_own_case"


def test_stage_not_reached_and_bad_stage_or_target(rw: RatingWorld) -> None:
    rw2 = rw.world
    from tongban.cases.services import case_create_draft
    from tongban.cases.testing import online
    from tongban.ratings.testing import drive

    case = case_create_draft(actor=rw2.applicant, implementation=rw2.impl, intake=online("k2"))
    case = drive(case, rw2, "accepted", date(2026, 3, 2))
    num = case.case_number
    assert _code(_rate, rw, 5, case_number=num) == "rating_stage_not_reached"
    assert _rate(rw, 5, case_number=num, stage="acceptance").stage == "acceptance"
    assert _code(_rate, rw, 5, stage="decision") == "rating_stage_invalid"
    # A local case has one target: the deciding department.
    assert _code(_rate, rw, 5, target="window") == "rating_target_invalid"
    assert _code(_rate, rw, 5, channel="phone") == "rating_channel_invalid"


def test_shared_case_rates_window_and_department_separately(rw: RatingWorld) -> None:
    num = rw.shared_case.case_number
    w = _rate(rw, 5, case_number=num, target="window")
    d = _rate(rw, 4, case_number=num, target="department")
    assert w.region_id == "510402" and w.department is None and w.window == rw.world.pzh_window
    assert d.region_id == "140400" and d.department == rw.world.dept
    assert [h["name"] for h in w.handlers] == ["pzh_clerk"]
    assert "pzh_clerk" not in {h["name"] for h in d.handlers}
    assert _code(_rate, rw, 3, case_number=num, target="window") == "rating_duplicate"


def test_window_evaluator_uses_offline_indicators_and_window_clerk_only(
    rw: RatingWorld,
) -> None:
    num = rw.shared_case.case_number
    scores = {"overall": 5, "service_efficiency": 5, "service_level": 4, "service_attitude": 5}
    r = _rate(
        rw,
        case_number=num,
        target="window",
        scores=scores,
        actor=rw.world.pzh_clerk,
        channel="window",
    )
    assert r.channel == "window" and r.entered_by == rw.world.pzh_clerk
    assert r.applicant_code == rw.shared_case.applicant_code  # still the applicant's rating
    online_only = {"overall": 5, "usability": 5}
    code = _code(
        _rate,
        rw,
        case_number=num,
        target="department",
        scores=online_only,
        actor=rw.world.pzh_clerk,
        channel="window",
    )
    assert code == "rating_indicator_unknown"
    # The 长治 department clerk did not take this case in at a window.
    code = _code(_rate, rw, 5, actor=rw.world.clerk, channel="window", case_number=num)
    assert code == "rating_not_window_case"


def test_comment_kept_verbatim_and_length_limited(rw: RatingWorld) -> None:
    r = _rate(rw, 4, comment="<script>alert(1)</script>")
    assert r.comment == "<script>alert(1)</script>"
    assert _code(_rate, rw, 4, stage="acceptance", comment="长" * 501) == (
        "rating_comment_too_long"
    )


def test_bad_rating_opens_follow_up_with_working_day_deadline(rw: RatingWorld) -> None:
    r = _rate(rw, 1, comment="等了很久")
    rect = r.rectification
    assert rect.status == "follow_up" and rect.department == rw.world.dept
    assert rect.due_days == 5
    # Rated Mon 2 Mar 2026: five working days later is Mon 9 Mar.
    assert r.rated_on == date(2026, 3, 2) and rect.due_on == date(2026, 3, 9)
    assert rect.events.get().action == "open"


def test_rectification_to_closure_notifies_applicant(rw: RatingWorld) -> None:
    rect = _rate(rw, 2).rectification
    w = rw.world
    before = Notification.objects.count()

    def move(actor, action, note="", outcome=""):  # type: ignore[no-untyped-def]
        return rectification_transition(
            actor=actor, rectification_id=rect.pk, action=action, note=note, outcome=outcome
        )

    assert _code(move, w.approver, "follow_up") == "rectification_note_required"
    assert _code(move, w.approver, "submit_rectification", "x") == (
        "rectification_illegal_transition"
    )
    assert _code(move, rw.supervisor, "follow_up", "called") == "rectification_role"
    assert _code(move, rw.stranger, "follow_up", "called") == "not_found"
    assert _code(move, w.approver, "bogus", "x") == "rectification_action_unknown"
    r1 = move(w.reviewer, "follow_up", "已电话回访，申请人反映等待时间长")
    assert r1.status == "rectifying" and r1.followed_up_at is not None
    assert _code(move, w.approver, "submit_rectification", "增加窗口") == (
        "rectification_outcome_required"
    )
    move(w.approver, "submit_rectification", "增加一个窗口", "已增设窗口，缩短等候时间")
    assert _code(move, w.approver, "approve_rectification") == "rectification_role"
    back = move(rw.supervisor, "return_rectification", "措施不具体")
    assert back.status == "rectifying"
    move(w.approver, "submit_rectification", "增加两个窗口并公示", "已增设两个窗口")
    done = move(rw.supervisor, "approve_rectification")
    assert done.status == "closed" and done.closed_at is not None
    actions = list(RectificationEvent.objects.filter(rectification=rect).values_list("action"))
    assert [a for (a,) in actions] == [
        "open",
        "follow_up",
        "submit_rectification",
        "return_rectification",
        "submit_rectification",
        "approve_rectification",
    ]
    n = Notification.objects.order_by("-id").first()
    assert Notification.objects.count() == before + 1 and n is not None
    assert "整改办结" in n.body and "已增设两个窗口" in n.body
    assert _code(move, w.approver, "appeal", "x") == "rectification_illegal_transition"


def test_upheld_appeal_excludes_rating_and_rejected_appeal_returns(rw: RatingWorld) -> None:
    w = rw.world
    rect = _rate(rw, 1).rectification
    rect2 = _rate(rw, 1, stage="acceptance").rectification
    for r in (rect, rect2):
        rectification_transition(
            actor=w.approver, rectification_id=r.pk, action="follow_up", note="回访"
        )
        rectification_transition(
            actor=w.approver, rectification_id=r.pk, action="appeal", note="与办件无关的恶意评价"
        )
    up = rectification_transition(
        actor=rw.supervisor, rectification_id=rect.pk, action="uphold_appeal", note="属实"
    )
    assert up.status == "voided" and Rating.objects.get(pk=rect.rating_id).excluded
    down = rectification_transition(
        actor=rw.supervisor, rectification_id=rect2.pk, action="reject_appeal", note="不属实"
    )
    assert down.status == "rectifying"
    assert not Rating.objects.get(pk=rect2.rating_id).excluded


def test_pzh_supervisor_reviews_window_rating_not_department_one(rw: RatingWorld) -> None:
    num = rw.shared_case.case_number
    wr = _rate(rw, 1, case_number=num, target="window").rectification
    dr = _rate(rw, 1, case_number=num, target="department").rectification
    # The window's own staff follow up the window rating; 长治 staff cannot.
    assert (
        _code(
            rectification_transition,
            actor=rw.world.approver,
            rectification_id=wr.pk,
            action="follow_up",
            note="x",
        )
        == "not_found"
    )
    rectification_transition(
        actor=rw.world.pzh_clerk, rectification_id=wr.pk, action="follow_up", note="回访"
    )
    assert (
        _code(
            rectification_transition,
            actor=rw.pzh_supervisor,
            rectification_id=dr.pk,
            action="follow_up",
            note="x",
        )
        == "not_found"
    )


def test_rectification_rule_per_region(rw: RatingWorld) -> None:
    assert due_days_for("140402") == 5
    rectification_rule_set(actor=SYSTEM, region_code="140000", due_days=15)
    assert due_days_for("140402") == 15
    rectification_rule_set(actor=rw.supervisor, region_code="140400", due_days=10)
    assert due_days_for("140402") == 10 and due_days_for("510402") == 5
    code = _code(rectification_rule_set, actor=rw.supervisor, region_code="510400", due_days=3)
    assert code == "region_scope"
    code = _code(rectification_rule_set, actor=SYSTEM, region_code="140400", due_days=0)
    assert code == "rectification_due_days_invalid"
    rect = _rate(rw, 1).rectification
    assert rect.due_days == 10
    assert rect.due_on == date(2026, 3, 16)


def test_bad_rating_tells_the_responsible_staff_of_the_follow_up(rw: RatingWorld) -> None:
    from tongban.core.models import Job

    w = rw.world
    _rate(rw, 5, stage="acceptance")  # a good rating: nobody is told anything
    assert not Notification.objects.filter(subject="差评回访整改任务").exists()
    r = _rate(rw, 2, comment="窗口态度差")
    msgs = Notification.objects.filter(subject="差评回访整改任务")
    # The rated department's reviewer and approver (who may act on the task), not its
    # clerk, not the supervisor.
    assert {m.recipient_id for m in msgs} == {w.reviewer.pk, w.approver.pk}
    body = msgs[0].body
    assert rw.local_case.case_number in body and "2026年03月09日" in body
    assert rw.local_case.applicant_name not in body and "窗口态度差" not in body
    sends = Job.objects.filter(name="notifications.send")
    assert {j.payload["id"] for j in sends} >= {m.pk for m in msgs}
    assert r.rectification.status == "follow_up"
    # A bad rating of the 攀枝花 intake window of a shared case: that window's staff.
    _rate(rw, 1, case_number=rw.shared_case.case_number, target="window")
    window_msgs = msgs.exclude(recipient__in=[w.reviewer, w.approver])
    assert {m.recipient_id for m in window_msgs} == {w.pzh_clerk.pk}
