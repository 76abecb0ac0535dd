"""Staff workbenches through Django's test client, the department side and acting on
a case: the inbox and its countdown, moves with opinions, stale pages, 一次性告知,
shipments of originals, the result handed over at the window, files."""

from __future__ import annotations

from datetime import datetime

import pytest

from tongban.cases.models import Case, CaseFile
from tongban.cases.testing import World, build_world
from tongban.cases.tests.workbench import (  # noqa: F401  (fixtures)
    SHANGHAI,
    Clock,
    client_for,
    clock_fixture,
    intake_data,
    materials,
    pdf,
    post,
    take_in,
    world_fixture,
)
from tongban.catalog.agreements import agreement_create
from tongban.core.actors import SYSTEM
from tongban.testing import make_user

pytestmark = pytest.mark.django_db


# ---- department inbox -------------------------------------------------------------


def test_inbox_orders_by_deadline_with_countdown_and_filters(world: World) -> None:
    case = take_in(world)
    c = client_for(world.reviewer)
    page = c.get("/workbench/inbox/").content.decode()
    # 受理期限: 5 working days after Mon 2 March 2026 = Mon 9 March.
    assert case.case_number in page and "2026-03-09" in page and "剩余 5 个工作日" in page
    assert "跨省" in page and "攀枝花" in page
    assert (
        case.case_number not in c.get("/workbench/inbox/", {"status": "accepted"}).content.decode()
    )
    assert case.case_number in c.get("/workbench/inbox/", {"status": "submitted"}).content.decode()


def test_overdue_and_unknown_deadlines_are_shown(world: World, clock: Clock) -> None:
    case = take_in(world)
    clock(datetime(2026, 3, 12, 9, 0, tzinfo=SHANGHAI))
    page = client_for(world.reviewer).get("/workbench/inbox/").content.decode()
    assert "已超期 3 天" in page  # due Mon 9; Tue 10, Wed 11, Thu 12 passed
    Case.objects.filter(pk=case.pk).update(acceptance_deadline=None, deadline_unknown=True)
    page = client_for(world.reviewer).get("/workbench/inbox/").content.decode()
    assert "期限无法计算：工作日历未覆盖" in page


# ---- acting on a case -------------------------------------------------------------


def test_stale_revision_gets_conflict_and_changes_nothing(world: World) -> None:
    case = take_in(world)
    seen = case.revision
    ok = client_for(world.reviewer).post(
        f"/workbench/cases/{case.case_number}/move/", {"revision": seen, "to": "pre_review"}
    )
    assert ok.status_code == 302
    stale = client_for(world.clerk).post(
        f"/workbench/cases/{case.case_number}/move/",
        {"revision": seen, "to": "refused", "opinion": "材料不全"},
    )
    body = stale.content.decode()
    assert stale.status_code == 409 and "办件已被他人处理，请刷新" in body and "conflict" in body
    case.refresh_from_db()
    assert case.status == "pre_review" and "材料不全" in body  # the typed opinion is kept


def test_reason_required_where_the_move_says_so(world: World) -> None:
    case = take_in(world)
    post(world.reviewer, case, "move", {"to": "pre_review"})
    r = post(world.reviewer, case, "move", {"to": "refused", "opinion": "  "})
    assert r.status_code == 422 and "reason_required" in r.content.decode()
    case.refresh_from_db()
    assert case.status == "pre_review"


def test_supplement_request_pauses_and_window_supplements(world: World, clock: Clock) -> None:
    case = take_in(world)
    for to in ("pre_review", "accepted", "under_review"):
        assert post(world.reviewer, case, "move", {"to": to}).status_code == 302
    photo = case.materials.get(name="近期免冠照片")
    r = post(world.reviewer, case, "supplement-request", {"materials": [], "opinion": "x"})
    assert r.status_code == 422 and "supplement_needs_materials" in r.content.decode()
    r = post(world.reviewer, case, "supplement-request", {"materials": [photo.pk]})
    assert r.status_code == 422 and "reason_required" in r.content.decode()
    r = post(
        world.reviewer,
        case,
        "supplement-request",
        {"materials": [photo.pk], f"note_{photo.pk}": "照片须为白底彩色", "opinion": "请补正"},
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "supplement_requested"
    assert case.events.get(action="request_supplement").opinion == "请补正"
    page = client_for(world.reviewer).get("/workbench/inbox/").content.decode()
    assert "暂停计时" in page
    clerk_page = client_for(world.pzh_clerk).get("/workbench/clerk/").content.decode()
    assert "待补正" in clerk_page and case.case_number in clerk_page
    detail = (
        client_for(world.pzh_clerk).get(f"/workbench/cases/{case.case_number}/").content.decode()
    )
    assert "窗口代收补正材料" in detail and "照片须为白底彩色" in detail
    clock(datetime(2026, 3, 4, 9, 0, tzinfo=SHANGHAI))
    r = post(world.pzh_clerk, case, "supplement", {f"scan_{photo.pk}": pdf("新照片.pdf")})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "under_review"
    # Accepted Mon 2 March, 5 working days; paused 2–4 March: 5, 6, 9, 10, 11.
    assert str(case.promised_deadline) == "2026-03-11"


def test_shipments_decision_and_hand_over_at_the_window(world: World) -> None:
    case = take_in(world)
    r = post(world.pzh_clerk, case, "ship", {"carrier": "EMS", "tracking_number": ""})
    assert r.status_code == 422 and "invalid_input" in r.content.decode()
    assert (
        post(
            world.pzh_clerk, case, "ship", {"carrier": "EMS", "tracking_number": "EA1"}
        ).status_code
        == 302
    )
    shipment = case.shipments.get()
    page = client_for(world.pzh_clerk).get("/workbench/clerk/").content.decode()
    assert "没有需要寄送原件的办件" in page
    r = post(world.reviewer, case, f"shipments/{shipment.pk}/receive", {})
    assert r.status_code == 302
    shipment.refresh_from_db()
    assert shipment.received_by == world.reviewer
    for user, to in (
        (world.reviewer, "pre_review"),
        (world.reviewer, "accepted"),
        (world.reviewer, "under_review"),
    ):
        assert post(user, case, "move", {"to": to}).status_code == 302
    r = post(world.reviewer, case, "move", {"to": "approved"})
    assert r.status_code == 403 and "permission_denied" in r.content.decode()
    assert (
        post(world.approver, case, "move", {"to": "approved", "opinion": "符合条件"}).status_code
        == 302
    )
    assert post(world.approver, case, "move", {"to": "result_issued"}).status_code == 302
    page = client_for(world.pzh_clerk).get("/workbench/clerk/").content.decode()
    assert "待交付结果" in page and case.case_number in page
    r = post(world.pzh_clerk, case, "hand-over", {"method": "pickup", "recipient": ""})
    assert r.status_code == 422
    r = post(world.pzh_clerk, case, "hand-over", {"method": "pickup", "recipient": "李四"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "delivered"
    page = client_for(world.pzh_clerk).get(f"/workbench/cases/{case.case_number}/").content.decode()
    for step in (
        "身份核验",
        "原件核验",
        "提交申请",
        "寄出",
        "签收寄递",
        "受理",
        "准予许可",
        "出具结果",
        "结果送达",
    ):
        assert step in page
    assert "已当面交付，领取人：李四" in page


def test_result_by_post_records_the_tracking_number(world: World) -> None:
    case = take_in(world, delivery="post", delivery_address="攀枝花市东区1号")
    for user, to in (
        (world.reviewer, "pre_review"),
        (world.reviewer, "accepted"),
        (world.approver, "approved"),
        (world.approver, "result_issued"),
    ):
        assert post(user, case, "move", {"to": to}).status_code == 302
    r = post(
        world.pzh_clerk,
        case,
        "hand-over",
        {"method": "post", "carrier": "EMS", "tracking_number": "EB2"},
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "delivered" and case.shipments.get().kind == "result"


def test_department_checks_originals_after_receipt(world: World) -> None:
    m = materials(world)
    case = take_in(world, **{f"original_{m['申请表']}": None})
    photo = case.materials.get(name="近期免冠照片")
    r = post(world.reviewer, case, "originals", {"materials": [photo.pk]})
    assert r.status_code == 302
    photo.refresh_from_db()
    assert photo.original_checked


def test_files_are_served_to_case_staff_only(world: World) -> None:
    case = take_in(world)
    f = CaseFile.objects.filter(material__case=case).first()
    assert f is not None
    url = f"/workbench/cases/{case.case_number}/files/{f.pk}/"
    r = client_for(world.reviewer).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    outsider = make_user("other_clerk", "reviewer", "510400")
    assert client_for(outsider).get(url).status_code == 404
    assert (
        client_for(world.reviewer)
        .get(f"/workbench/cases/{case.case_number}/files/999999/")
        .status_code
        == 404
    )


def test_unknown_case_is_not_found(world: World) -> None:
    assert client_for(world.reviewer).get("/workbench/cases/NOPE/").status_code == 404
    assert client_for(world.reviewer).get("/workbench/cases/12345/").status_code == 404


def test_inbox_puts_the_running_deadline_first_and_paused_cases_last(
    world: World, clock: Clock
) -> None:
    paused = take_in(world, idempotency_key="k-paused")
    accepted = _take_in_more(world, "k-accepted")
    for case in (paused, accepted):
        for to in ("pre_review", "accepted"):
            assert post(world.reviewer, case, "move", {"to": to}).status_code == 302
    photo = paused.materials.get(name="近期免冠照片")
    post(
        world.reviewer,
        paused,
        "supplement-request",
        {"materials": [photo.pk], f"note_{photo.pk}": "重拍"},
    )
    notice = paused.events.get(action="request_supplement")
    assert notice.opinion == "请补正：近期免冠照片（重拍）"  # the notes speak when no statement
    clock(datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI))
    submitted = _take_in_more(world, "k-submitted")  # 受理期限 Tue 10 March, no promised one
    page = client_for(world.reviewer).get("/workbench/inbox/").content.decode()
    order = [page.index(c.case_number or "") for c in (accepted, submitted, paused)]
    assert order == sorted(order)


def _take_in_more(world: World, key: str) -> Case:
    r = client_for(world.pzh_clerk).post(
        "/workbench/clerk/intake/", intake_data(world, idempotency_key=key)
    )
    assert r.status_code == 302
    return Case.objects.get(idempotency_key=key)


def test_duplicate_tracking_number_is_refused(world: World) -> None:
    case = take_in(world)
    assert (
        post(world.pzh_clerk, case, "ship", {"carrier": "EMS", "tracking_number": "E1"}).status_code
        == 302
    )
    r = post(world.pzh_clerk, case, "ship", {"carrier": "EMS", "tracking_number": "E1"})
    assert r.status_code == 422 and "duplicate_code" in r.content.decode()
    assert case.shipments.count() == 1


def test_window_cannot_check_originals_without_the_right(clock: Clock) -> None:
    from tongban.cases.services_materials import material_check_original
    from tongban.core.errors import TongbanError

    world = build_world(with_agreement=False, originals=True)
    agreement_create(
        actor=SYSTEM,
        name="无原件核验权协议",
        scope="cross_province",
        party_codes=["140400", "510400"],
        catalog_codes=[world.impl.baseline.catalog_code],
        valid_from="2026-01-01",
        rights={"receive", "deliver_result"},
    )
    m = materials(world)
    case = take_in(world, **{f"original_{m['申请表']}": None})
    form = case.materials.get(name="申请表")
    with pytest.raises(TongbanError) as exc:
        material_check_original(actor=world.pzh_clerk, case=case, material_ids=[form.pk])
    assert exc.value.code == "no_verify_original_right"
    material_check_original(actor=world.reviewer, case=case, material_ids=[form.pk])
    form.refresh_from_db()
    assert form.original_checked
