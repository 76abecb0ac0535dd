"""两个免提交: offers, consent, trust level A, use log, and every way it must refuse."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.cases.models import Case, MaterialStatus
from tongban.cases.services import case_create_draft, case_transition
from tongban.cases.services_materials import material_upload
from tongban.cases.testing import PDF_BYTES, online
from tongban.core.actors import SYSTEM
from tongban.core.errors import NotFound, PermissionDenied, TongbanError, ValidationFailed
from tongban.core.ids import make_id_number
from tongban.licences.exemption import case_materials_exempt, licence_offers
from tongban.licences.models import Licence, LicenceUse
from tongban.licences.services import licence_operate
from tongban.licences.testing import ID_CARD, POLICE_CODE, LicenceWorld, build_licence_world, issue

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 10)


@pytest.fixture
def w() -> LicenceWorld:
    return build_licence_world()


def _draft(w: LicenceWorld) -> Case:
    intake = online()
    intake.applicant.code = w.applicant.id_number
    return case_create_draft(actor=w.applicant, implementation=w.impl, intake=intake)


def _rid(case: Case, name: str) -> int:
    return case.materials.get(name=name).requirement_id


def test_offer_shows_the_applicants_valid_licence(w: LicenceWorld) -> None:
    offers = licence_offers(version=w.impl.current_version, holder_code=w.applicant.id_number)
    (offer,) = offers.values()
    assert offer.licence is not None and offer.licence.identifier == w.id_card.identifier
    assert "居民身份证" in offer.message
    none = licence_offers(
        version=w.impl.current_version, holder_code=make_id_number("14040219900101002")
    )
    (empty,) = none.values()
    assert empty.licence is None and "请上传" in empty.message


def test_offer_skips_a_suspended_licence(w: LicenceWorld) -> None:
    licence_operate(actor=SYSTEM, licence=w.id_card, operation="suspend", reason="挂失")
    (offer,) = licence_offers(
        version=w.impl.current_version, holder_code=w.applicant.id_number
    ).values()
    assert offer.licence is None


def test_consent_exempts_the_material_with_provenance_and_logs_the_use(w: LicenceWorld) -> None:
    case = _draft(w)
    rid = _rid(case, "居民身份证")
    n = case_materials_exempt(actor=w.applicant, case=case, consents={rid: w.id_card.identifier})
    assert n == 2  # 居民身份证 by licence, 参保证明 by data sharing
    m = case.materials.get(requirement_id=rid)
    assert (m.status, m.reference) == (MaterialStatus.EXEMPTED, w.id_card.identifier)
    event = case.events.get(action="licence_exempt")
    assert event.data["trust_level"] == "A" and event.data["consent"] is True
    assert event.data["issuer"] == "长治市公安局潞州分局"
    use = LicenceUse.objects.get(licence=w.id_card)
    assert use.case_id == case.pk and use.consented and use.requester_node == "local"
    assert use.department_name == "长治市人力资源和社会保障局"
    # Uploading the rest and submitting works without the exempted material.
    material_upload(
        actor=w.applicant,
        case=case,
        material_id=case.materials.get(name="申请表").pk,
        file_name="申请表.pdf",
        data=PDF_BYTES,
        claimed_type="application/pdf",
    )
    case = case_transition(actor=w.applicant, case=case, to="submitted", today=DAY)
    assert case.exempted_materials == 2
    # The department sees where it came from, and that no original is to be checked.
    from django.test import Client

    staff = Client()
    staff.force_login(w.reviewer)
    html = staff.get(f"/workbench/cases/{case.case_number}/").content.decode()
    assert "licence-provenance" in html and html.count("免提交，无需原件") == 2


def test_consent_again_is_a_no_op(w: LicenceWorld) -> None:
    case = _draft(w)
    rid = _rid(case, "居民身份证")
    for _ in range(2):
        case_materials_exempt(actor=w.applicant, case=case, consents={rid: w.id_card.identifier})
    assert LicenceUse.objects.count() == 1


@pytest.mark.parametrize("operation", ["suspend", "revoke", "cancel"])
def test_an_invalid_licence_can_never_satisfy_a_material(w: LicenceWorld, operation: str) -> None:
    licence_operate(actor=SYSTEM, licence=w.id_card, operation=operation, reason="测试")
    case = _draft(w)
    with pytest.raises(ValidationFailed) as err:
        case_materials_exempt(
            actor=w.applicant, case=case, consents={_rid(case, "居民身份证"): w.id_card.identifier}
        )
    assert err.value.code == "licence_not_valid"
    assert case.materials.get(name="居民身份证").status == MaterialStatus.MISSING
    assert not LicenceUse.objects.exists()


def test_an_expired_licence_cannot_be_used(w: LicenceWorld) -> None:
    Licence.objects.filter(pk=w.id_card.pk).update(valid_to=date(2021, 1, 1))
    # The column change breaks the signature too; either way it is refused.
    case = _draft(w)
    with pytest.raises(ValidationFailed) as err:
        case_materials_exempt(
            actor=w.applicant, case=case, consents={_rid(case, "居民身份证"): w.id_card.identifier}
        )
    assert err.value.code == "licence_not_valid"


def test_someone_elses_licence_cannot_be_used(w: LicenceWorld) -> None:
    other = issue(
        make_id_number("14040219900101002"),
        type_code=ID_CARD,
        issuer_code=POLICE_CODE,
        holder_name="李四",
        fields={},
    )
    case = _draft(w)
    with pytest.raises(PermissionDenied) as err:
        case_materials_exempt(
            actor=w.applicant, case=case, consents={_rid(case, "居民身份证"): other.identifier}
        )
    assert err.value.code == "licence_not_holder"


def test_wrong_type_wrong_material_bad_identifier(w: LicenceWorld) -> None:
    card = issue()  # a 社会保障卡, not a 居民身份证
    case = _draft(w)
    rid = _rid(case, "居民身份证")
    cases: list[tuple[dict[int, str], str]] = [
        ({rid: card.identifier}, "licence_type_mismatch"),
        ({_rid(case, "申请表"): w.id_card.identifier}, "licence_material_not_exemptible"),
        ({rid: w.id_card.identifier[:-1] + "#"}, "licence_id_format"),
        ({rid: "1.2.3"}, "licence_id_format"),
    ]
    for consents, code in cases:
        with pytest.raises(TongbanError) as err:
            case_materials_exempt(actor=w.applicant, case=case, consents=consents)
        assert err.value.code == code


def test_only_the_cases_own_side_and_only_in_draft(w: LicenceWorld) -> None:
    case = _draft(w)
    rid = _rid(case, "居民身份证")
    with pytest.raises(NotFound):
        case_materials_exempt(actor=w.reviewer, case=case, consents={rid: w.id_card.identifier})
    Case.objects.filter(pk=case.pk).update(status="submitted")
    with pytest.raises(ValidationFailed) as err:
        case_materials_exempt(actor=w.applicant, case=case, consents={rid: w.id_card.identifier})
    assert err.value.code == "illegal_transition"
