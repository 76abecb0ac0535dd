"""The applicant's pages: apply online, my cases, the case page (timeline, supplement,
withdraw). Django test client, both databases."""

from __future__ import annotations

import dataclasses
import re
import uuid
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.cases.models import Case, CaseMaterial, MaterialStatus
from tongban.cases.services import case_transition
from tongban.cases.services_materials import Defect, case_request_supplement
from tongban.cases.testing import PDF_BYTES, PNG_BYTES, World, build_world
from tongban.catalog.elements import MaterialInput
from tongban.catalog.services import version_create_draft, version_publish
from tongban.config import CONFIG
from tongban.core.actors import SYSTEM
from tongban.core.ids import make_id_number, make_uscc
from tongban.notifications.models import Notification
from tongban.testing import elements, make_baseline, make_implementation, make_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)  # a Monday


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tongban.cases.views_applicant._today", lambda: TODAY)


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def client_in(world: World) -> Client:
    c = Client()
    c.force_login(world.applicant)
    return c


def _materials(world: World) -> dict[str, int]:
    v = world.impl.current_version
    assert v is not None
    return {m.name: m.pk for m in v.materials.all()}


def _pdf(name: str = "a.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _form(world: World, key: str | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "idempotency_key": key or str(uuid.uuid4()),
        "action": "submit",
        "applicant_kind": "person",
        "name": "张三",
        "id_number": world.applicant.id_number,
        "phone": "13900001111",
        "delivery": "electronic",
        "delivery_address": "",
        "remarks": "",
    }
    data.update(overrides)
    return data


def _all_files(world: World) -> dict[str, Any]:
    m = _materials(world)
    return {
        f"file_{m['申请表']}": _pdf("申请表.pdf"),
        f"file_{m['近期免冠照片']}": _pdf("照片.pdf"),
    }


def _url(world: World) -> str:
    return f"/apply/{world.impl.task_code}/"


def _submitted(client: Client, world: World) -> Case:
    r = client.post(_url(world), {**_form(world), **_all_files(world)})
    assert r.status_code == 302, r.content.decode()[:2000]
    return Case.objects.get(applicant_user=world.applicant, status="submitted")


def _accepted(client: Client, world: World) -> Case:
    case = _submitted(client, world)
    case = case_transition(actor=world.clerk, case=case, to="pre_review", today=TODAY)
    return case_transition(actor=world.clerk, case=case, to="accepted", today=TODAY)


# --- apply ------------------------------------------------------------------------------


def test_apply_needs_login_and_comes_back(world: World) -> None:
    r = Client().get(_url(world))
    assert r.status_code == 302
    assert r["Location"] == f"/login/?next=/apply/{world.impl.task_code}/"


def test_apply_form_is_generated_from_the_items_materials(world: World, client_in: Client) -> None:
    r = client_in.get(_url(world))
    html = r.content.decode()
    assert r.status_code == 200
    assert "社会保障卡申领" in html
    assert "受理标准：填写完整并签字" in html and "受理标准：白底彩色" in html
    assert "免提交，将通过数据共享核验" in html
    m = _materials(world)
    # Exempted material: no upload input; the others accept the four formats.
    assert f'name="file_{m["参保证明"]}"' not in html
    assert f'name="file_{m["申请表"]}" accept=".pdf,.jpg,.jpeg,.png,.ofd"' in html
    assert f'value="{world.applicant.id_number}"' in html and 'value="张三"' in html
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', html)
    assert key is not None and uuid.UUID(key.group(1))
    assert "保存草稿" in html and "提交申请" in html


def test_submit_twice_opens_one_case(world: World, client_in: Client) -> None:
    data = _form(world)
    r1 = client_in.post(_url(world), {**data, **_all_files(world)})
    case = Case.objects.get()
    assert case.status == "submitted" and case.case_number
    assert r1["Location"] == f"/my/cases/{case.case_number}/"
    assert case.acceptance_deadline == date(2026, 3, 9)
    assert case.applicant_phone == "13900001111" and case.mode == "fully_online"
    r2 = client_in.post(_url(world), {**data, **_all_files(world)})
    assert r2.status_code == 302 and r2["Location"] == r1["Location"]
    assert Case.objects.count() == 1
    assert Notification.objects.filter(case=case).count() == 1
    page = client_in.get(r1["Location"]).content.decode()
    assert case.case_number in page and "剩余 5 个工作日" in page and "2026年3月9日" in page


def test_missing_material_keeps_everything_and_the_same_key_finishes(
    world: World, client_in: Client
) -> None:
    m = _materials(world)
    data = _form(world, phone="13911112222", remarks="加急")
    r = client_in.post(_url(world), {**data, f"file_{m['申请表']}": _pdf("申请表.pdf")})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'data-code="materials_missing"' in html and "近期免冠照片" in html
    assert "已上传：申请表.pdf" in html and 'value="13911112222"' in html and "加急" in html
    case = Case.objects.get()
    assert case.status == "draft"
    assert case.materials.get(name="申请表").status == MaterialStatus.PROVIDED
    # The page posts again with the same key: the same draft, now complete.
    r2 = client_in.post(_url(world), {**data, f"file_{m['近期免冠照片']}": _pdf("照片.pdf")})
    assert r2.status_code == 302
    case.refresh_from_db()
    assert case.status == "submitted" and Case.objects.count() == 1
    assert case.form_data == {"remarks": "加急"}


def test_invalid_id_number_is_shown_at_the_field_and_files_wait(
    world: World, client_in: Client
) -> None:
    m = _materials(world)
    bad = world.applicant.id_number[:17] + ("0" if world.applicant.id_number[17] != "0" else "1")
    data = _form(world, id_number=bad)
    r = client_in.post(_url(world), {**data, f"file_{m['申请表']}": _pdf("申请表.pdf")})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'data-code="id_number_checksum"' in html and "校验位不正确" in html
    assert f'value="{bad}"' in html and "已暂存：申请表.pdf" in html
    assert not Case.objects.exists()
    # Corrected: the waiting file is attached without choosing it again.
    data["id_number"] = world.applicant.id_number
    r2 = client_in.post(_url(world), {**data, f"file_{m['近期免冠照片']}": _pdf("照片.pdf")})
    assert r2.status_code == 302
    case = Case.objects.get()
    assert case.status == "submitted"
    assert case.materials.get(name="申请表").files.get().original_name == "申请表.pdf"


def test_disguised_and_oversized_files_are_refused_one_by_one(
    world: World, client_in: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = _materials(world)
    disguised = SimpleUploadedFile("照片.pdf", PNG_BYTES, content_type="application/pdf")
    data = _form(world, action="save")
    r = client_in.post(
        _url(world), {**data, f"file_{m['申请表']}": _pdf(), f"file_{m['近期免冠照片']}": disguised}
    )
    html = r.content.decode()
    assert r.status_code == 422 and 'data-code="file_type_mismatch"' in html
    case = Case.objects.get()
    assert case.materials.get(name="申请表").status == MaterialStatus.PROVIDED
    assert case.materials.get(name="近期免冠照片").status == MaterialStatus.MISSING
    small = dataclasses.replace(CONFIG, upload_max_bytes=16)
    monkeypatch.setattr("tongban.cases.files.CONFIG", small)
    monkeypatch.setattr("tongban.cases.forms_applicant.CONFIG", small)
    r2 = client_in.post(_url(world), {**data, f"file_{m['近期免冠照片']}": _pdf()})
    assert r2.status_code == 422
    assert 'data-code="file_too_large"' in r2.content.decode()
    assert case.materials.get(name="近期免冠照片").files.count() == 0


def test_save_draft_then_continue_on_the_case_page(world: World, client_in: Client) -> None:
    m = _materials(world)
    data = _form(world, action="save", delivery="post", delivery_address="")
    r = client_in.post(_url(world), data)
    assert r.status_code == 422
    assert 'data-code="delivery_address_required"' in r.content.decode()
    data["delivery_address"] = "山西省长治市潞州区英雄中路1号"
    r = client_in.post(_url(world), {**data, f"file_{m['申请表']}": _pdf("申请表.pdf")})
    case = Case.objects.get()
    assert r["Location"] == f"/my/cases/{case.pk}/"
    page = client_in.get(r["Location"]).content.decode()
    assert "草稿" in page and "英雄中路1号" in page and "已上传：申请表.pdf" in page
    edit = {**data, "action": "submit", "revision": case.revision}
    r2 = client_in.post(
        f"/my/cases/{case.pk}/", {**edit, f"file_{m['近期免冠照片']}": _pdf("照片.pdf")}
    )
    case.refresh_from_db()
    assert r2["Location"] == f"/my/cases/{case.case_number}/"
    assert case.status == "submitted" and case.delivery == "post"


def test_stale_draft_form_gets_the_conflict_message(world: World, client_in: Client) -> None:
    client_in.post(_url(world), _form(world, action="save"))
    case = Case.objects.get()
    stale = {**_form(world, action="save", phone="1"), "revision": case.revision + 5}
    r = client_in.post(f"/my/cases/{case.pk}/", stale, follow=True)
    assert "办件已被更新，请刷新" in r.content.decode()
    case.refresh_from_db()
    assert case.applicant_phone == "13900001111"


def test_organisation_applicant_and_uscc_check(world: World, client_in: Client) -> None:
    impl = make_implementation(make_baseline("000105001001", "企业参保登记"), world.dept)
    v = version_create_draft(
        actor=SYSTEM,
        implementation=impl,
        elements=elements(
            "企业参保登记",
            for_person=False,
            for_organisation=True,
            materials=[MaterialInput(name="登记表")],
        ),
    )
    version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
    html = client_in.get(f"/apply/{impl.task_code}/").content.decode()
    assert 'name="applicant_kind" value="organisation"' in html
    uscc = make_uscc("91140400MA0000001")
    data = _form(world, applicant_kind="organisation", org_name="长治某某有限公司")
    data.update(uscc=uscc[:17] + ("0" if uscc[17] != "0" else "1"), agent_name="张三")
    data["agent_id_number"] = world.applicant.id_number
    r = client_in.post(f"/apply/{impl.task_code}/", data)
    assert r.status_code == 422 and 'data-code="uscc_checksum"' in r.content.decode()
    data["uscc"] = uscc
    req = v.materials.get()
    r2 = client_in.post(f"/apply/{impl.task_code}/", {**data, f"file_{req.pk}": _pdf()})
    assert r2.status_code == 302
    case = Case.objects.get(implementation=impl)
    assert case.applicant_kind == "organisation" and case.applicant_code == uscc
    assert case.agent_name == "张三" and case.agent_id_number == world.applicant.id_number


def test_deferral_choice_when_the_item_allows_it(world: World, client_in: Client) -> None:
    impl = make_implementation(make_baseline("000105001002", "失业登记"), world.dept)
    v = version_create_draft(
        actor=SYSTEM,
        implementation=impl,
        elements=elements(
            "失业登记",
            allows_deferral=True,
            materials=[
                MaterialInput(name="登记表"),
                MaterialInput(name="解除劳动合同证明", deferrable=True),
            ],
        ),
    )
    version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
    reqs = {m.name: m.pk for m in v.materials.all()}
    html = client_in.get(f"/apply/{impl.task_code}/").content.decode()
    assert f'name="how_{reqs["解除劳动合同证明"]}" value="defer"' in html
    assert f'name="how_{reqs["登记表"]}"' not in html
    data = {**_form(world), f"how_{reqs['解除劳动合同证明']}": "defer"}
    r = client_in.post(f"/apply/{impl.task_code}/", {**data, f"file_{reqs['登记表']}": _pdf()})
    assert r.status_code == 302
    case = Case.objects.get(implementation=impl)
    assert case.status == "submitted"
    assert case.materials.get(name="解除劳动合同证明").status == MaterialStatus.DEFERRED


def test_item_not_online_cannot_be_applied_for(world: World, client_in: Client) -> None:
    impl = make_implementation(make_baseline("000105001003", "窗口事项"), world.dept)
    el = elements("窗口事项", scope="local", mode_fully_online=False, mode_proxy_intake=False)
    v = version_create_draft(actor=SYSTEM, implementation=impl, elements=el)
    version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
    r = client_in.get(f"/apply/{impl.task_code}/")
    assert r.status_code == 409 and "暂不支持网上申请" in r.content.decode()
    r2 = client_in.post(f"/apply/{impl.task_code}/", _form(world))
    assert r2.status_code == 409 and not Case.objects.exists()
    assert client_in.get("/apply/NOPE/").status_code == 404


# --- my cases and the case page ---------------------------------------------------------


def test_my_cases_lists_status_and_countdown(world: World, client_in: Client) -> None:
    case = _accepted(client_in, world)
    client_in.post(_url(world), _form(world, action="save"))  # a draft too
    html = client_in.get("/my/cases/").content.decode()
    assert case.case_number in html and "已受理" in html and "草稿" in html
    # Accepted Mon 2 Mar, 5 working days promised: due Mon 9 Mar, 5 left.
    assert "承诺办结时间 2026-03-09" in html and "剩余 5 个工作日" in html
    Case.objects.filter(pk=case.pk).update(deadline_unknown=True)
    assert "期限无法计算：工作日历未覆盖" in client_in.get("/my/cases/").content.decode()
    assert Client().get("/my/cases/").status_code == 302


def test_cases_of_others_do_not_exist_here(world: World, client_in: Client) -> None:
    case = _submitted(client_in, world)
    stranger = make_user("stranger", "applicant", "140400")
    c = Client()
    c.force_login(stranger)
    assert c.get(f"/my/cases/{case.case_number}/").status_code == 404
    assert case.case_number not in c.get("/my/cases/").content.decode()
    staff = Client()
    staff.force_login(world.clerk)  # may handle it, but it is not their own application
    assert staff.get(f"/my/cases/{case.case_number}/").status_code == 404
    assert c.get("/my/cases/nonsense/").status_code == 404


def _supplement_requested(client: Client, world: World) -> Case:
    case = _accepted(client, world)
    case = case_transition(actor=world.reviewer, case=case, to="under_review", today=TODAY)
    photo = case.materials.get(name="近期免冠照片")
    form = case.materials.get(name="申请表")
    return case_request_supplement(
        actor=world.reviewer,
        case=case,
        defects=[Defect(photo.pk, "照片背景应为白色"), Defect(form.pk, "缺少签字")],
        opinion="请一次性补正以下材料",
        today=TODAY,
    )


def test_supplement_list_paused_clock_and_supplement(world: World, client_in: Client) -> None:
    case = _supplement_requested(client_in, world)
    url = f"/my/cases/{case.case_number}/"
    html = client_in.get(url).content.decode()
    assert "一次性告知：请补正以下材料" in html and "照片背景应为白色" in html
    assert "缺少签字" in html and "请一次性补正以下材料" in html
    assert "补正期间暂停计时" in html and "已暂停计时" in html
    assert "剩余" not in html
    m = _materials(world)
    disguised = SimpleUploadedFile("签字.pdf", PNG_BYTES, content_type="application/pdf")
    r = client_in.post(
        url + "supplement/",
        {
            "revision": case.revision,
            f"file_{m['近期免冠照片']}": _pdf("新照片.pdf"),
            f"file_{m['申请表']}": disguised,
        },
    )
    html = r.content.decode()
    assert r.status_code == 422 and 'data-code="file_type_mismatch"' in html
    assert "已重新上传：新照片.pdf" in html  # the good file stayed
    case.refresh_from_db()
    assert case.status == "supplement_requested"
    r2 = client_in.post(
        url + "supplement/",
        {"revision": case.revision, f"file_{m['申请表']}": _pdf("签字.pdf")},
    )
    assert r2.status_code == 302
    case.refresh_from_db()
    assert case.status == "under_review"
    html = client_in.get(url).content.decode()
    for label in ("提交申请", "受理", "开始审查", "一次性告知补正", "提交补正材料"):
        assert label in html
    assert "补正期间暂停计时" not in html and "剩余" in html


def test_supplement_needs_every_material_and_fresh_revision(
    world: World, client_in: Client
) -> None:
    case = _supplement_requested(client_in, world)
    url = f"/my/cases/{case.case_number}/supplement/"
    r = client_in.post(url, {"revision": case.revision})
    assert r.status_code == 422 and 'data-code="supplement_incomplete"' in r.content.decode()
    r2 = client_in.post(url, {"revision": case.revision - 1}, follow=True)
    assert "办件已被更新，请刷新" in r2.content.decode()


def test_withdraw_with_confirmation(world: World, client_in: Client) -> None:
    case = _submitted(client_in, world)
    url = f"/my/cases/{case.case_number}/"
    assert "撤回申请" in client_in.get(url).content.decode()
    confirm = client_in.get(url + "withdraw/").content.decode()
    assert "确认撤回" in confirm
    r = client_in.post(url + "withdraw/", {"revision": case.revision - 1}, follow=True)
    assert "办件已被更新，请刷新" in r.content.decode()
    r2 = client_in.post(url + "withdraw/", {"revision": case.revision, "reason": "不办了"})
    assert r2["Location"] == url
    case.refresh_from_db()
    assert case.status == "withdrawn"
    html = client_in.get(url).content.decode()
    assert "已撤回" in html and "不办了" in html and "撤回申请</a>" not in html


def test_draft_can_be_deleted(world: World, client_in: Client) -> None:
    client_in.post(_url(world), _form(world, action="save"))
    case = Case.objects.get()
    r = client_in.post(f"/my/cases/{case.pk}/withdraw/", {"revision": case.revision})
    assert r["Location"] == "/my/cases/"
    case.refresh_from_db()
    assert case.status == "withdrawn"


def test_guide_button_and_header_link(world: World, client_in: Client) -> None:
    html = client_in.get(f"/items/{world.impl.task_code}/").content.decode()
    assert f'href="/apply/{world.impl.task_code}/">在线申请</a>' in html
    assert '<a href="/my/cases/">我的办件</a>' in html
    assert "我的办件" not in Client().get("/").content.decode()


def test_exempt_material_cannot_be_uploaded_by_hand(world: World, client_in: Client) -> None:
    m = _materials(world)
    r = client_in.post(
        _url(world), {**_form(world, action="save"), f"file_{m['参保证明']}": _pdf()}
    )
    assert r.status_code == 422
    exempt = CaseMaterial.objects.get(name="参保证明")
    assert exempt.status == MaterialStatus.EXEMPTED and exempt.files.count() == 0


def test_key_of_another_applicant_is_refused(world: World, client_in: Client) -> None:
    data = _form(world, action="save")
    client_in.post(_url(world), data)
    other = make_user("lisi", "applicant", "140400")
    c = Client()
    c.force_login(other)
    r = c.post(_url(world), {**data, "id_number": make_id_number("14040219900101002")})
    assert r.status_code == 409 and 'data-code="idempotency_key_reused"' in r.content.decode()
    assert Case.objects.count() == 1
