"""Verification over the stored signed bytes: tampering with the bytes or with any column,
the status read on every call, the prepared statement per session, batch verification,
and the migration that fills the signed bytes of existing licences."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.apps import apps
from django.db import connection

from tongban.core.actors import SYSTEM
from tongban.core.errors import ValidationFailed
from tongban.core.ids import licence_id_make, make_id_number, make_uscc
from tongban.core.signing import canonical_json
from tongban.licences.models import Licence
from tongban.licences.row_feed import FEED
from tongban.licences.services import licence_new_version, licence_operate
from tongban.licences.testing import issue, make_type
from tongban.licences.verify import BATCH_MAX, licence_verify, licences_verify_many

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _type() -> None:
    make_type(allows_multiple=True)


def test_signed_bytes_are_stored_and_shown_from_the_verified_bytes() -> None:
    lic = issue()
    assert lic.signed_data.encode() == canonical_json(lic.payload)
    v = licence_verify(lic.identifier, today=TODAY)
    assert v.outcome == "valid"
    assert v.payload == json.loads(lic.signed_data)
    assert v.payload is not None and v.payload["holder_name"] == lic.holder_name


@pytest.mark.parametrize(
    "change",
    [
        {"holder_code": make_id_number("14040219900101009")},
        {"number": "X1"},
        {"valid_to": date(2099, 1, 1)},
        {"valid_to": None},
        {"fields": {"bank": "别的银行", "card_no": "1"}},
        {"issuer_name": "别的机构"},
        {"key_fingerprint": "0000000000000000"},
    ],
)
def test_any_altered_column_is_tampered(change: dict[str, object]) -> None:
    lic = issue()
    Licence.objects.filter(pk=lic.pk).update(**change)
    assert licence_verify(lic.identifier, today=TODAY).outcome in {"tampered", "unknown_issuer"}
    if "key_fingerprint" not in change:
        assert licence_verify(lic.identifier, today=TODAY).outcome == "tampered"


def test_a_licence_pointed_at_another_type_is_tampered() -> None:
    lic = issue()
    other = make_type(make_uscc("11100000000013120") + "002", "另一种证照")
    Licence.objects.filter(pk=lic.pk).update(type=other)
    assert licence_verify(lic.identifier, today=TODAY).outcome == "tampered"


def test_altered_signed_bytes_are_tampered_even_with_matching_columns() -> None:
    lic = issue()
    forged = dict(lic.payload, holder_name="李四")
    Licence.objects.filter(pk=lic.pk).update(
        holder_name="李四", payload=forged, signed_data=canonical_json(forged).decode()
    )
    v = licence_verify(lic.identifier, today=TODAY)
    assert v.outcome == "tampered"
    Licence.objects.filter(pk=lic.pk).update(signed_data="not json")
    assert licence_verify(lic.identifier, today=TODAY).outcome == "tampered"
    Licence.objects.filter(pk=lic.pk).update(signed_data="")
    assert licence_verify(lic.identifier, today=TODAY).outcome == "tampered"


def test_a_revocation_shows_on_the_next_verification() -> None:
    lic = issue()
    for _ in range(3):  # the statement is prepared and reused on PostgreSQL
        assert licence_verify(lic.identifier, today=TODAY).ok
    licence_operate(actor=SYSTEM, licence=lic, operation="revoke", reason="证照信息错误")
    v = licence_verify(lic.identifier, today=TODAY)
    assert (v.outcome, v.reason) == ("revoked", "证照信息错误")


@pytest.mark.django_db(transaction=True)
def test_verification_survives_a_new_database_session() -> None:
    lic = issue()
    assert licence_verify(lic.identifier, today=TODAY).ok
    if connection.vendor == "postgresql":
        connection.close()  # a new session: the statement is prepared again
        FEED.clear()  # (outside a transaction now: read the row, not the process's copy)
        assert licence_verify(lic.identifier, today=TODAY).ok
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE name = %s",
                ["tongban_licence_verify_v1"],
            )
            assert cur.fetchone()[0] == 1


def test_a_renewed_licence_with_its_predecessor_verifies() -> None:
    lic = issue()
    new = licence_new_version(actor=SYSTEM, licence=lic, operation="renew", issue_date=TODAY)
    assert licence_verify(new.identifier, today=TODAY).ok
    assert new.payload["predecessor"] == lic.identifier
    Licence.objects.filter(pk=new.pk).update(predecessor=None)
    assert licence_verify(new.identifier, today=TODAY).outcome == "tampered"


def test_batch_verification_in_the_order_asked() -> None:
    a = issue()
    b = issue(make_id_number("14040219900101002"))
    c = issue(make_id_number("14040219900101003"))
    licence_operate(actor=SYSTEM, licence=b, operation="suspend", reason="核查中")
    Licence.objects.filter(pk=c.pk).update(holder_name="王五")
    parts = a.identifier.split(".")
    missing = licence_id_make(parts[5], parts[6], "00000077", 1)
    ids = [c.identifier, a.identifier, missing, b.identifier, a.identifier.lower()]
    got = licences_verify_many(ids, today=TODAY)
    assert [v.outcome for v in got] == ["tampered", "valid", "not_found", "suspended", "valid"]
    assert [v.identifier for v in got] == [i.upper() for i in ids]
    assert got[3].reason == "核查中"
    single = [licence_verify(i, today=TODAY) for i in ids]
    assert [(v.outcome, v.reason) for v in single] == [(v.outcome, v.reason) for v in got]


def test_batch_verification_refuses_bad_input_with_codes() -> None:
    lic = issue()
    for bad in ([], [lic.identifier] * (BATCH_MAX + 1)):
        with pytest.raises(ValidationFailed) as err:
            licences_verify_many(bad)
        assert err.value.code == "licence_batch_size"
    with pytest.raises(ValidationFailed) as err:
        licences_verify_many([lic.identifier, "1.2.156.3005.2.nonsense"])
    assert err.value.code == "licence_id_format"
    assert licences_verify_many([lic.identifier] * BATCH_MAX, today=TODAY)[-1].ok


def test_migration_fills_the_signed_bytes_of_existing_licences() -> None:
    from importlib import import_module

    lic = issue()
    Licence.objects.filter(pk=lic.pk).update(signed_data="")
    assert licence_verify(lic.identifier, today=TODAY).outcome == "tampered"
    migration = import_module("tongban.licences.migrations.0002_licence_signed_data")
    migration.fill_signed_data(apps, None)
    lic.refresh_from_db()
    assert lic.signed_data.encode() == canonical_json(lic.payload)
    assert licence_verify(lic.identifier, today=TODAY).ok
