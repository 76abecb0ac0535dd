"""The licence row feed on PostgreSQL: verification keeps the rows it read in the
process, and any write to a licence — by this process's services or by anyone else on
the database — empties the copy before the next verification uses it."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection, transaction

from tongban.core.actors import SYSTEM
from tongban.licences.models import Licence
from tongban.licences.row_feed import FEED
from tongban.licences.services import licence_issue, licence_operate
from tongban.licences.testing import licence_input, make_type
from tongban.licences.verify import licence_verify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="NOTIFY exists on PostgreSQL only"
    ),
]


@pytest.fixture
def feed() -> Iterator[None]:
    FEED.close()
    FEED._next_try = 0.0  # connect now, whatever an earlier test did
    yield
    FEED.close()


def _other_session() -> psycopg.Connection:  # another process writing to the database
    return psycopg.Connection.connect(**connection.get_connection_params(), autocommit=True)


def _issue() -> Licence:
    make_type(allows_multiple=True)
    return licence_issue(actor=SYSTEM, data=licence_input(), render_pdf=False)


@pytest.mark.usefixtures("feed")
def test_rows_are_kept_and_a_revocation_here_shows_at_once() -> None:
    lic = _issue()
    assert licence_verify(lic.identifier).outcome == "valid"
    assert FEED.listening and len(FEED) == 1
    assert licence_verify(lic.identifier).outcome == "valid"  # from the copy
    licence_operate(actor=SYSTEM, licence=lic, operation="revoke", reason="虚假材料")
    v = licence_verify(lic.identifier)
    assert (v.outcome, v.reason) == ("revoked", "虚假材料")


@pytest.mark.usefixtures("feed")
def test_a_write_by_another_session_empties_the_copy() -> None:
    lic = _issue()
    assert licence_verify(lic.identifier).ok and len(FEED) == 1
    with _other_session() as other:
        other.execute(
            "UPDATE licences_licence SET status = 'suspended', status_reason = '核查中' "
            "WHERE id = %s",
            [lic.pk],
        )
    assert FEED.wait(10), "no NOTIFY arrived"
    assert len(FEED) == 0
    assert licence_verify(lic.identifier).outcome == "suspended"
    # A hand-edited column (not the status) is a write too: the row no longer matches
    # its signed bytes.
    with _other_session() as other:
        other.execute("UPDATE licences_licence SET holder_name = '王五' WHERE id = %s", [lic.pk])
    assert FEED.wait(10)
    assert licence_verify(lic.identifier).outcome == "tampered"


@pytest.mark.usefixtures("feed")
def test_a_lost_listener_means_reading_the_database() -> None:
    lic = _issue()
    assert licence_verify(lic.identifier).ok and FEED.listening
    pid = FEED._listener.info.backend_pid
    FEED._next_try = 1e18  # no new listener for now
    generation = FEED.generation
    with _other_session() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert FEED.wait(10, since=generation), "the lost listener went unnoticed"
        assert not FEED.listening and len(FEED) == 0
        # Written while nobody listens: read from the database, never from a copy.
        other.execute("UPDATE licences_licence SET status = 'revoked' WHERE id = %s", [lic.pk])
    assert licence_verify(lic.identifier).outcome == "revoked"
    assert len(FEED) == 0
    FEED._next_try = 0.0
    assert licence_verify(lic.identifier).outcome == "revoked"
    assert FEED.listening and len(FEED) == 1


@pytest.mark.usefixtures("feed")
def test_a_kept_row_is_read_again_after_its_maximum_age(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tongban.licences import row_feed

    now = [1000.0]
    monkeypatch.setattr(row_feed, "_clock", lambda: now[0])
    lic = _issue()
    assert licence_verify(lic.identifier).ok and len(FEED) == 1
    # A listener that died silently would never say this; the age bound still holds.
    FEED._listener.execute("UNLISTEN *")
    with _other_session() as other:
        other.execute("UPDATE licences_licence SET status = 'revoked' WHERE id = %s", [lic.pk])
    now[0] += row_feed.ROW_MAX_AGE_SECONDS / 2
    assert licence_verify(lic.identifier).ok  # still the kept row
    now[0] += row_feed.ROW_MAX_AGE_SECONDS
    assert licence_verify(lic.identifier).outcome == "revoked"


@pytest.mark.usefixtures("feed")
def test_inside_a_transaction_the_database_is_read() -> None:
    lic = _issue()
    assert licence_verify(lic.identifier).ok and len(FEED) == 1
    with transaction.atomic():
        Licence.objects.filter(pk=lic.pk).update(status="suspended")
        # Not yet notified (that happens at commit), but visible to this transaction.
        assert licence_verify(lic.identifier).outcome == "suspended"
        transaction.set_rollback(True)
    assert licence_verify(lic.identifier).ok
