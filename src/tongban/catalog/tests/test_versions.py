from datetime import date

import pytest

from tongban.accounts.models import Role
from tongban.catalog.models import ItemVersion, VersionStatus
from tongban.catalog.rules import build_task_code, validate_task_code
from tongban.catalog.services import version_create_draft, version_publish, version_update_draft
from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError
from tongban.testing import elements, make_baseline, make_department, make_implementation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def impl():  # type: ignore[no-untyped-def]
    return make_implementation(make_baseline(), make_department())


def test_task_code_is_built_from_department_level_and_baseline(impl) -> None:  # type: ignore[no-untyped-def]
    assert len(impl.task_code) == 31
    assert impl.task_code == impl.department.uscc + "3" + "000105001000"
    assert validate_task_code(impl.task_code) == impl.task_code


def test_bad_catalog_code_rejected() -> None:
    with pytest.raises(TongbanError) as exc:
        make_baseline(code="12345")
    assert exc.value.code == "catalog_code_format"
    with pytest.raises(TongbanError) as exc2:
        build_task_code(uscc="91350100M000100Y44", level="city", catalog_code="000105001000")
    assert exc2.value.code == "uscc_checksum"


def test_publish_then_immutable(impl) -> None:  # type: ignore[no-untyped-def]
    v1 = version_create_draft(actor=SYSTEM, implementation=impl, elements=elements())
    version_publish(actor=SYSTEM, version=v1, today=date(2026, 3, 1))
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PUBLISHED and v1.valid_from == date(2026, 3, 1)
    impl.refresh_from_db()
    assert impl.current_version_id == v1.pk
    with pytest.raises(TongbanError) as exc:
        version_update_draft(actor=SYSTEM, version=v1, elements=elements(name="改名"))
    assert exc.value.code == "version_published_immutable"
    with pytest.raises(TongbanError) as exc2:
        version_publish(actor=SYSTEM, version=v1)
    assert exc2.value.code == "version_not_draft"


def test_successor_supersedes_open_version(impl) -> None:  # type: ignore[no-untyped-def]
    v1 = version_create_draft(actor=SYSTEM, implementation=impl, elements=elements())
    version_publish(actor=SYSTEM, version=v1, today=date(2026, 3, 1))
    v2 = version_create_draft(
        actor=SYSTEM,
        implementation=impl,
        elements=elements(promised_days=3, valid_from="2026-04-01"),
    )
    version_publish(actor=SYSTEM, version=v2, today=date(2026, 3, 10))
    v1.refresh_from_db()
    assert v1.valid_to == date(2026, 4, 1)
    impl.refresh_from_db()
    assert impl.current_version_id == v1.pk  # v2 starts in the future


def test_overlap_refused_and_nothing_changes(impl) -> None:  # type: ignore[no-untyped-def]
    v1 = version_create_draft(
        actor=SYSTEM,
        implementation=impl,
        elements=elements(valid_from="2026-03-01", valid_to="2026-06-01"),
    )
    version_publish(actor=SYSTEM, version=v1, today=date(2026, 3, 1))
    v2 = version_create_draft(
        actor=SYSTEM, implementation=impl, elements=elements(valid_from="2026-05-01")
    )
    with pytest.raises(TongbanError) as exc:
        version_publish(actor=SYSTEM, version=v2, today=date(2026, 3, 2))
    assert exc.value.code == "version_overlap"
    assert ItemVersion.objects.get(pk=v2.pk).status == VersionStatus.DRAFT
    assert ItemVersion.objects.get(pk=v1.pk).valid_to == date(2026, 6, 1)


def test_backdated_successor_refused(impl) -> None:  # type: ignore[no-untyped-def]
    v1 = version_create_draft(actor=SYSTEM, implementation=impl, elements=elements())
    version_publish(actor=SYSTEM, version=v1, today=date(2026, 3, 1))
    v2 = version_create_draft(
        actor=SYSTEM, implementation=impl, elements=elements(valid_from="2026-03-05")
    )
    with pytest.raises(TongbanError) as exc:
        version_publish(actor=SYSTEM, version=v2, today=date(2026, 3, 10))
    assert exc.value.code == "version_backdated"
    assert ItemVersion.objects.get(pk=v1.pk).valid_to is None


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"promised_days": 30}, "time_limit_invalid"),
        ({"kind": "immediate", "promised_days": 2}, "immediate_item_limit"),
        ({"scope": "regional", "partner_region_codes": []}, "scope_needs_partner"),
        ({"scope": "local"}, "mode_needs_scope"),
        ({"valid_from": "2026-05-01", "valid_to": "2026-04-01"}, "version_invalid_period"),
        ({"kind": "sometimes"}, "import_bad_value"),
    ],
)
def test_element_rules(impl, overrides: dict, code: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TongbanError) as exc:
        version_create_draft(actor=SYSTEM, implementation=impl, elements=elements(**overrides))
    assert exc.value.code == code
    assert not impl.versions.exists()


def test_commitment_refused_for_high_risk() -> None:
    impl = make_implementation(
        make_baseline(code="000172008000", name="排污许可", item_type="licensing", high_risk=True),
        make_department(),
    )
    with pytest.raises(TongbanError) as exc:
        version_create_draft(
            actor=SYSTEM, implementation=impl, elements=elements(allows_commitment=True)
        )
    assert exc.value.code == "commitment_excluded"


def test_region_scope_enforced(impl) -> None:  # type: ignore[no-untyped-def]
    changzhi_admin = make_user("cz_admin", Role.CATALOG_ADMIN, "140400")
    pzh_admin = make_user("pzh_admin", Role.CATALOG_ADMIN, "510400")
    clerk = make_user("cz_clerk", Role.CLERK, "140400")
    v = version_create_draft(actor=changzhi_admin, implementation=impl, elements=elements())
    with pytest.raises(TongbanError) as exc:
        version_publish(actor=pzh_admin, version=v)
    assert exc.value.code == "region_scope"
    with pytest.raises(TongbanError) as exc2:
        version_publish(actor=clerk, version=v)
    assert exc2.value.code == "permission_denied"
    assert ItemVersion.objects.get(pk=v.pk).status == VersionStatus.DRAFT
