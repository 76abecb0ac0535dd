"""Evidence query plumbing (on one node ``rpc.call`` runs the handler in-process; the
signed request/response between real nodes is covered by the cluster tests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tongban.cases.models import Case
from tongban.cases.services import case_create_draft
from tongban.cases.testing import build_world, online
from tongban.core.errors import TongbanError
from tongban.federation import evidence
from tongban.federation.evidence import evidence_query, register_evidence_provider

pytestmark = pytest.mark.django_db
CONSENT = {"by": "张三", "at": "2026-03-02T09:00:00+08:00", "method": "portal"}
HOLDER = {"code": "140402199001010011", "name": "张三"}


@pytest.fixture
def provider() -> Iterator[list[tuple[dict[str, Any], str]]]:
    calls: list[tuple[dict[str, Any], str]] = []

    def answer(payload: dict[str, Any], requester: str) -> dict[str, Any]:
        calls.append((payload, requester))
        return {"found": True, "summary": "营业执照有效", "status": "valid"}

    register_evidence_provider("test_licence", answer)
    yield calls
    evidence._PROVIDERS.pop("test_licence", None)


def _case() -> Case:
    w = build_world()
    return case_create_draft(actor=w.applicant, implementation=w.impl, intake=online())


def test_query_is_answered_by_the_registered_provider_and_logged(provider: list) -> None:
    case = _case()
    Case.objects.filter(pk=case.pk).update(case_number="N-1")
    answer = evidence_query(
        node_id="any",
        kind="test_licence",
        holder=HOLDER,
        purpose_case_number="N-1",
        consent=CONSENT,
    )
    assert answer["found"] is True
    payload, _ = provider[0]
    assert payload["purpose"] == {"case_number": "N-1"} and payload["consent"] == CONSENT
    use = case.events.get(action="evidence_query")
    assert use.data["kind"] == "test_licence" and use.data["asking"] is True


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"purpose_case_number": " "}, "evidence_purpose_required"),
        ({"consent": {}}, "evidence_consent_required"),
        ({"consent": {"by": "张三"}}, "evidence_consent_required"),
        ({"kind": "no_such_kind"}, "evidence_kind_unknown"),
        ({"holder": {"name": "张三"}}, "invalid_input"),
    ],
)
def test_bad_queries_get_coded_errors(provider: list, kw: dict[str, Any], code: str) -> None:
    args: dict[str, Any] = {
        "node_id": "any",
        "kind": "test_licence",
        "holder": HOLDER,
        "purpose_case_number": "N-1",
        "consent": CONSENT,
        **kw,
    }
    with pytest.raises(TongbanError) as err:
        evidence_query(**args)
    assert err.value.code == code
    assert not provider
