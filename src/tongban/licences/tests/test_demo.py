"""The demo: licence types for every demo code, applicants' licences, an issued licence."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.catalog.models import ItemImplementation
from tongban.demo import spec
from tongban.demo.people import CITIZENS
from tongban.demo.seed import demo_seed
from tongban.licences.exemption import licence_offers
from tongban.licences.models import Licence, LicenceType, LicenceUse
from tongban.licences.verify import licence_verify

pytestmark = pytest.mark.django_db


def test_demo_seed_licences() -> None:
    demo_seed(today=date(2026, 3, 2))
    codes = set(LicenceType.objects.values_list("code", flat=True))
    assert {spec.LT_ID_CARD, spec.LT_SOCIAL_CARD, spec.LT_BUSINESS} <= codes
    wang = CITIZENS["changzhi"].id_number
    card = Licence.objects.get(type__code=spec.LT_SOCIAL_CARD, holder_code=wang)
    assert card.case is not None and card.case.status == "approved"
    assert card.case.exempted_materials >= 2
    assert licence_verify(card.identifier).ok
    assert LicenceUse.objects.filter(holder_code=wang, case=card.case).exists()
    # 李秀英 applying in 攀枝花 is offered her 居民身份证 e-licence.
    impl = ItemImplementation.objects.filter(
        baseline__catalog_code="111010010000", region__code__startswith="5104"
    ).first()
    assert impl is not None and impl.current_version is not None
    offers = licence_offers(
        version=impl.current_version, holder_code=CITIZENS["panzhihua"].id_number
    )
    assert any(o.licence is not None for o in offers.values())
    before = Licence.objects.count()
    demo_seed(today=date(2026, 3, 2))
    assert Licence.objects.count() == before
