"""Staff workbenches through Django's test client, the window side: access, 窗口收件
(agreement rights, identity check, checklist, scans) and the clerk's queues. Every bad
input is refused with its code and creates nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.cases.models import Case, CaseFile, CaseMode, MaterialStatus
from tongban.cases.testing import PNG_BYTES, World, build_world
from tongban.cases.tests.workbench import (  # noqa: F401  (fixtures)
    APPLICANT_ID,
    Clock,
    client_for,
    clock_fixture,
    intake_data,
    materials,
    take_in,
    world_fixture,
)
from tongban.catalog.agreements import agreement_create
from tongban.core.actors import SYSTEM
from tongban.core.ids import make_id_number
from tongban.federation.models import OutboxMessage

pytestmark = pytest.mark.django_db


# ---- access -----------------------------------------------------------------------


def test_pages_need_a_staff_login(world: World, client: Client) -> None:
    r = client.get("/workbench/inbox/")
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=/workbench/inbox/")
    r = client_for(world.applicant).get("/workbench/clerk/")
    assert r.status_code == 403 and "工作台仅向" in r.content.decode()
    # A window clerk has no inbox; a department reviewer has no window.
    assert client_for(world.pzh_clerk).get("/workbench/inbox/").status_code == 403
    assert client_for(world.reviewer).get("/workbench/clerk/intake/").status_code == 403
    assert client_for(world.pzh_clerk).get("/workbench/")["Location"] == "/workbench/clerk/"
    assert client_for(world.reviewer).get("/workbench/")["Location"] == "/workbench/inbox/"


def test_header_shows_workbench_link_to_staff_only(world: World) -> None:
    assert ">工作台</a>" in client_for(world.reviewer).get("/").content.decode()
    assert ">工作台</a>" not in client_for(world.applicant).get("/").content.decode()


# ---- window intake ----------------------------------------------------------------


def test_intake_search_then_item_shows_agreement_rights(world: World) -> None:
    c = client_for(world.pzh_clerk)
    page = c.get("/workbench/clerk/intake/", {"q": "社会保障卡"}).content.decode()
    assert "社会保障卡申领" in page and "异地事项" in page
    page = c.get("/workbench/clerk/intake/", {"item": world.impl.task_code}).content.decode()
    assert "依合作协议可收件" in page and "长治—攀枝花跨省通办合作协议" in page
    for right in ("收件受理权", "一次性告知权", "原件核验权", "审批结果送达权"):
        assert right in page
    # The checklist comes from the acceptance standards; shared data needs nothing.
    assert "填写完整并签字" in page and "白底彩色" in page and "免提交" in page
    assert "提交并推送至办理部门" in page


def test_proxy_intake_creates_submits_and_hands_off(world: World) -> None:
    case = take_in(world)
    assert case.mode == CaseMode.PROXY_INTAKE and case.status == "submitted"
    assert case.intake_window == world.pzh_window and case.intake_clerk == world.pzh_clerk
    assert case.intake_region_id == "510402" and case.handling_region_id == "140400"
    check = case.form_data["identity_check"]
    assert check["verified"] and check["method_label"] == "人证比对"
    assert check["by_id"] == world.pzh_clerk.pk and check["at"].startswith("2026-03-02")
    form = case.materials.get(name="申请表")
    assert form.original_checked and form.status == MaterialStatus.PROVIDED
    assert not case.materials.get(name="近期免冠照片").original_checked
    assert CaseFile.objects.filter(material__case=case).count() == 2
    assert OutboxMessage.objects.filter(type="cn.tongban.case.handed-off").count() == 1
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["create", "identity_check", "check_original", "submit"]
    page = client_for(world.pzh_clerk).get(f"/workbench/cases/{case.case_number}/").content.decode()
    assert "推送至 长治市" in page and "已核验身份证原件" in page and "原件已核验" in page


def test_same_submission_twice_is_one_case(world: World) -> None:
    take_in(world)
    r = client_for(world.pzh_clerk).post("/workbench/clerk/intake/", intake_data(world))
    assert r.status_code == 302 and Case.objects.count() == 1


def test_kiosk_and_hotline_are_recorded_channels_of_the_window(world: World) -> None:
    case = take_in(world, channel="kiosk")
    assert case.channel == "kiosk" and case.intake_window == world.pzh_window
    assert case.applicant_user is None and case.intake_clerk == world.pzh_clerk


def test_window_without_agreement_right_is_refused_and_nothing_created(clock: Clock) -> None:
    world = build_world(with_agreement=False)
    c = client_for(world.pzh_clerk)
    page = c.get("/workbench/clerk/intake/", {"item": world.impl.task_code}).content.decode()
    assert "本窗口不能受理该事项" in page and "no_agreement_right" in page
    assert "提交并推送至办理部门" not in page
    r = c.post("/workbench/clerk/intake/", intake_data(world))
    assert r.status_code == 403 and "no_agreement_right" in r.content.decode()
    assert not Case.objects.exists() and not CaseFile.objects.exists()


def test_rights_the_agreement_does_not_grant(clock: Clock) -> None:
    world = build_world(with_agreement=False)
    agreement_create(
        actor=SYSTEM,
        name="仅收件协议",
        scope="cross_province",
        party_codes=["140400", "510400"],
        catalog_codes=[world.impl.baseline.catalog_code],
        valid_from="2026-01-01",
        rights={"receive", "notify"},
    )
    c = client_for(world.pzh_clerk)
    page = c.get("/workbench/clerk/intake/", {"item": world.impl.task_code}).content.decode()
    assert "结果只能邮寄送达" in page and "原件需寄送办理地核验" in page
    r = c.post("/workbench/clerk/intake/", intake_data(world))
    assert r.status_code == 422 and "no_deliver_result_right" in r.content.decode()
    r = c.post(
        "/workbench/clerk/intake/",
        intake_data(world, delivery="post", delivery_address="四川省攀枝花市东区炳草岗大街1号"),
    )
    assert r.status_code == 403 and "no_verify_original_right" in r.content.decode()
    assert not Case.objects.exists()
    m = materials(world)
    take_in(
        world,
        delivery="post",
        delivery_address="四川省攀枝花市东区炳草岗大街1号",
        **{f"original_{m['申请表']}": None},
    )
    assert Case.objects.get().delivery == "post"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        (
            "applicant_code",
            APPLICANT_ID[:-1] + ("0" if APPLICANT_ID[-1] != "0" else "1"),
            "id_number_checksum",
        ),
        ("applicant_code", "12345", "id_number_format"),
        ("identity_verified", None, "identity_check_required"),
        ("delivery", "post", "delivery_address_required"),
    ],
)
def test_bad_intake_input_is_refused_with_its_code(
    world: World, field: str, value: str | None, code: str
) -> None:
    r = client_for(world.pzh_clerk).post(
        "/workbench/clerk/intake/", intake_data(world, **{field: value})
    )
    assert r.status_code == 422 and code in r.content.decode()
    assert not Case.objects.exists() and not CaseFile.objects.exists()


def test_agent_needs_a_valid_id_number(world: World) -> None:
    r = client_for(world.pzh_clerk).post(
        "/workbench/clerk/intake/",
        intake_data(world, agent_role="agent", agent_name="王五", agent_id_number="1404"),
    )
    assert r.status_code == 422 and "id_number_format" in r.content.decode()
    case = take_in(
        world,
        agent_role="assisted",
        agent_name="王五",
        agent_id_number=make_id_number("14040219800101003"),
    )
    assert case.agent_name == "王五" and case.form_data["agent_role"] == "assisted"


@pytest.mark.parametrize(
    ("data", "claimed", "code"),
    [
        (b"<html><script>alert(1)</script></html>", "application/pdf", "file_type_unsupported"),
        (PNG_BYTES, "application/pdf", "file_type_mismatch"),
    ],
)
def test_disguised_file_is_refused_and_nothing_created(
    world: World, data: bytes, claimed: str, code: str
) -> None:
    m = materials(world)
    bad = SimpleUploadedFile("申请表.pdf", data, content_type=claimed)
    r = client_for(world.pzh_clerk).post(
        "/workbench/clerk/intake/", intake_data(world, **{f"scan_{m['申请表']}": bad})
    )
    body = r.content.decode()
    assert r.status_code == 422 and code in body and "需重新选择" in body
    assert not Case.objects.exists() and not CaseFile.objects.exists()


def test_missing_required_scan_is_refused(world: World) -> None:
    m = materials(world)
    r = client_for(world.pzh_clerk).post(
        "/workbench/clerk/intake/", intake_data(world, **{f"scan_{m['近期免冠照片']}": None})
    )
    assert r.status_code == 422 and "materials_missing" in r.content.decode()
    assert "近期免冠照片" in r.content.decode() and not Case.objects.exists()


# ---- the clerk's queues -----------------------------------------------------------


def test_clerk_workbench_queues(world: World) -> None:
    case = take_in(world)
    page = client_for(world.pzh_clerk).get("/workbench/clerk/").content.decode()
    assert "今日收件" in page and case.case_number in page
    assert "待寄送原件" in page and "#shipments" in page  # 申请表 original must travel
    assert "长治市人力资源和社会保障局" in page and "跨省" in page
