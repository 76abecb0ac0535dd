"""多地联办: the combination rule (pure), parent and parts across two nodes (loopback),
counted once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from tongban.accounts.models import Role, User, Window
from tongban.accounts.services import service_center_create, user_create, window_create
from tongban.cases.joint import JointPart, PartState, combined_target, joint_application_create
from tongban.cases.joint_selectors import application_count, joint_view
from tongban.cases.models import Case
from tongban.cases.services import IntakeInput, case_transition
from tongban.cases.services_remote_node import Loopback, loopback
from tongban.cases.services_window import IdentityCheck
from tongban.cases.testing import person
from tongban.catalog.agreements import agreement_create
from tongban.catalog.elements import MaterialInput
from tongban.catalog.models import ItemImplementation
from tongban.catalog.services import version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError
from tongban.testing import elements, make_baseline, make_department, make_implementation

P = PartState


@pytest.mark.parametrize(
    ("parts", "target", "decision", "failed"),
    [
        ([], "submitted", None, 0),
        (
            [P("1", "a", False, False, False), P("2", "b", True, False, False)],
            "pre_review",
            None,
            0,
        ),
        ([P("1", "a", True, False, False), P("2", "b", True, False, False)], "accepted", None, 0),
        ([P("1", "a", True, False, True), P("2", "b", True, False, False)], "accepted", None, 0),
        (
            [P("1", "a", True, False, True), P("2", "b", True, False, True)],
            "result_issued",
            "approved",
            0,
        ),
        (
            [P("1", "a", False, True, False), P("2", "b", False, False, False)],
            "pre_review",
            None,
            1,
        ),
        (
            [P("1", "a", False, True, False), P("2", "b", True, False, True)],
            "result_issued",
            "denied",
            1,
        ),
        (
            [P("1", "a", True, True, False), P("2", "b", True, True, False)],
            "result_issued",
            "denied",
            2,
        ),
    ],
)
def test_combination_rule(
    parts: list[PartState], target: str, decision: str | None, failed: int
) -> None:
    c = combined_target(parts)
    assert (c.target, c.decision, len(c.failed)) == (target, decision, failed)


@dataclass
class JointWorld:
    cz: ItemImplementation
    pzh: ItemImplementation
    window: Window
    clerk: User
    cz_approver: User
    pzh_approver: User


def _impl(region: str, name: str, baseline: object) -> tuple[ItemImplementation, User]:
    dept = make_department(region, name=name)
    impl = make_implementation(baseline, dept)  # type: ignore[arg-type]
    el = elements(
        name="户口迁移",
        mode_joint=True,
        materials=[MaterialInput(name="迁移申请表", acceptance_standard="签字")],
    )
    v = version_create_draft(actor=SYSTEM, implementation=impl, elements=el)
    version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
    impl.refresh_from_db()
    approver = user_create(
        username=f"approver_{region}",
        password="pass-1234",
        display_name=f"审批 {region}",
        grants=[(str(Role.APPROVER), region, dept, None)],
    )
    return impl, approver


@pytest.fixture
def jw(db: None) -> JointWorld:
    baseline = make_baseline("011030010000", "户口迁移")
    cz, cz_approver = _impl("140400", "长治市公安局", baseline)
    pzh, pzh_approver = _impl("510400", "攀枝花市公安局", baseline)
    center = service_center_create(name="攀枝花市政务服务中心", region_code="510402")
    window = window_create(center=center, name="跨省通办专窗", number="18", is_cross_region=True)
    agreement_create(
        actor=SYSTEM,
        name="长治—攀枝花多地联办协议",
        scope="cross_province",
        party_codes=["140400", "510400"],
        catalog_codes=["011030010000"],
        valid_from="2026-01-01",
        rights={"receive", "notify", "verify_original", "deliver_result"},
        modes={"proxy_intake", "joint"},
    )
    clerk = user_create(
        username="pzh_clerk",
        password="pass-1234",
        display_name="攀枝花窗口",
        grants=[(str(Role.CLERK), "510400", None, window)],
    )
    return JointWorld(cz, pzh, window, clerk, cz_approver, pzh_approver)


@pytest.fixture
def lb() -> Iterator[Loopback]:
    with loopback(Loopback(regions={"140400": "cz", "510400": "pzh"}, node="pzh")) as lb:
        yield lb


def _apply(jw: JointWorld) -> Case:
    from tongban.cases.services_window import ChecklistEntry, Scan
    from tongban.cases.testing import PDF_BYTES

    def part(impl: ItemImplementation) -> JointPart:
        v = impl.current_version
        assert v is not None
        req = v.materials.get(name="迁移申请表")
        scan = Scan("表.pdf", PDF_BYTES, "application/pdf")
        return JointPart(impl.task_code, [ChecklistEntry(req.pk, received=True, scans=[scan])])

    return joint_application_create(
        actor=jw.clerk,
        window=jw.window,
        intake=IntakeInput(applicant=person("王五", 9), channel="window", idempotency_key="J1"),
        identity=IdentityCheck(verified=True, method="card_reader"),
        parts=[part(jw.cz), part(jw.pzh)],
    )


def _decide(case: Case, actor: User, to: str, opinion: str = "") -> Case:
    path = {"approved": ["pre_review", "accepted", "under_review", "approved", "result_issued"]}
    steps = path.get(to, ["pre_review", "accepted", "under_review", "denied"])
    for step in steps:
        case = case_transition(
            actor=SYSTEM if step != steps[-1] else actor,
            case=case,
            to=step,
            opinion=opinion if step == "denied" else "",
        )
    return case


def test_all_parts_approved_give_one_combined_result(lb: Loopback, jw: JointWorld) -> None:
    parent = _apply(jw)
    assert parent.mode == "joint" and parent.status == "pre_review"
    # The title names each item once and every region (the same item in two cities).
    assert parent.item_name.startswith("多地联办：") and parent.item_name.count("（") == 1
    assert all(i.region.name in parent.item_name for i in (jw.cz, jw.pzh))
    assert _apply(jw).pk == parent.pk  # the same submission again
    remote, local = parent.parts.order_by("pk")
    lb.pump()
    decider = Case.objects.get(handled_for_node="pzh")
    assert remote.remote_node == "cz" and local.remote_node == ""
    _decide(local, jw.pzh_approver, "approved")
    with lb.as_node("cz"):
        _decide(decider, jw.cz_approver, "approved")
    lb.pump()
    parent.refresh_from_db()
    assert parent.status == "result_issued"
    assert [e.to_status for e in parent.events.order_by("seq") if e.to_status][-2:] == [
        "approved",
        "result_issued",
    ]
    view = joint_view(jw.clerk, parent)
    assert view.decision == "approved" and view.failed == 0 and len(view.parts) == 2
    # Counted once: one application on the intake node; parts and the handled record not.
    assert application_count() == 1
    assert application_count(intake_region="510400", mode="joint") == 1
    assert Case.objects.exclude(status="draft").count() == 4


def test_a_denied_part_shows_at_once_and_denies_the_whole(lb: Loopback, jw: JointWorld) -> None:
    parent = _apply(jw)
    lb.pump()
    decider = Case.objects.get(handled_for_node="pzh")
    with lb.as_node("cz"):
        _decide(decider, jw.cz_approver, "denied", "迁出地户籍信息不符")
    lb.pump()
    parent.refresh_from_db()
    failed = parent.events.get(action="part_failed")
    assert "迁出地户籍信息不符" in failed.opinion
    assert parent.status == "pre_review"  # still waiting for the other part
    local = parent.parts.get(remote_node="")
    _decide(local, jw.pzh_approver, "approved")
    parent.refresh_from_db()
    assert parent.status == "result_issued"
    deny = parent.events.get(to_status="denied")
    assert "迁出地户籍信息不符" in deny.opinion
    assert str(decider.case_number) not in deny.opinion  # it names the application's part
    assert joint_view(jw.clerk, parent).decision == "denied"


def test_joint_needs_two_parts_and_a_joint_agreement(jw: JointWorld) -> None:
    intake = IntakeInput(applicant=person("王五", 9), channel="window")
    ident = IdentityCheck(verified=True, method="card_reader")
    with pytest.raises(TongbanError) as err:
        joint_application_create(
            actor=jw.clerk,
            window=jw.window,
            intake=intake,
            identity=ident,
            parts=[JointPart(jw.cz.task_code)],
        )
    assert err.value.code == "joint_needs_parts"
    with pytest.raises(TongbanError) as err:
        joint_application_create(
            actor=jw.clerk,
            window=jw.window,
            intake=intake,
            identity=ident,
            parts=[JointPart(jw.cz.task_code), JointPart("X" * 31)],
        )
    assert err.value.code == "not_found"


def test_a_parent_under_a_foreign_item_is_numbered_from_the_nodes_block(jw: JointWorld) -> None:
    """The parent carries its first part's item (here 长治's): 攀枝花 numbers it from its
    own block for that item, like the part itself — not from 长治's share, which the part
    had already moved past (case_number_exhausted before)."""
    nodes = Loopback(
        regions={"140400": "cz", "510400": "pzh"},
        node="pzh",
        blocks={"cz": (9900, 9999), "pzh": (9800, 9899)},
    )
    with loopback(nodes):
        parent = _apply(jw)
    remote, local = parent.parts.order_by("pk")
    assert remote.implementation_id == parent.implementation_id
    assert [int(c.case_number[-4:]) for c in (remote, parent)] == [9800, 9801]
    assert int(local.case_number[-4:]) < 9800  # 攀枝花's own item: outside every block
