from datetime import date

import pytest

from tongban.cases.models import Case, CaseMode, MaterialStatus
from tongban.cases.services import IntakeInput, case_create_draft, case_transition
from tongban.cases.services_materials import (
    Defect,
    case_request_supplement,
    case_supplement,
    material_upload,
)
from tongban.cases.testing import PDF_BYTES, World, build_world, online, person
from tongban.core.errors import TongbanError
from tongban.federation.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _upload_all(world: World, case: Case) -> None:
    for m in case.materials.all():
        if m.status == MaterialStatus.MISSING:
            material_upload(
                actor=world.applicant,
                case=case,
                material_id=m.pk,
                file_name=f"{m.name}.pdf",
                data=PDF_BYTES,
                claimed_type="application/pdf",
            )


def _move(case: Case, actor, to: str, day: date, opinion: str = "") -> Case:  # type: ignore[no-untyped-def]
    return case_transition(actor=actor, case=case, to=to, opinion=opinion, today=day)


def test_online_case_through_supplement_to_close(world: World) -> None:
    case = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online())
    assert case.mode == CaseMode.FULLY_ONLINE and case.status == "draft"
    assert case.materials.get(name="参保证明").status == MaterialStatus.EXEMPTED
    with pytest.raises(TongbanError) as exc:
        _move(case, world.applicant, "submitted", date(2026, 2, 11))
    assert exc.value.code == "materials_missing"
    _upload_all(world, case)
    case = _move(case, world.applicant, "submitted", date(2026, 2, 11))
    assert case.case_number == f"{world.impl.task_code}202602110001"
    # 5 working days after Wed 11 Feb 2026: 12, 13, 14 (make-up Saturday), then the
    # Spring Festival holiday 15–23 Feb, then 24, 25.
    assert case.acceptance_deadline == date(2026, 2, 25)
    case = _move(case, world.clerk, "pre_review", date(2026, 2, 12))
    case = _move(case, world.clerk, "accepted", date(2026, 2, 12))
    assert case.promised_deadline == date(2026, 2, 26)  # 13, 14, 24, 25, 26
    case = _move(case, world.reviewer, "under_review", date(2026, 2, 13))
    photo = case.materials.get(name="近期免冠照片")
    case = case_request_supplement(
        actor=world.reviewer,
        case=case,
        defects=[Defect(photo.pk, "照片背景应为白色")],
        opinion="请补正照片",
        today=date(2026, 2, 13),
    )
    assert case.status == "supplement_requested" and case.paused_from == "under_review"
    with pytest.raises(TongbanError) as exc2:
        case_supplement(actor=world.applicant, case=case)
    assert exc2.value.code == "supplement_incomplete"
    material_upload(
        actor=world.applicant,
        case=case,
        material_id=photo.pk,
        file_name="照片.pdf",
        data=PDF_BYTES,
        claimed_type="application/pdf",
    )
    # Supplemented on Tue 24 Feb: the paused working days (Fri 13 … Tue 24) do not count.
    case = case_supplement(actor=world.applicant, case=case, today=date(2026, 2, 24))
    assert case.status == "under_review"
    # 25, 26, 27, Sat 28 (make-up working day), Mon 2 Mar.
    assert case.promised_deadline == date(2026, 3, 2)
    case = _move(case, world.approver, "approved", date(2026, 2, 25), "符合条件，准予")
    case = _move(case, world.approver, "result_issued", date(2026, 2, 25))
    case = _move(case, world.clerk, "delivered", date(2026, 2, 26))
    case = _move(case, world.clerk, "closed", date(2026, 2, 26))
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "create",
        "submit",
        "pre_review",
        "accept",
        "review",
        "request_supplement",
        "supplement",
        "approve",
        "issue_result",
        "deliver",
        "close",
    ]
    assert (
        case.events.get(action="request_supplement").data["defects"][0]["material"]
        == "近期免冠照片"
    )


def test_illegal_moves_roles_and_outsiders(world: World) -> None:
    case = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online())
    _upload_all(world, case)
    case = _move(case, world.applicant, "submitted", date(2026, 3, 2))
    with pytest.raises(TongbanError) as e1:
        _move(case, world.approver, "approved", date(2026, 3, 2))
    assert e1.value.code == "illegal_transition"
    with pytest.raises(TongbanError) as e2:
        _move(case, world.applicant, "pre_review", date(2026, 3, 2))
    assert e2.value.code == "permission_denied"
    with pytest.raises(TongbanError) as e3:
        _move(case, world.pzh_clerk, "pre_review", date(2026, 3, 2))
    assert e3.value.code == "not_found"
    case = _move(case, world.clerk, "pre_review", date(2026, 3, 2))
    with pytest.raises(TongbanError) as e4:
        _move(case, world.clerk, "refused", date(2026, 3, 2))
    assert e4.value.code == "reason_required"
    assert Case.objects.get(pk=case.pk).status == "pre_review"
    assert case.events.count() == 3


def test_two_clerks_at_once_one_wins(world: World) -> None:
    case = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online())
    _upload_all(world, case)
    case = _move(case, world.applicant, "submitted", date(2026, 3, 2))
    seen = case.revision
    case_transition(actor=world.clerk, case=case, to="pre_review", expected_revision=seen)
    with pytest.raises(TongbanError) as exc:
        case_transition(actor=world.clerk, case=case, to="pre_review", expected_revision=seen)
    assert exc.value.code == "conflict" and exc.value.status == 409


def test_same_submission_twice_is_one_case(world: World) -> None:
    a = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online("k-1"))
    b = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online("k-1"))
    assert a.pk == b.pk and Case.objects.count() == 1


def test_invalid_identity_code_rejected(world: World) -> None:
    bad = person()
    bad.code = bad.code[:-1] + ("0" if bad.code[-1] != "0" else "1")
    with pytest.raises(TongbanError) as exc:
        case_create_draft(
            actor=world.applicant,
            implementation=world.impl,
            intake=IntakeInput(applicant=bad, channel="pc"),
        )
    assert exc.value.code == "id_number_checksum" and exc.value.field == "applicant.code"
    assert not Case.objects.exists()


def test_proxy_intake_needs_agreement_and_writes_handoff() -> None:
    world = build_world(with_agreement=False)
    intake = IntakeInput(applicant=person(), channel="window")
    with pytest.raises(TongbanError) as exc:
        case_create_draft(
            actor=world.pzh_clerk,
            implementation=world.impl,
            intake=intake,
            window=world.pzh_window,
            today=date(2026, 3, 2),
        )
    assert exc.value.code == "no_agreement_right"


def test_proxy_intake_hands_off(world: World) -> None:
    intake = IntakeInput(applicant=person(), channel="window")
    case = case_create_draft(
        actor=world.pzh_clerk,
        implementation=world.impl,
        intake=intake,
        window=world.pzh_window,
        today=date(2026, 3, 2),
    )
    assert case.mode == CaseMode.PROXY_INTAKE and case.intake_region_id == "510402"
    for m in case.materials.filter(status=MaterialStatus.MISSING):
        material_upload(
            actor=world.pzh_clerk,
            case=case,
            material_id=m.pk,
            file_name="扫描件.pdf",
            data=PDF_BYTES,
            claimed_type="application/pdf",
        )
    case = _move(case, world.pzh_clerk, "submitted", date(2026, 3, 2))
    msg = OutboxMessage.objects.get(type="cn.tongban.case.handed-off")
    assert msg.recipient_region_id == "140400" and msg.payload["case_number"] == case.case_number
    case = _move(case, world.clerk, "pre_review", date(2026, 3, 3))
    back = OutboxMessage.objects.get(type="cn.tongban.case.status-changed")
    assert back.recipient_region_id == "510402" and back.payload["to"] == "pre_review"
    assert [m.seq for m in OutboxMessage.objects.filter(stream=case.case_number)] == [1, 2]


def test_deadline_beyond_the_calendar_is_flagged_not_guessed() -> None:
    world = build_world(promised_days=20)
    case = case_create_draft(actor=world.applicant, implementation=world.impl, intake=online())
    _upload_all(world, case)
    case = _move(case, world.applicant, "submitted", date(2026, 12, 1))
    case = _move(case, world.clerk, "pre_review", date(2026, 12, 14))
    case = _move(case, world.clerk, "accepted", date(2026, 12, 14))
    assert case.deadline_unknown and case.promised_deadline is None


def test_case_numbers_count_per_item_per_day(world: World) -> None:
    numbers = []
    for i in range(3):
        c = case_create_draft(
            actor=world.applicant, implementation=world.impl, intake=online(f"n{i}")
        )
        _upload_all(world, c)
        numbers.append(_move(c, world.applicant, "submitted", date(2026, 3, 2)).case_number)
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003"]
    assert len(numbers[0]) == 43


def test_online_applicant_cannot_file_in_someone_elses_name(world: World) -> None:
    other = person("李四", seq=7)
    with pytest.raises(TongbanError) as exc:
        case_create_draft(
            actor=world.applicant,
            implementation=world.impl,
            intake=IntakeInput(applicant=other, channel="pc"),
        )
    assert exc.value.code == "applicant_identity_mismatch" and exc.value.status == 403
    other.agent_name, other.agent_id_number = "张三", world.applicant.id_number
    case = case_create_draft(
        actor=world.applicant,
        implementation=world.impl,
        intake=IntakeInput(applicant=other, channel="pc"),
    )
    assert case.applicant_name == "李四" and case.agent_name == "张三"
