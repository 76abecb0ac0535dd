"""Demo ratings (好差评): three online cases of the 长治 applicant, decided by a 长治
department and closed through the case services, then rated — a good one, a bad one
whose follow-up (回访) is still open, and a bad one followed up, rectified and closed,
so the task queue and the public page both have something to show. Idempotent: cases
are found again by their idempotency keys and existing ratings are left alone."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from tongban.accounts.models import User
from tongban.cases.models import Case, MaterialStatus
from tongban.cases.services import ApplicantInput, IntakeInput, case_create_draft, case_transition
from tongban.cases.services_materials import material_upload
from tongban.catalog.models import ItemImplementation
from tongban.core.errors import TongbanError
from tongban.ratings.models import Rating
from tongban.ratings.services import RatingInput, rating_submit, rectification_transition

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PATH = ["submitted", "pre_review", "accepted", "under_review", "approved"]
PATH += ["result_issued", "delivered", "closed"]
# (idempotency key, 受理 level, 办结 level, comment on 办结, what happens to it)
PLAN = [
    ("demo-rating-good", 5, 5, "窗口人员热情，办理很快。", ""),
    ("demo-rating-open", 4, 2, "网上提交后等了很久才受理，进度也看不到。", "open"),
    ("demo-rating-fixed", 3, 1, "办事指南写的材料和实际要求不一致，跑了两趟。", "closed"),
]


def _closed_case(
    key: str, applicant: User, approver: User, impls: list[ItemImplementation]
) -> Case | None:
    existing = Case.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing if existing.status == "closed" else None
    intake = IntakeInput(
        applicant=ApplicantInput(
            kind="person",
            name=applicant.display_name,
            code=applicant.id_number,
            phone=applicant.phone,
        ),
        channel="pc",
        idempotency_key=key,
    )
    for impl in impls:
        try:
            with transaction.atomic():  # a savepoint: a refused item leaves nothing behind
                return _apply_and_close(impl, intake, applicant, approver)
        except TongbanError:
            continue  # e.g. not applicable online; try the next item
    return None


def _apply_and_close(
    impl: ItemImplementation, intake: IntakeInput, applicant: User, approver: User
) -> Case:
    case = case_create_draft(actor=applicant, implementation=impl, intake=intake)
    for m in case.materials.filter(status=MaterialStatus.MISSING):
        material_upload(
            actor=applicant,
            case=case,
            material_id=m.pk,
            file_name=f"{m.name}.pdf",
            data=PDF,
            claimed_type="application/pdf",
        )
    for to in PATH:
        case = case_transition(actor=applicant if to == "submitted" else approver, case=case, to=to)
    return case


def seed_ratings(*, region_key: str = "changzhi") -> int:
    """Returns the number of ratings created."""
    applicant = User.objects.filter(username=f"{region_key}.applicant").first()
    approver = User.objects.filter(username=f"{region_key}.approver").first()
    supervisor = User.objects.filter(username=f"{region_key}.supervisor").first()
    if applicant is None or approver is None or supervisor is None or not applicant.id_number:
        return 0
    dept_ids = list(
        approver.grants.filter(department__isnull=False).values_list("department_id", flat=True)
    )
    impls = list(
        ItemImplementation.objects.filter(
            Q(department_id__in=dept_ids), current_version__isnull=False
        ).order_by("id")[:30]
    )
    created = 0
    for key, accept_level, close_level, comment, fate in PLAN:
        case = _closed_case(key, applicant, approver, impls)
        if case is None or Rating.objects.filter(case=case).exists():
            continue
        number = case.case_number or ""
        for stage, level, text in (
            ("acceptance", accept_level, ""),
            ("closure", close_level, comment),
        ):
            rating = rating_submit(
                actor=applicant,
                data=RatingInput(number, stage, "department", {"overall": level}, text),
                channel="online",
            )
            created += 1
        if fate == "closed":
            rid = rating.rectification.pk
            rectification_transition(
                actor=approver,
                rectification_id=rid,
                action="follow_up",
                note="已电话回访申请人，确认办事指南材料清单与窗口要求不一致。",
            )
            rectification_transition(
                actor=approver,
                rectification_id=rid,
                action="submit_rectification",
                note="修订办事指南材料清单，组织窗口人员学习。",
                outcome="已修订办事指南中的材料清单，统一窗口收件标准。",
            )
            rectification_transition(
                actor=supervisor, rectification_id=rid, action="approve_rectification"
            )
    return created
