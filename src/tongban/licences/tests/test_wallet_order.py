"""The wallet lists the holder's valid licences before earlier versions and ended ones."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.core.actors import SYSTEM
from tongban.licences import selectors
from tongban.licences.services import licence_new_version, licence_operate
from tongban.licences.testing import build_licence_world, issue, make_type

pytestmark = pytest.mark.django_db


def test_valid_licences_come_first() -> None:
    w = build_licence_world()
    make_type()
    first = issue(issue_date=date(2026, 3, 2))
    second = licence_new_version(
        actor=SYSTEM, licence=first, operation="change", issue_date=date(2026, 4, 1)
    )
    third = licence_new_version(
        actor=SYSTEM, licence=second, operation="change", issue_date=date(2026, 5, 1)
    )
    licence_operate(actor=SYSTEM, licence=w.id_card, operation="suspend", reason="挂失")
    rows = [(lic.identifier, lic.status) for lic in selectors.wallet(w.applicant)]
    assert rows[0] == (third.identifier, "valid")
    assert [s for _, s in rows[1:]] == ["expired", "expired", "suspended"]
