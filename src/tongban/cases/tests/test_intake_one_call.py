"""One-call counter intake (services_intake.case_intake) and its batch form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from tongban.cases.models import Case, CaseEvent, CaseFile, CaseMaterial, MaterialStatus
from tongban.cases.numbering import case_number_issue, case_numbers_issue
from tongban.cases.selectors import clerk_queues
from tongban.cases.services import ApplicantInput, IntakeInput, case_transition
from tongban.cases.services_intake import (
    CounterApplication,
    IntakeBatchRejected,
    case_intake,
    case_intake_batch,
)
from tongban.cases.services_materials import shipment_send
from tongban.cases.services_window import ChecklistEntry, IdentityCheck, Scan, window_intake
from tongban.cases.testing import PDF_BYTES, World, build_world, person
from tongban.core.errors import TongbanError
from tongban.core.models import Job
from tongban.federation.models import OutboxMessage
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)  # a Monday
PDF = "application/pdf"


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = str(tmp_path)
    return build_world(originals=True)


def _checklist(world: World, *, skip: str = "", originals: bool = True) -> list[ChecklistEntry]:
    version = world.impl.current_version
    assert version is not None
    return [
        ChecklistEntry(
            requirement_id=r.pk,
            received=True,
            original_checked=originals and r.original_required,
            scans=[Scan(f"{r.name}.pdf", PDF_BYTES, PDF)],
        )
        for r in version.materials.all()
        if r.source != "data_sharing" and r.name != skip
    ]


def _app(world: World, seq: int = 1, **kw: Any) -> CounterApplication:
    intake = IntakeInput(
        applicant=kw.pop("applicant", None) or person(seq=seq),
        channel="window",
        idempotency_key=kw.pop("key", None),
    )
    return CounterApplication(
        implementation=world.impl,
        intake=intake,
        identity=IdentityCheck(verified=True, method="card_reader"),
        checklist=kw.pop("checklist", None) or _checklist(world),
        **kw,
    )


def _code(exc: pytest.ExceptionInfo[TongbanError]) -> str:
    return exc.value.code


def test_one_call_takes_a_proxy_case_to_accepted(world: World) -> None:
    case = case_intake(
        actor=world.pzh_clerk, window=world.pzh_window, application=_app(world), today=DAY
    )
    case.refresh_from_db()
    assert case.status == "accepted" and case.mode == "proxy_intake"
    assert case.case_number == f"{world.impl.task_code}202603020001"
    assert case.intake_clerk_id == world.pzh_clerk.pk and case.applicant_user_id is None
    assert case.intake_region_id == "510402" and case.handling_region_id == "140400"
    # Deadlines as the step path computes them: 受理期限 five working days after 2 March,
    # 承诺办结时间 five working days after acceptance on 2 March.
    assert case.acceptance_deadline == date(2026, 3, 9)
    assert case.accepted_on == DAY and case.promised_deadline == date(2026, 3, 9)
    assert case.statutory_deadline is not None and not case.deadline_unknown
    assert case.originals_pending
    events = list(
        case.events.order_by("seq").values_list("seq", "action", "from_status", "to_status")
    )
    assert events == [
        (1, "create", "", "draft"),
        (2, "identity_check", "", ""),
        (3, "check_original", "", ""),
        (4, "submit", "draft", "submitted"),
        (5, "pre_review", "submitted", "pre_review"),
        (6, "accept", "pre_review", "accepted"),
    ]
    assert set(case.events.values_list("actor_role", flat=True)) == {"clerk"}
    mats = {m.name: m for m in case.materials.all()}
    assert mats["申请表"].status == MaterialStatus.PROVIDED and mats["申请表"].original_checked
    assert mats["参保证明"].status == MaterialStatus.EXEMPTED
    assert mats["参保证明"].reference == "社保参保信息"
    files = CaseFile.objects.filter(material__case=case)
    assert files.count() == 2
    assert all(f.file.read() == PDF_BYTES and f.content_type == PDF for f in files)
    assert case.form_data["identity_check"]["method"] == "card_reader"
    assert [line["material"] for line in case.form_data["intake_checklist"]] == [
        "申请表",
        "近期免冠照片",
    ]
    note = Notification.objects.get(case=case)
    assert "受理" in note.subject and case.case_number in note.body
    msg = OutboxMessage.objects.get(stream=case.case_number)
    assert msg.type == "cn.tongban.case.handed-off" and msg.seq == 1
    assert msg.recipient_region_id == "140400" and msg.payload["status"] == "accepted"
    assert [m["files"] for m in msg.payload["materials"]] == [1, 1, 0]
    jobs = {(j.name, j.payload["id"]) for j in Job.objects.all()}
    assert ("notifications.send", note.pk) in jobs
    assert ("federation.deliver_outbox", msg.pk) in jobs
    # The case carries on through the ordinary guarded path.
    moved = case_transition(actor=world.reviewer, case=case, to="under_review", today=DAY)
    assert moved.status == "under_review"
    assert moved.events.order_by("-seq").values_list("seq", flat=True)[0] == 7


def test_one_call_matches_the_step_by_step_path(world: World) -> None:
    step = window_intake(
        actor=world.pzh_clerk,
        implementation=world.impl,
        window=world.pzh_window,
        intake=_app(world, seq=2).intake,
        identity=IdentityCheck(verified=True, method="card_reader"),
        checklist=_checklist(world),
        today=DAY,
    )
    step = case_transition(actor=world.clerk, case=step, to="pre_review", today=DAY)
    step = case_transition(actor=world.clerk, case=step, to="accepted", today=DAY)
    one = case_intake(
        actor=world.pzh_clerk, window=world.pzh_window, application=_app(world, seq=3), today=DAY
    )
    fields = (
        "status",
        "mode",
        "acceptance_deadline",
        "accepted_on",
        "promised_deadline",
        "statutory_deadline",
        "deadline_unknown",
        "originals_pending",
        "intake_region_id",
        "handling_department_id",
        "item_name",
    )
    assert [getattr(step, f) for f in fields] == [getattr(one, f) for f in fields]
    assert step.case_number[-4:] == "0001" and one.case_number[-4:] == "0002"  # type: ignore[index]

    def materials(case: Case) -> list[tuple[str, str, bool]]:
        return [(m.name, m.status, m.original_checked) for m in case.materials.order_by("pk")]

    assert materials(step) == materials(one)
    actions = [list(c.events.order_by("seq").values_list("action", flat=True)) for c in (step, one)]
    assert actions[0] == actions[1]


def test_invalid_id_number_writes_nothing(world: World) -> None:
    bad = ApplicantInput(kind="person", name="张三", code="140402199001010010")
    with pytest.raises(TongbanError) as exc:
        case_intake(
            actor=world.pzh_clerk,
            window=world.pzh_window,
            application=_app(world, applicant=bad),
            today=DAY,
        )
    assert _code(exc) == "id_number_checksum" and exc.value.field == "applicant.code"
    assert not Case.objects.exists() and not CaseFile.objects.exists()


def test_missing_required_material_is_refused(world: World) -> None:
    app = _app(world, checklist=_checklist(world, skip="近期免冠照片"))
    with pytest.raises(TongbanError) as exc:
        case_intake(actor=world.pzh_clerk, window=world.pzh_window, application=app, today=DAY)
    assert _code(exc) == "materials_missing" and "近期免冠照片" in exc.value.message
    assert not Case.objects.exists()


def test_disguised_scan_and_unknown_requirement_are_refused(world: World) -> None:
    entries = _checklist(world)
    entries[0].scans = [Scan("x.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, PDF)]
    with pytest.raises(TongbanError) as exc:
        case_intake(
            actor=world.pzh_clerk,
            window=world.pzh_window,
            application=_app(world, checklist=entries),
            today=DAY,
        )
    assert _code(exc) == "file_type_mismatch"
    entries = [*_checklist(world), ChecklistEntry(requirement_id=10**9, received=True)]
    with pytest.raises(TongbanError) as exc:
        case_intake(
            actor=world.pzh_clerk,
            window=world.pzh_window,
            application=_app(world, checklist=entries),
            today=DAY,
        )
    assert _code(exc) == "not_found"


def test_wrong_role_is_refused(world: World) -> None:
    for actor in (world.reviewer, world.applicant, world.clerk):
        with pytest.raises(TongbanError) as exc:
            case_intake(actor=actor, window=world.pzh_window, application=_app(world), today=DAY)
        assert _code(exc) == "permission_denied" and exc.value.field == "window"
    assert not Case.objects.exists()


def test_illegal_target_status_and_bad_identity_check(world: World) -> None:
    with pytest.raises(TongbanError) as exc:
        case_intake(
            actor=world.pzh_clerk,
            window=world.pzh_window,
            application=_app(world, to="approved"),
            today=DAY,
        )
    assert _code(exc) == "illegal_transition"
    app = _app(world)
    app.identity = IdentityCheck(verified=False, method="card_reader")
    with pytest.raises(TongbanError) as exc:
        case_intake(actor=world.pzh_clerk, window=world.pzh_window, application=app, today=DAY)
    assert _code(exc) == "identity_check_required"
    app = _app(world)
    app.intake.channel = "pc"
    with pytest.raises(TongbanError) as exc:
        case_intake(actor=world.pzh_clerk, window=world.pzh_window, application=app, today=DAY)
    assert _code(exc) == "invalid_input" and exc.value.field == "window"
    assert not Case.objects.exists()


def test_submit_only_leaves_acceptance_to_the_department(world: World) -> None:
    case = case_intake(
        actor=world.pzh_clerk,
        window=world.pzh_window,
        application=_app(world, to="submitted"),
        today=DAY,
    )
    assert case.status == "submitted" and case.accepted_on is None
    assert case.promised_deadline is None and case.acceptance_deadline == date(2026, 3, 9)
    assert Notification.objects.get(case=case).subject == "办件进度：提交申请"
    case = case_transition(actor=world.clerk, case=case, to="pre_review", today=DAY)
    assert case.status == "pre_review"


def test_window_without_agreement_is_refused() -> None:
    world = build_world(with_agreement=False)
    with pytest.raises(TongbanError) as exc:
        case_intake(actor=world.pzh_clerk, window=world.pzh_window, application=_app(world))
    assert _code(exc) == "no_agreement_right"


def test_commitment_needs_the_item_to_allow_it(world: World) -> None:
    entries = _checklist(world)
    entries[1].scans, entries[1].defer = [], "commitment"
    with pytest.raises(TongbanError) as exc:
        case_intake(
            actor=world.pzh_clerk,
            window=world.pzh_window,
            application=_app(world, checklist=entries),
            today=DAY,
        )
    assert _code(exc) == "commitment_not_allowed"


def test_same_key_twice_is_one_case(world: World) -> None:
    first = case_intake(
        actor=world.pzh_clerk, window=world.pzh_window, application=_app(world, key="k-1")
    )
    again = case_intake(
        actor=world.pzh_clerk, window=world.pzh_window, application=_app(world, key="k-1")
    )
    assert again.pk == first.pk and Case.objects.count() == 1
    # Someone who may not see the case learns nothing from the key.
    other = build_world_other_window_clerk(world)
    with pytest.raises(TongbanError) as exc:
        case_intake_batch(actor=other[1], window=other[0], applications=[_app(world, key="k-1")])
    assert _code(exc) == "intake_batch_rejected"
    assert exc.value.details[0]["code"] == "idempotency_key_reused"  # type: ignore[index]


def build_world_other_window_clerk(world: World) -> tuple[Any, Any]:
    from tongban.accounts.services import service_center_create, user_create, window_create

    center = service_center_create(name="长治市政务服务中心", region_code="140403")
    window = window_create(center=center, name="综合窗口", number="2")
    clerk = user_create(
        username="cz_window",
        password="pass-1234",
        display_name="cz_window",
        grants=[("clerk", "140400", None, window)],
    )
    return window, clerk


def test_local_window_accepts_on_the_spot(world: World) -> None:
    window, clerk = build_world_other_window_clerk(world)
    case = case_intake(actor=clerk, window=window, application=_app(world), today=DAY)
    assert case.mode == "local" and case.status == "accepted"
    assert not case.originals_pending
    assert not OutboxMessage.objects.filter(stream=case.case_number).exists()


def test_batch_commits_every_case_with_consecutive_numbers(world: World) -> None:
    apps = [_app(world, seq=i, key=f"b-{i}") for i in range(1, 6)]
    result = case_intake_batch(
        actor=world.pzh_clerk, window=world.pzh_window, applications=apps, today=DAY
    )
    numbers = [c.case_number for c in result.cases]
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003", "0004", "0005"]  # type: ignore[index]
    assert result.replayed == []
    assert CaseMaterial.objects.count() == 15 and CaseFile.objects.count() == 10
    assert CaseEvent.objects.count() == 30 and OutboxMessage.objects.count() == 5
    assert Notification.objects.count() == 5 and Job.objects.count() == 10
    # Replaying the batch answers with the same cases.
    again = case_intake_batch(
        actor=world.pzh_clerk, window=world.pzh_window, applications=apps, today=DAY
    )
    assert [c.pk for c in again.cases] == [c.pk for c in result.cases]
    assert again.replayed == [0, 1, 2, 3, 4] and Case.objects.count() == 5


def test_batch_with_bad_rows_reports_each_and_writes_nothing(world: World) -> None:
    apps = [_app(world, seq=i) for i in range(1, 6)]
    apps[1].intake.applicant.code = "140402199001010010"  # wrong check digit
    apps[3].checklist = _checklist(world, skip="申请表")
    with pytest.raises(IntakeBatchRejected) as exc:
        case_intake_batch(
            actor=world.pzh_clerk, window=world.pzh_window, applications=apps, today=DAY
        )
    assert [(e.index, e.code) for e in exc.value.errors] == [
        (1, "id_number_checksum"),
        (3, "materials_missing"),
    ]
    assert exc.value.code == "intake_batch_rejected"
    assert [d["index"] for d in exc.value.details] == [1, 3]  # type: ignore[union-attr]
    assert not Case.objects.exists() and not Job.objects.exists()
    # Fixed, the same batch goes through whole.
    apps[1].intake.applicant = person(seq=2)
    apps[3].checklist = _checklist(world)
    result = case_intake_batch(
        actor=world.pzh_clerk, window=world.pzh_window, applications=apps, today=DAY
    )
    assert len(result.cases) == 5 and Case.objects.count() == 5


def test_batch_rejects_a_duplicate_key_and_empty_or_oversized_batches(world: World) -> None:
    apps = [_app(world, seq=1, key="d"), _app(world, seq=2, key="d")]
    with pytest.raises(IntakeBatchRejected) as exc:
        case_intake_batch(actor=world.pzh_clerk, window=world.pzh_window, applications=apps)
    assert [(e.index, e.code) for e in exc.value.errors] == [(1, "batch_duplicate_key")]
    with pytest.raises(TongbanError) as exc2:
        case_intake_batch(actor=world.pzh_clerk, window=world.pzh_window, applications=[])
    assert exc2.value.code == "invalid_input"
    with pytest.raises(TongbanError) as exc2:
        case_intake_batch(
            actor=world.pzh_clerk, window=world.pzh_window, applications=[apps[0]] * 1001
        )
    assert exc2.value.code == "invalid_input"


def test_one_call_statement_budget(world: World, django_assert_max_num_queries: Any) -> None:
    case_intake(actor=world.pzh_clerk, window=world.pzh_window, application=_app(world, seq=1))
    world.pzh_clerk.__dict__.pop("_tongban_grants", None)  # a new request loads the grants
    app = _app(world, seq=2, key="budget")
    # Reads: grants, the calendar's freshness check, the key, agreements (+ parties).
    # Writes: number, case, materials, files, events, notification, outbox, jobs.
    # Plus the savepoint pair of the test's own transaction (BEGIN/COMMIT in production).
    with django_assert_max_num_queries(15):
        case_intake(actor=world.pzh_clerk, window=world.pzh_window, application=app)


def test_originals_queue_follows_the_flag(world: World) -> None:
    case = case_intake(
        actor=world.pzh_clerk, window=world.pzh_window, application=_app(world), today=DAY
    )
    step = window_intake(
        actor=world.pzh_clerk,
        implementation=world.impl,
        window=world.pzh_window,
        intake=_app(world, seq=2).intake,
        identity=IdentityCheck(verified=True, method="face_match"),
        checklist=_checklist(world, originals=False),
        today=DAY,
    )
    assert step.originals_pending

    def queued() -> list[int]:
        q = clerk_queues(world.pzh_clerk, window_id=world.pzh_window.pk, today=DAY)
        return [c.pk for c in q["originals_to_post"]]

    assert queued() == [case.pk, step.pk]
    shipment_send(
        actor=world.pzh_clerk, case=case, kind="originals", carrier="EMS", tracking_number="E1"
    )
    case.refresh_from_db()
    assert not case.originals_pending and queued() == [step.pk]
    shipment_send(
        actor=world.pzh_clerk, case=step, kind="result", carrier="EMS", tracking_number="E2"
    )
    assert queued() == [step.pk]


def test_case_numbers_are_consecutive_and_exhaustion_rolls_back(world: World) -> None:
    code = world.impl.task_code
    with transaction.atomic():
        assert case_number_issue(task_code=code, day=DAY).endswith("202603020001")
        assert [n[-4:] for n in case_numbers_issue(task_code=code, day=DAY, count=3)] == [
            "0002",
            "0003",
            "0004",
        ]
    with pytest.raises(TongbanError) as exc, transaction.atomic():
        case_numbers_issue(task_code=code, day=DAY, count=9996)
    assert _code(exc) == "case_number_exhausted"
    with transaction.atomic():
        assert case_number_issue(task_code=code, day=DAY).endswith("0005")
        assert case_numbers_issue(task_code=code, day=DAY, count=9994)[-1].endswith("9999")


def test_large_batch_rows_are_complete(world: World) -> None:
    """25 applications: on PostgreSQL every table goes in by COPY; the rows read back
    the same as the small path writes them."""
    apps = [_app(world, seq=i, key=f"L-{i}") for i in range(1, 26)]
    result = case_intake_batch(
        actor=world.pzh_clerk, window=world.pzh_window, applications=apps, today=DAY
    )
    assert len({c.pk for c in result.cases}) == 25
    case = Case.objects.get(pk=result.cases[-1].pk)
    assert case.idempotency_key == "L-25" and case.status == "accepted"
    assert case.created_at is not None and case.form_data["identity_check"]["verified"]
    assert case.events.count() == 6 and case.materials.count() == 3
    event = case.events.get(action="identity_check")
    assert event.data == {"method": "card_reader", "method_label": "读卡"}
    files = CaseFile.objects.filter(material__case=case)
    assert files.count() == 2 and all(f.uploaded_at and f.file.read() == PDF_BYTES for f in files)
    msg = OutboxMessage.objects.get(stream=case.case_number)
    assert msg.message_id and msg.payload["case_number"] == case.case_number
    assert Job.objects.filter(status="queued").count() == 50
    assert Notification.objects.filter(case=case, status="pending").count() == 1
