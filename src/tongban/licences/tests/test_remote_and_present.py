"""The remote licence source over an injected transport, and 亮证 tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.core.actors import SYSTEM
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.ids import make_id_number
from tongban.licences import sources
from tongban.licences.evidence import UseContext, answer_licence_query
from tongban.licences.exemption import case_materials_exempt
from tongban.licences.models import LicenceUse
from tongban.licences.present import token_make, token_read
from tongban.licences.services import licence_operate
from tongban.licences.sources import RemoteLicenceSource
from tongban.licences.testing import HOLDER, ID_CARD, LicenceWorld, build_licence_world

pytestmark = pytest.mark.django_db
CTX = UseContext(
    purpose="办理测试事项", case_ref="T-1", department_name="某部门", requester_node="n2"
)


@pytest.fixture
def w() -> LicenceWorld:
    return build_licence_world()


def _transport(calls: list[tuple[str, str]]) -> Any:
    def send(node: str, query_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        calls.append((node, query_type))
        return answer_licence_query(payload, requester_node="n2")

    return send


def test_remote_find_and_use_log_on_the_issuing_side(w: LicenceWorld) -> None:
    calls: list[tuple[str, str]] = []
    src = RemoteLicenceSource("local", _transport(calls))
    found = src.find(holder_code=HOLDER, type_code=ID_CARD)
    assert found is not None and found.identifier == w.id_card.identifier
    used = src.use(identifier=found.identifier, holder_code=HOLDER, type_code=ID_CARD, context=CTX)
    assert used.status == "valid"
    assert calls == [("local", "licence.find"), ("local", "licence.use")]
    use = LicenceUse.objects.get()
    assert (use.requester_node, use.case_ref, use.purpose) == ("n2", "T-1", "办理测试事项")


def test_remote_errors_keep_their_codes(w: LicenceWorld) -> None:
    src = RemoteLicenceSource("local", _transport([]))
    with pytest.raises(PermissionDenied) as err:
        src.use(
            identifier=w.id_card.identifier,
            holder_code=make_id_number("14040219900101002"),
            type_code=ID_CARD,
            context=CTX,
        )
    assert err.value.code == "licence_not_holder"
    licence_operate(actor=SYSTEM, licence=w.id_card, operation="revoke", reason="虚假材料")
    with pytest.raises(ValidationFailed) as err2:
        src.use(identifier=w.id_card.identifier, holder_code=HOLDER, type_code=ID_CARD, context=CTX)
    assert err2.value.code == "licence_not_valid"
    assert src.find(holder_code=HOLDER, type_code=ID_CARD) is None


def test_remote_answers_must_be_signed_by_the_named_node(w: LicenceWorld) -> None:
    def forged(node: str, query_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = answer_licence_query(payload, requester_node="n2")
        answer["body"]["licence"]["holder_name"] = "李四"
        return answer

    with pytest.raises(ValidationFailed) as err:
        RemoteLicenceSource("local", forged).find(holder_code=HOLDER, type_code=ID_CARD)
    assert err.value.code == "evidence_answer_invalid"

    def replayed(node: str, query_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        return answer_licence_query(dict(payload, holder_code="x"), requester_node="n2")

    with pytest.raises(ValidationFailed) as err:
        RemoteLicenceSource("local", replayed).find(holder_code=HOLDER, type_code=ID_CARD)
    assert err.value.code == "evidence_answer_invalid"
    with pytest.raises(ValidationFailed) as err:
        RemoteLicenceSource("unknown-node", _transport([])).find(
            holder_code=HOLDER, type_code=ID_CARD
        )
    assert err.value.code == "evidence_answer_invalid"


def test_exemption_through_a_remote_source(w: LicenceWorld, monkeypatch: Any) -> None:
    """The licence is found by asking the (here: same) node through the transport."""

    class Missing(sources.LocalLicenceSource):
        def use(self, **kw: Any) -> Any:
            raise NotFound("电子证照")

    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(
        sources, "SOURCES", [Missing(), RemoteLicenceSource("local", _transport(calls))]
    )
    from tongban.cases.services import case_create_draft
    from tongban.cases.testing import online

    intake = online()
    intake.applicant.code = HOLDER
    case = case_create_draft(actor=w.applicant, implementation=w.impl, intake=intake)
    rid = case.materials.get(name="居民身份证").requirement_id
    case_materials_exempt(actor=w.applicant, case=case, consents={rid: w.id_card.identifier})
    assert calls == [("local", "licence.use")]
    assert LicenceUse.objects.get().requester_node == "n2"


def test_present_token_round_trip_expiry_and_tampering(w: LicenceWorld) -> None:
    now = timezone.now()
    token, exp = token_make(w.id_card.identifier, now=now)
    assert exp - now == timedelta(minutes=5)
    assert token_read(token, now=now + timedelta(minutes=4)) == w.id_card.identifier
    with pytest.raises(ValidationFailed) as err:
        token_read(token, now=now + timedelta(minutes=5, seconds=1))
    assert err.value.code == "present_token_expired"
    head, _, sig = token.partition(".")
    other, _ = token_make(w.id_card.identifier[:-1] + "0", now=now)
    for bad in (other.split(".")[0] + "." + sig, "garbage", head + ".AAAA", ""):
        with pytest.raises(ValidationFailed) as err:
            token_read(bad, now=now)
        assert err.value.code == "present_token_invalid"
