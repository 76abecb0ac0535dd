"""吊销, 转出 and 转入 (GB/T 36901–36905 statuses and operations beyond the first five)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from tongban.accounts.models import Role
from tongban.accounts.services import department_create
from tongban.core.actors import SYSTEM
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.ids import make_uscc, validate_licence_id
from tongban.licences.evidence import find_valid
from tongban.licences.models import Licence, LicenceEvent
from tongban.licences.services import licence_operate, licence_transfer_in
from tongban.licences.testing import HOLDER, ISSUER_CODE, issue, make_type
from tongban.licences.verify import licence_verify
from tongban.testing import make_user

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)
RECEIVER = make_uscc("11510400000000002")


@pytest.fixture(autouse=True)
def _type() -> None:
    make_type()


def test_penalty_revocation_needs_a_reason_and_is_final() -> None:
    lic = issue()
    with pytest.raises(ValidationFailed) as err:
        licence_operate(actor=SYSTEM, licence=lic, operation="penalty_revoke")
    assert err.value.code == "reason_required"
    licence_operate(
        actor=SYSTEM, licence=lic, operation="penalty_revoke", reason="长行罚〔2026〕12号"
    )
    v = licence_verify(lic.identifier, today=TODAY)
    assert (v.outcome, v.label, v.reason) == ("penalty_revoked", "已吊销", "长行罚〔2026〕12号")
    for op in ("restore", "suspend", "revoke", "transfer_out"):
        with pytest.raises(ValidationFailed) as err:
            licence_operate(actor=SYSTEM, licence=lic, operation=op, reason="x")
        assert err.value.code == "licence_illegal_operation"
    assert find_valid(holder_code=HOLDER, type_code=lic.type.code) is None
    assert issue().status == "valid"  # the slot is free for a new licence


def test_transfer_in_issues_the_receivers_licence_and_transfers_the_old_one_out() -> None:
    old = issue()
    new = licence_transfer_in(
        actor=SYSTEM,
        licence=old,
        issuer_code=RECEIVER,
        issuer_name="攀枝花市市场监督管理局",
        issue_date=TODAY,
        reason="住所迁移至攀枝花市",
        region_code="510400",
    )
    old.refresh_from_db()
    assert old.status == "transferred_out" and old.exclusive_key is None
    assert old.status_reason == "转入攀枝花市市场监督管理局：住所迁移至攀枝花市"
    assert new.issuer_code == RECEIVER and new.version == 1 and new.predecessor_id == old.pk
    assert validate_licence_id(new.identifier).split(".")[-4] == RECEIVER
    assert (new.holder_code, new.valid_to, new.fields) == (
        old.holder_code,
        old.valid_to,
        old.fields,
    )
    assert new.payload["predecessor"] == old.identifier and new.region_code == "510400"
    assert licence_verify(new.identifier, today=TODAY).ok
    v = licence_verify(old.identifier, today=TODAY)
    assert v.outcome == "transferred_out" and new.identifier in v.reason
    ops = LicenceEvent.objects.filter(licence__in=[old, new]).order_by("id")
    assert [(e.licence_id, e.operation, e.to_status) for e in ops] == [
        (old.pk, "issue", "valid"),
        (old.pk, "transfer_out", "transferred_out"),
        (new.pk, "transfer_in", "valid"),
    ]


def test_transfer_in_refusals() -> None:
    old = issue()
    kwargs = {"issuer_name": "某局", "issue_date": TODAY, "reason": "迁移"}
    with pytest.raises(ValidationFailed) as err:
        licence_transfer_in(actor=SYSTEM, licence=old, issuer_code=ISSUER_CODE, **kwargs)
    assert err.value.code == "licence_transfer_same_issuer"
    with pytest.raises(ValidationFailed) as err:
        licence_transfer_in(actor=SYSTEM, licence=old, issuer_code="91110000X", **kwargs)
    assert err.value.code.startswith("uscc_")
    with pytest.raises(ValidationFailed) as err:
        licence_transfer_in(
            actor=SYSTEM, licence=old, issuer_code=RECEIVER, **{**kwargs, "reason": " "}
        )
    assert err.value.code == "reason_required"
    # Only the receiving department's staff.
    outsider = make_user("outsider-t", Role.APPROVER, "510400")
    with pytest.raises(PermissionDenied):
        licence_transfer_in(actor=outsider, licence=old, issuer_code=RECEIVER, **kwargs)
    licence_operate(actor=SYSTEM, licence=old, operation="suspend", reason="核查")
    with pytest.raises(ValidationFailed) as err:  # only a valid licence moves
        licence_transfer_in(actor=SYSTEM, licence=old, issuer_code=RECEIVER, **kwargs)
    assert err.value.code == "licence_illegal_operation"
    assert Licence.objects.count() == 1  # nothing half done


def test_api_transfer_in_and_penalty() -> None:
    dept = department_create(
        name="攀枝花市市场监督管理局", uscc=RECEIVER, region_code="510400", level="city"
    )
    staff = make_user("pzh-amr", Role.APPROVER, "510400", dept)
    old = issue()
    c = Client()
    c.force_login(staff)
    body = {"issuer_code": RECEIVER, "issuer_name": dept.name, "issue_date": "2026-03-10"}
    r = c.post(
        f"/api/v1/licences/{old.identifier}/transfer-in",
        json.dumps({**body, "reason": "住所迁移"}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    new_id = r.json()["identifier"]
    assert r.json()["status"] == "valid" and RECEIVER in new_id
    r = c.post(
        f"/api/v1/licences/{new_id}/operations",
        json.dumps({"operation": "penalty_revoke", "reason": "攀市监罚〔2026〕3号"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "penalty_revoked"
    r = c.post(
        f"/api/v1/licences/{old.identifier}/transfer-in",
        json.dumps({**body, "reason": "再次"}),
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"]) == (422, "licence_illegal_operation")
