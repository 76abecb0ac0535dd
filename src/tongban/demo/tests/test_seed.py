from collections import defaultdict
from typing import Any

import pytest
from django.contrib.auth import authenticate

from tongban.accounts.models import Department, Role, RoleGrant, User, Window
from tongban.catalog.agreements import window_rights
from tongban.catalog.models import (
    Agreement,
    BaselineItem,
    ItemImplementation,
    ItemVersion,
    Theme,
    VersionStatus,
)
from tongban.catalog.rules import validate_task_code, validate_variant_code
from tongban.core.ids import validate_id_number, validate_uscc
from tongban.demo.data import DIFFERENCES, DRAFTS, ITEMS, SECOND_VERSIONS
from tongban.demo.orgs import BY_KEY, REGIONS, SEED_REGIONS
from tongban.demo.people import DEMO_PASSWORD
from tongban.demo.seed import demo_seed, demo_totals
from tongban.demo.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def fingerprint(v: ItemVersion) -> tuple[Any, ...]:
    """What the conformance report compares: name, materials and their acceptance
    standards, steps and review points, time limits, fees and the seven elements."""
    return (
        v.name,
        tuple((m.name, m.acceptance_standard, m.source, m.is_required) for m in v.materials.all()),
        tuple((s.name, s.role, s.days, s.review_points) for s in v.steps.all()),
        (v.kind, v.statutory_days, v.promised_days),
        (v.is_fee, tuple((f.name, f.standard) for f in v.fees.all())),
        v.accept_condition,
        v.application_methods,
        v.acceptance_mode,
        v.review_procedure,
        v.issuing_method,
    )


def current_versions() -> dict[str, dict[str, ItemVersion]]:
    """catalog code → region code → version in force."""
    out: dict[str, dict[str, ItemVersion]] = defaultdict(dict)
    for impl in ItemImplementation.objects.select_related("baseline", "current_version"):
        assert impl.current_version is not None, impl.task_code
        out[impl.baseline.catalog_code][impl.region_id] = impl.current_version
    return out


def test_catalogue_has_30_items_each_in_force_in_two_regions(demo) -> None:  # type: ignore[no-untyped-def]
    assert BaselineItem.objects.count() >= 30
    versions = current_versions()
    assert set(versions) == {i.code for i in ITEMS}
    assert all(len(by_region) >= 2 for by_region in versions.values())
    types = dict(BaselineItem.objects.values_list("name", "item_type"))
    assert types["婚姻登记（内地居民结婚登记）"] == "confirmation"
    assert types["社会保障卡申领"] == "public_service"
    assert types["内资企业及分支机构设立登记"] == "licensing"
    discharge = BaselineItem.objects.get(name="排污许可证核发")
    assert discharge.item_type == "licensing" and discharge.high_risk
    assert all(b.themes.exists() for b in BaselineItem.objects.all())
    assert Theme.objects.count() == 16


def test_every_seed_region_has_every_role_and_accounts_log_in(demo) -> None:  # type: ignore[no-untyped-def]
    for region in SEED_REGIONS:
        roles = set(RoleGrant.objects.filter(region_id=region.code).values_list("role", flat=True))
        assert roles == set(Role.values), region.label
        # The clerk works at the region's 跨省通办专窗.
        clerk = RoleGrant.objects.get(user__username=f"{region.key}.clerk")
        assert clerk.window is not None and clerk.window.is_cross_region
    assert len(demo.accounts) == 4 * len(Role.values) + 4
    assert authenticate(username="panzhihua.reviewer", password=DEMO_PASSWORD) is not None
    admin = authenticate(username="admin", password=DEMO_PASSWORD)
    assert admin is not None and admin.is_superuser


def test_every_code_is_valid(demo) -> None:  # type: ignore[no-untyped-def]
    usccs = list(Department.objects.values_list("uscc", flat=True))
    assert len(usccs) == len(set(usccs)) == sum(len(r.departments) for r in REGIONS)
    for uscc in usccs:
        assert validate_uscc(uscc) == uscc and uscc[:2] in {"11", "12", "13"}
    ids = [u for u in User.objects.values_list("id_number", flat=True) if u]
    assert len(ids) == 4
    for number in ids:
        validate_id_number(number)
    for impl in ItemImplementation.objects.select_related("department"):
        assert validate_task_code(impl.task_code).startswith(impl.department.uscc)
    for v in ItemVersion.objects.prefetch_related("variants", "materials"):
        for variant in v.variants.all():
            validate_variant_code(variant.code, task_code=v.implementation.task_code)
        codes = [m.licence_type_code for m in v.materials.all() if m.source == "licence"]
        for code in [*codes, *([v.result_licence_type] if v.result_type == "licence" else [])]:
            assert len(code) == 21 and code[18:].isdigit()
            validate_uscc(code[:18])


def test_partner_regions_have_a_cross_region_window(demo) -> None:  # type: ignore[no-untyped-def]
    for region in REGIONS:
        windows = Window.objects.filter(center__region_id=region.code, is_cross_region=True)
        assert windows.count() == 1, region.label


def test_second_run_changes_nothing(demo) -> None:  # type: ignore[no-untyped-def]
    before = demo_totals()
    again = demo_seed(today=TODAY)
    assert not again.changed
    assert demo_totals() == before == again.totals
    assert again.accounts == demo.accounts


def test_deliberate_differences_and_otherwise_conforming(demo) -> None:  # type: ignore[no-untyped-def]
    versions = current_versions()
    differing = {code: BY_KEY[key].code for code, key, _ in DIFFERENCES}
    assert len(differing) >= 6
    for code, by_region in versions.items():
        prints = {region: fingerprint(v) for region, v in by_region.items()}
        odd = differing.get(code)
        others = {p for region, p in prints.items() if region != odd}
        assert len(others) == 1, f"{code} differs where it should not"
        if odd is not None:
            assert prints[odd] not in others, f"{code} should differ in {odd}"


@pytest.mark.parametrize(
    ("code", "region", "check"),
    [
        ("111010010000", "510400", lambda v: "社会保障卡申领登记表" in names(v)),
        ("111020010000", "210100", lambda v: "异地居住证明" in names(v)),
        ("111050030000", "210100", lambda v: v.promised_days == 3),
        ("011090010000", "510400", lambda v: v.promised_days == 10),
        ("111080010000", "411603", lambda v: v.name == "生育服务登记"),
        ("011030010000", "411603", lambda v: v.is_fee and v.fees.count() == 1),
        ("111010030000", "140400", lambda v: v.steps.count() == 3),
    ],
)
def test_named_differences(demo, code: str, region: str, check: Any) -> None:  # type: ignore[no-untyped-def]
    assert check(current_versions()[code][region])


def names(v: ItemVersion) -> set[str]:
    return set(v.materials.values_list("name", flat=True))


def test_agreement_lets_panzhihua_window_take_in_changzhi_item(demo) -> None:  # type: ignore[no-untyped-def]
    pzh_window = Window.objects.get(center__region_id="510400", is_cross_region=True)
    card = ItemImplementation.objects.get(baseline__catalog_code="111010010000", region_id="140400")
    got = window_rights(window=pzh_window, implementation=card, on=TODAY)
    assert got.allowed and not got.local
    assert got.rights == {"receive", "notify", "verify_original", "deliver_result"}
    # 楚雄 takes in 攀枝花's items under the 川滇 agreement; 沈阳 has no agreement with 长治.
    cx_window = Window.objects.get(center__region_id="532300", is_cross_region=True)
    pzh_card = ItemImplementation.objects.get(
        baseline__catalog_code="111010010000", region_id="510400"
    )
    assert window_rights(window=cx_window, implementation=pzh_card, on=TODAY).allowed
    sy_window = Window.objects.get(center__region_id="210100", is_cross_region=True)
    refused = window_rights(window=sy_window, implementation=card, on=TODAY)
    assert not refused.allowed and refused.reason == "no_agreement_right"


def test_agreements_scope_and_parties(demo) -> None:  # type: ignore[no-untyped-def]
    agreements = {a.name: a for a in Agreement.objects.prefetch_related("parties", "items")}
    assert len(agreements) == 5
    chuan_dian = next(a for name, a in agreements.items() if name.startswith("川滇"))
    assert chuan_dian.scope == "cross_province"
    assert {p.code for p in chuan_dian.parties.all()} == {"510400", "513400", "532300", "532327"}
    assert all(a.items.count() >= 3 for a in agreements.values())


def test_versions_history_and_drafts(demo) -> None:  # type: ignore[no-untyped-def]
    for code, key in SECOND_VERSIONS:
        impl = ItemImplementation.objects.get(
            baseline__catalog_code=code, region_id=BY_KEY[key].code
        )
        v1, v2 = impl.versions.order_by("version")
        assert v1.valid_to == TODAY == v2.valid_from
        assert impl.current_version == v2 and v2.change_note
    drafts = ItemVersion.objects.filter(status=VersionStatus.DRAFT)
    assert drafts.count() == len(DRAFTS)
    assert all(d.implementation.current_version is not None for d in drafts)


def test_scopes_modes_and_commitment(demo) -> None:  # type: ignore[no-untyped-def]
    card = ItemImplementation.objects.get(
        baseline__catalog_code="111010050000", region_id="510400"
    ).current_version
    assert card is not None and card.scope == "regional"
    assert {r.code for r in card.partner_regions.all()} == {"532300", "513400", "532327"}
    current = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED, valid_to__isnull=True)
    assert current.filter(scope="cross_province").count() > 0.8 * current.count()
    assert current.filter(scope="in_province").exists()
    assert current.filter(mode_joint=True).exists() and current.filter(mode_fully_online=True)
    high_risk = current.filter(implementation__baseline__high_risk=True)
    assert high_risk.exists() and not high_risk.filter(allows_commitment=True).exists()
    assert current.filter(allows_deferral=True).exists()
    assert current.filter(special_procedures__name="首次登记公告").exists()
    assert current.filter(special_procedures__name="现场核查").exists()
