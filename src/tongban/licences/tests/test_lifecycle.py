"""Issue, sign, life cycle, history, one valid instance per holder, scheduled expiry."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.accounts.models import Role
from tongban.core.actors import SYSTEM
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.core.ids import make_id_number, validate_licence_id
from tongban.licences.models import Licence, LicenceEvent
from tongban.licences.services import (
    licence_issue,
    licence_new_version,
    licence_operate,
    licences_expire_due,
)
from tongban.licences.signature import SIG_OK, check_signature, payload_of
from tongban.licences.testing import HOLDER, ISSUER_CODE, issue, licence_input, make_type
from tongban.licences.verify import licence_verify
from tongban.testing import make_user

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _type() -> None:
    make_type()


def test_issue_signs_a_valid_licence_with_history() -> None:
    lic = issue()
    assert validate_licence_id(lic.identifier) == lic.identifier
    assert lic.status == "valid" and lic.version == 1 and lic.valid_to == date(2036, 3, 2)
    assert lic.issuer_node == "local" and len(lic.key_fingerprint) == 16
    assert lic.signature_alg == "sm2"
    assert check_signature(payload_of(lic), lic.signature) == SIG_OK
    assert lic.payload == payload_of(lic)
    assert [e.operation for e in lic.events.all()] == ["issue"]
    assert licence_verify(lic.identifier, today=TODAY).outcome == "valid"


def test_serials_increase_and_identifiers_differ() -> None:
    a = issue()
    b = issue(make_id_number("14040219900101002"))
    assert int(b.serial) == int(a.serial) + 1
    assert a.identifier != b.identifier


def test_one_valid_instance_per_type_and_holder() -> None:
    issue()
    with pytest.raises(Conflict) as err:
        issue()
    assert err.value.code == "licence_already_valid"


def test_types_allowing_several_instances() -> None:
    make_type(allows_multiple=True)
    issue()
    issue()
    assert Licence.objects.filter(holder_code=HOLDER, status="valid").count() == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"type_code": "11100000000013120P009"}, "licence_type_unknown"),
        ({"type_code": "bad"}, "licence_type_code_format"),
        ({"holder": "140402199001010010"}, "id_number_checksum"),
        ({"holder_code_type": "999"}, "licence_holder_code_type"),
        ({"issuer_code": "123"}, "uscc_format"),
        ({"valid_to": date(2020, 1, 1)}, "licence_validity_invalid"),
        ({"holder_name": " "}, "invalid_input"),
    ],
)
def test_bad_input_is_refused_with_a_code(change: dict[str, object], code: str) -> None:
    holder = str(change.pop("holder", HOLDER))
    with pytest.raises(ValidationFailed) as err:
        licence_issue(actor=SYSTEM, data=licence_input(holder, **change), render_pdf=False)
    assert err.value.code == code


def test_suspend_restore_revoke_with_history_and_verification() -> None:
    lic = issue()
    with pytest.raises(ValidationFailed) as err:
        licence_operate(actor=SYSTEM, licence=lic, operation="suspend")
    assert err.value.code == "reason_required"
    licence_operate(actor=SYSTEM, licence=lic, operation="suspend", reason="涉嫌违规使用")
    v = licence_verify(lic.identifier, today=TODAY)
    assert (v.outcome, v.reason) == ("suspended", "涉嫌违规使用")
    licence_operate(actor=SYSTEM, licence=lic, operation="restore")
    assert licence_verify(lic.identifier, today=TODAY).outcome == "valid"
    licence_operate(actor=SYSTEM, licence=lic, operation="revoke", reason="申请材料虚假")
    v = licence_verify(lic.identifier, today=TODAY)
    assert (v.outcome, v.reason) == ("revoked", "申请材料虚假")
    with pytest.raises(ValidationFailed) as err:
        licence_operate(actor=SYSTEM, licence=lic, operation="restore")
    assert err.value.code == "licence_illegal_operation"
    ops = list(LicenceEvent.objects.filter(licence=lic).values_list("operation", "to_status"))
    assert ops == [
        ("issue", "valid"),
        ("suspend", "suspended"),
        ("restore", "valid"),
        ("revoke", "revoked"),
    ]


def test_revoked_frees_the_slot_for_a_new_licence() -> None:
    lic = issue()
    licence_operate(actor=SYSTEM, licence=lic, operation="cancel", reason="持证人申请注销")
    assert issue().status == "valid"


def test_expire_is_only_for_the_scheduled_job() -> None:
    lic = issue()
    with pytest.raises(ValidationFailed) as err:
        licence_operate(
            actor=make_user("u1", Role.APPROVER, "140400"), licence=lic, operation="expire"
        )
    assert err.value.code == "licence_illegal_operation"


def test_only_the_issuing_department_may_operate() -> None:
    from tongban.accounts.services import department_create

    dept = department_create(
        name="长治市人力资源和社会保障局", uscc=ISSUER_CODE, region_code="140400", level="city"
    )
    lic = issue()
    outsider = make_user("outsider", Role.APPROVER, "140400")
    with pytest.raises(PermissionDenied) as err:
        licence_operate(actor=outsider, licence=lic, operation="suspend", reason="x")
    assert err.value.code == "licence_not_issuer"
    insider = make_user("insider", Role.APPROVER, "140400", dept)
    licence_operate(actor=insider, licence=lic, operation="suspend", reason="核查")
    assert Licence.objects.get(pk=lic.pk).status == "suspended"
    assert lic.events.last().actor_name == "insider"  # type: ignore[union-attr]


def test_renew_makes_a_new_version_pointing_to_its_predecessor() -> None:
    old = issue()
    new = licence_new_version(
        actor=SYSTEM, licence=old, operation="renew", issue_date=date(2036, 2, 1)
    )
    old.refresh_from_db()
    assert new.version == 2 and new.serial == old.serial and new.predecessor_id == old.pk
    assert new.identifier.split(".")[-2] == "002"
    assert new.valid_to == date(2046, 2, 1)
    assert old.status == "expired"
    assert new.payload["predecessor"] == old.identifier
    v = licence_verify(old.identifier, today=TODAY)
    assert v.outcome == "expired" and new.identifier in v.reason
    assert licence_verify(new.identifier, today=date(2036, 3, 1)).outcome == "valid"


def test_change_keeps_validity_and_updates_fields() -> None:
    old = issue()
    new = licence_new_version(
        actor=SYSTEM,
        licence=old,
        operation="change",
        issue_date=date(2026, 5, 1),
        fields={"bank": "中国银行"},
    )
    assert new.valid_to == old.valid_to and new.fields["bank"] == "中国银行"
    assert [e.operation for e in new.events.all()] == ["change"]
    with pytest.raises(ValidationFailed) as err:
        licence_new_version(actor=SYSTEM, licence=new, operation="suspend", issue_date=TODAY)
    assert err.value.code == "licence_illegal_operation"


def test_scheduled_expiry() -> None:
    lic = issue(valid_to=date(2026, 3, 31))
    assert licences_expire_due(today=date(2026, 3, 31)) == 0
    assert licence_verify(lic.identifier, today=date(2026, 4, 1)).outcome == "expired"
    assert licences_expire_due(today=date(2026, 4, 1)) == 1
    lic.refresh_from_db()
    assert lic.status == "expired" and lic.status_reason == "有效期届满"
    assert lic.events.last().operation == "expire"  # type: ignore[union-attr]
    assert licences_expire_due(today=date(2026, 4, 2)) == 0


def test_a_changed_column_is_tampered() -> None:
    lic = issue()
    Licence.objects.filter(pk=lic.pk).update(holder_name="李四")
    v = licence_verify(lic.identifier, today=TODAY)
    assert v.outcome == "tampered"


def test_unknown_issuer_node() -> None:
    lic = issue()
    Licence.objects.filter(pk=lic.pk).update(issuer_node="elsewhere")
    assert licence_verify(lic.identifier, today=TODAY).outcome == "unknown_issuer"


def test_not_found_and_malformed() -> None:
    lic = issue()
    other = lic.identifier.replace(".00000001.", ".00000077.")
    from tongban.core.ids import licence_id_make

    parts = lic.identifier.split(".")
    other = licence_id_make(parts[5], parts[6], "00000077", 1)
    assert licence_verify(other, today=TODAY).outcome == "not_found"
    with pytest.raises(ValidationFailed) as err:
        licence_verify(
            lic.identifier[:-1] + "Z" if lic.identifier[-1] != "Z" else lic.identifier[:-1] + "Y"
        )
    assert err.value.code == "licence_id_checksum"
