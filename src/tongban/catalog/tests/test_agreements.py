from datetime import date

import pytest

from tongban.accounts.models import Role
from tongban.accounts.services import service_center_create, window_create
from tongban.catalog.agreements import (
    agreement_create,
    agreement_set_status,
    intake_regions,
    window_rights,
)
from tongban.catalog.models import Agreement, AgreementStatus
from tongban.catalog.services import version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError
from tongban.testing import elements, make_baseline, make_department, make_implementation, make_user

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)


@pytest.fixture
def changzhi_item():  # type: ignore[no-untyped-def]
    impl = make_implementation(make_baseline(), make_department("140400"))
    v = version_create_draft(actor=SYSTEM, implementation=impl, elements=elements())
    version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
    impl.refresh_from_db()
    return impl


@pytest.fixture
def pzh_window():  # type: ignore[no-untyped-def]
    center = service_center_create(name="攀枝花市政务服务中心", region_code="510402")
    return window_create(center=center, name="跨省通办专窗", number="18", is_cross_region=True)


def _agreement(**kw):  # type: ignore[no-untyped-def]
    args = dict(
        actor=SYSTEM,
        name="长治—攀枝花跨省通办合作协议",
        scope="cross_province",
        party_codes=["140400", "510400"],
        catalog_codes=["000105001000"],
        valid_from="2026-01-01",
        rights={"receive", "notify", "verify_original"},
    )
    args.update(kw)
    return agreement_create(**args)


def test_window_gets_rights_from_agreement(changzhi_item, pzh_window) -> None:  # type: ignore[no-untyped-def]
    before = window_rights(window=pzh_window, implementation=changzhi_item, on=DAY)
    assert not before.allowed and before.reason == "no_agreement_right"
    a = _agreement()
    got = window_rights(window=pzh_window, implementation=changzhi_item, on=DAY)
    assert got.allowed and not got.local
    assert got.rights == {"receive", "notify", "verify_original"}
    assert got.agreement_ids == (a.pk,)
    assert [r.code for r in intake_regions(implementation=changzhi_item, on=DAY)] == ["510400"]


def test_rights_end_with_validity_and_suspension(changzhi_item, pzh_window) -> None:  # type: ignore[no-untyped-def]
    a = _agreement(valid_to="2026-06-01")
    assert not window_rights(
        window=pzh_window, implementation=changzhi_item, on=date(2026, 6, 1)
    ).allowed
    agreement_set_status(actor=SYSTEM, agreement=a, status=AgreementStatus.SUSPENDED)
    assert not window_rights(window=pzh_window, implementation=changzhi_item, on=DAY).allowed
    with pytest.raises(TongbanError) as exc:
        agreement_set_status(actor=SYSTEM, agreement=a, status=AgreementStatus.DRAFT)
    assert exc.value.code == "agreement_status_move"


def test_local_window_holds_every_right(changzhi_item) -> None:  # type: ignore[no-untyped-def]
    center = service_center_create(name="潞州区政务服务中心", region_code="140403")
    local = window_create(center=center, name="综合窗口", number="1")
    got = window_rights(window=local, implementation=changzhi_item, on=DAY)
    assert got.allowed and got.local and len(got.rights) == 4


def test_item_without_proxy_mode_cannot_be_taken_in(pzh_window) -> None:  # type: ignore[no-untyped-def]
    impl = make_implementation(make_baseline(), make_department("140400"))
    v = version_create_draft(
        actor=SYSTEM, implementation=impl, elements=elements(mode_proxy_intake=False)
    )
    version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
    impl.refresh_from_db()
    _agreement()
    got = window_rights(window=pzh_window, implementation=impl, on=DAY)
    assert not got.allowed and got.reason == "item_no_proxy_mode"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"party_codes": ["140400"]}, "agreement_party_count"),
        ({"party_codes": ["140400", "999999"]}, "region_unknown"),
        ({"catalog_codes": []}, "agreement_no_items"),
        ({"catalog_codes": ["999999999999"]}, "not_found"),
        ({"rights": set()}, "agreement_no_rights"),
        ({"scope": "in_province"}, "agreement_scope_mismatch"),
        ({"valid_to": "2025-12-01"}, "version_invalid_period"),
    ],
)
def test_bad_agreements_rejected(changzhi_item, kw, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TongbanError) as exc:
        _agreement(**kw)
    assert exc.value.code == code
    assert not Agreement.objects.exists()


def test_only_party_admins_may_sign(changzhi_item) -> None:  # type: ignore[no-untyped-def]
    outsider = make_user("sy_admin", Role.CATALOG_ADMIN, "210100")
    with pytest.raises(TongbanError) as exc:
        _agreement(actor=outsider)
    assert exc.value.code == "region_scope"
    insider = make_user("pzh_admin", Role.CATALOG_ADMIN, "510400")
    assert _agreement(actor=insider).created_by == insider
