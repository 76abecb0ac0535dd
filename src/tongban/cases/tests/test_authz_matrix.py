"""Authorisation matrix: every case endpoint × every kind of actor × cases in several states.

One world (``authz_world.build_matrix_world``): 长治's item with the 攀枝花 agreement
(cases/testing.py), plus a second applicant with a 沈阳 case, supervisors of 长治 and 沈阳,
a reviewer of another 长治 department, and an anonymous client. ``TABLE`` lists the
expected HTTP status per actor for (endpoint, case); each request runs inside a savepoint
that is rolled back, so rows never affect each other. Expectations:
- 401 for anonymous API calls (302 to the login page for HTML views);
- 404 ``not_found`` whenever the actor may not see the case (never 403: no hint that it
  exists) — the same answer as for a case that does not exist;
- 403 ``permission_denied`` for a move the actor may see but not make;
- lists contain exactly the cases the actor may see (``VISIBLE``), whatever the filter.

To extend: add a case to ``build_matrix_world`` and ``VISIBLE`` (authz_world.py), an
endpoint to ``CALLS``, or rows to ``TABLE`` / ``HTML_TABLE``.
"""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.cases.models import CaseFile, MaterialStatus
from tongban.cases.testing import PDF_BYTES
from tongban.cases.tests.authz_world import (
    ACTORS,
    MISSING,
    VISIBLE,
    Call,
    Ctx,
    Row,
    build_matrix_world,
    check,
    clients,
)
from tongban.core.ids import make_id_number

pytestmark = pytest.mark.django_db


MISMATCH = (403, "applicant_identity_mismatch")

# (endpoint, case) → expected status per actor, in ACTORS order.
#                                                anon app app2 czc  rev  apr  pzh supcz supsy orev
TABLE: list[Row] = [
    # Online, an account with a verified 身份证号 (the two applicants) may file only in its
    # own name or as the named agent: 赵六's application is refused for them. The staff
    # accounts of this world carry no 身份证号 and are not bound.
    ("create", "-", (401, MISMATCH, MISMATCH, 201, 201, 201, 201, 201, 201, 201)),
    ("create_at_window", "-", (401, 403, 403, 403, 403, 403, 201, 403, 403, 403)),
    ("list", "-", (401, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("detail", "draft", (401, 200, 404, 404, 404, 404, 404, 404, 404, 404)),
    ("detail", "submitted", (401, 200, 404, 200, 200, 200, 404, 200, 404, 404)),
    ("detail", "review", (401, 200, 404, 200, 200, 200, 404, 200, 404, 404)),
    ("detail", "supplement", (401, 200, 404, 200, 200, 200, 404, 200, 404, 404)),
    ("detail", "issued", (401, 200, 404, 200, 200, 200, 404, 200, 404, 404)),
    ("detail", "walkin_draft", (401, 404, 404, 404, 404, 404, 200, 404, 404, 404)),
    ("detail", "walkin", (401, 404, 404, 200, 200, 200, 200, 200, 404, 404)),
    ("detail", "shenyang", (401, 404, 200, 404, 404, 404, 404, 404, 200, 404)),
    ("detail", MISSING, (401, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    ("detail_by_id", "submitted", (401, 200, 404, 200, 200, 200, 404, 200, 404, 404)),
    ("detail_by_id", "walkin_draft", (401, 404, 404, 404, 404, 404, 200, 404, 404, 404)),
    ("timeline", "draft", (401, 200, 404, 404, 404, 404, 404, 404, 404, 404)),
    ("timeline", "walkin", (401, 404, 404, 200, 200, 200, 200, 200, 404, 404)),
    ("timeline", "shenyang", (401, 404, 200, 404, 404, 404, 404, 404, 200, 404)),
    ("exchange", "issued", (401, 200, 404, 200, 200, 200, 404, 200, 404, 404)),
    ("exchange", "walkin_draft", (401, 404, 404, 404, 404, 404, 200, 404, 404, 404)),
    ("exchange", "walkin", (401, 404, 404, 200, 200, 200, 200, 200, 404, 404)),
    ("exchange", "shenyang", (401, 404, 200, 404, 404, 404, 404, 404, 200, 404)),
    # transitions: the move tried per case is TARGET[case]
    ("transition", "draft", (401, 200, 404, 404, 404, 404, 404, 404, 404, 404)),
    ("transition", "submitted", (401, 403, 404, 200, 200, 200, 404, 403, 404, 404)),
    ("transition", "review", (401, 403, 404, 403, 403, 200, 404, 403, 404, 404)),
    ("transition", "issued", (401, 403, 404, 200, 200, 200, 404, 403, 404, 404)),
    ("transition", "walkin_draft", (401, 404, 404, 404, 404, 404, 200, 404, 404, 404)),
    ("transition", "walkin", (401, 404, 404, 200, 403, 403, 200, 403, 404, 404)),
    ("transition", "shenyang", (401, 404, 403, 404, 404, 404, 404, 404, 403, 404)),
    # uploads: 422 where the actor may edit materials but the status does not allow it
    ("upload", "draft", (401, 201, 404, 404, 404, 404, 404, 404, 404, 404)),
    ("upload", "walkin_draft", (401, 404, 404, 404, 404, 404, 201, 404, 404, 404)),
    ("upload", "submitted", (401, 422, 404, 422, 403, 403, 404, 403, 404, 404)),
    ("upload", "supplement", (401, 201, 404, 201, 403, 403, 404, 403, 404, 404)),
    ("upload", "shenyang", (401, 404, 422, 404, 404, 404, 404, 404, 403, 404)),
    ("supplement_request", "review", (401, 403, 404, 403, 200, 403, 404, 403, 404, 404)),
    ("supplement_request", "walkin", (401, 404, 404, 422, 422, 422, 422, 422, 404, 404)),
    ("supplement", "supplement_ready", (401, 200, 404, 200, 403, 403, 404, 403, 404, 404)),
    ("supplement", "supplement", (401, 422, 404, 422, 403, 403, 404, 403, 404, 404)),
    ("ship", "draft", (401, 403, 404, 404, 404, 404, 404, 404, 404, 404)),
    ("ship", "submitted", (401, 403, 404, 201, 201, 201, 404, 403, 404, 404)),
    ("ship", "walkin", (401, 404, 404, 201, 201, 201, 201, 403, 404, 404)),
    ("receive", "walkin", (401, 404, 404, 200, 200, 200, 200, 403, 404, 404)),
    ("receive", "issued", (401, 403, 404, 200, 200, 200, 404, 403, 404, 404)),
    ("receive_other_case", "submitted", (401, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    # 多地联办 intake: only a clerk of the window gets past the door (to the one-part 422).
    ("create_joint", "-", (401, 403, 403, 403, 403, 403, 422, 403, 403, 403)),
    # parts: readable exactly where the case is; these cases are not joint applications.
    ("joint_parts", "submitted", (401, 422, 404, 422, 422, 422, 404, 422, 404, 404)),
    ("joint_parts", "walkin", (401, 404, 404, 422, 422, 422, 422, 422, 404, 404)),
    ("joint_parts", "shenyang", (401, 404, 422, 404, 404, 404, 404, 404, 422, 404)),
    ("joint_parts", MISSING, (401, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    # hand-over: the move issued → delivered, as for "transition"; not yet issued → 422.
    ("hand_over", "issued", (401, 403, 404, 200, 200, 200, 404, 403, 404, 404)),
    ("hand_over", "walkin", (401, 404, 404, 422, 422, 422, 422, 422, 404, 404)),
    ("hand_over", "shenyang", (401, 404, 422, 404, 404, 404, 404, 404, 422, 404)),
    # whole 多地联办 withdrawal: only where the case is visible (these are not joint).
    ("joint_withdrawal", "submitted", (401, 422, 404, 422, 422, 422, 404, 422, 404, 404)),
    ("joint_withdrawal", "walkin", (401, 404, 404, 422, 422, 422, 422, 422, 404, 404)),
    ("joint_withdrawal", MISSING, (401, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
]

# The move each transition row tries.
TARGET = {
    "draft": "submitted",
    "submitted": "pre_review",
    "review": "approved",
    "issued": "delivered",
    "walkin_draft": "submitted",
    "walkin": "withdrawn",
    "shenyang": "pre_review",
}


def _json(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, data=json.dumps(body), content_type="application/json")


def _create_body(ctx: Ctx, **over: Any) -> dict[str, Any]:
    body = {
        "task_code": ctx.world.impl.task_code,
        "applicant": {
            "kind": "person",
            "name": "赵六",
            "code": make_id_number("14040219900101005"),
        },
        "channel": "pc",
    }
    body.update(over)
    return body


def _upload_target(ctx: Ctx, key: str) -> int:
    case = ctx.cases[key]
    name = "近期免冠照片" if key == "supplement" else None
    qs = case.materials.exclude(status=MaterialStatus.EXEMPTED)
    return (qs.get(name=name) if name else qs.order_by("requirement__position").first()).pk  # type: ignore[union-attr]


U = "/api/v1/cases"


def _upload(c: Client, ctx: Ctx, key: str) -> Any:
    f = SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")
    return c.post(f"{U}/{ctx.ref(key)}/materials/{_upload_target(ctx, key)}/files", {"file": f})


def _supplement_request(c: Client, ctx: Ctx, key: str) -> Any:
    m = _upload_target(ctx, key)
    body = {"defects": [{"material_id": m, "note": "请重新提交"}], "opinion": "补正"}
    return _json(c, f"{U}/{ctx.ref(key)}/supplement-request", body)


def _receive(c: Client, ctx: Ctx, key: str, shipment_of: str | None = None) -> Any:
    s = ctx.shipments[shipment_of or key]
    return _json(c, f"{U}/{ctx.ref(key)}/shipments/{s.pk}/receive", {})


CALLS: dict[str, Call] = {
    "create": lambda c, ctx, _: _json(c, U, _create_body(ctx)),
    "create_at_window": lambda c, ctx, _: _json(
        c, U, _create_body(ctx, channel="window", window_id=ctx.world.pzh_window.pk)
    ),
    "list": lambda c, ctx, _: c.get(U),
    "detail": lambda c, ctx, k: c.get(f"{U}/{ctx.ref(k)}"),
    "detail_by_id": lambda c, ctx, k: c.get(f"{U}/{ctx.cases[k].pk}"),
    "timeline": lambda c, ctx, k: c.get(f"{U}/{ctx.ref(k)}/timeline"),
    "exchange": lambda c, ctx, k: c.get(f"{U}/{ctx.ref(k)}/exchange"),
    "transition": lambda c, ctx, k: _json(
        c, f"{U}/{ctx.ref(k)}/transitions", {"to": TARGET[k], "opinion": "依法办理"}
    ),
    "upload": _upload,
    "supplement_request": _supplement_request,
    "supplement": lambda c, ctx, k: _json(c, f"{U}/{ctx.ref(k)}/supplement", {}),
    "ship": lambda c, ctx, k: _json(
        c,
        f"{U}/{ctx.ref(k)}/shipments",
        {"kind": "originals", "carrier": "顺丰", "tracking_number": f"SF-{k}"},
    ),
    "receive": _receive,
    "receive_other_case": lambda c, ctx, k: _receive(c, ctx, k, shipment_of="walkin"),
    "create_joint": lambda c, ctx, _: _json(
        c,
        f"{U}/joint",
        {
            "window_id": ctx.world.pzh_window.pk,
            "applicant": _create_body(ctx)["applicant"],
            "identity": {"verified": True, "method": "card_reader"},
            "parts": [{"task_code": ctx.world.impl.task_code}],
        },
    ),
    "joint_parts": lambda c, ctx, k: c.get(f"{U}/{ctx.ref(k)}/parts"),
    "joint_withdrawal": lambda c, ctx, k: _json(
        c, f"{U}/{ctx.ref(k)}/joint-withdrawal", {"reason": "申请人撤回"}
    ),
    "hand_over": lambda c, ctx, k: _json(
        c, f"{U}/{ctx.ref(k)}/hand-over", {"method": "pickup", "recipient": "本人"}
    ),
}


def test_table_covers_every_endpoint_actor_and_move() -> None:
    assert {e for e, _, _ in TABLE} == set(CALLS)
    for endpoint, key, expected in TABLE:
        assert key == "-" or key in TARGET or endpoint != "transition", key
        assert len(expected) == len(ACTORS), (endpoint, key)
    statuses = {s for _, _, row in TABLE for s in row}
    assert {401, 403, 404} <= statuses


@pytest.mark.parametrize(
    "endpoints",
    [
        ("create", "create_at_window", "list"),
        ("detail", "detail_by_id", "timeline", "exchange"),
        ("transition",),
        ("upload", "supplement_request", "supplement"),
        ("ship", "receive", "receive_other_case"),
        ("create_joint", "joint_parts", "hand_over", "joint_withdrawal"),
    ],
)
def test_api_matrix(endpoints: tuple[str, ...]) -> None:
    ctx = build_matrix_world()
    check(ctx, [row for row in TABLE if row[0] in endpoints], CALLS)


def _all_refs(c: Client, query: str) -> set[str]:
    refs: set[str] = set()
    url: str | None = f"{U}?limit=2&{query}"
    while url:
        r = c.get(url)
        assert r.status_code == 200, r.content
        body = r.json()
        refs |= {i["ref"] for i in body["items"]}
        url = f"{U}?limit=2&{query}&cursor={body['next_cursor']}" if body["next_cursor"] else None
    return refs


LIST_QUERIES = (
    "",
    "open_only=true",
    "status=draft&status=submitted&status=under_review&status=supplement_requested",
    "status=result_issued",
    "region=140400",
    "region=210100",
    "intake_region=510400",
    "channel=window",
    "order=deadline",
    "applicant_code=" + make_id_number("14040219900101001"),
)


def test_lists_show_exactly_what_each_actor_may_see() -> None:
    ctx = build_matrix_world()
    by_actor = clients(ctx)
    every = {ctx.ref(k): k for k in ctx.cases}
    for actor in ACTORS:
        if actor == "anon":
            assert by_actor[actor].get(U).status_code == 401
            continue
        seen = {every[r] for r in _all_refs(by_actor[actor], "") if r in every}
        assert seen == VISIBLE[actor], actor
        for q in LIST_QUERIES[1:]:
            got = {every.get(r, r) for r in _all_refs(by_actor[actor], q)}
            assert got <= VISIBLE[actor], (actor, q, got - VISIBLE[actor])
    # A filter naming another department or window does not widen anything.
    c = by_actor["other_reviewer"]
    assert _all_refs(c, f"department={ctx.world.dept.pk}") == set()
    assert _all_refs(c, f"window={ctx.world.pzh_window.pk}") == set()


# --- HTML views (applicant portal /my/, staff workbench /workbench/) ------------------------
# Anonymous visitors are sent to the login page (302). The portal shows an applicant only
# their own cases; the workbench is closed to non-staff (403 for every ref, existing or
# not) and answers 404 for a case the staff member may not see.
# Columns in ACTORS order: anon app app2 czc rev apr pzh sup_cz sup_sy other_reviewer.
HTML_TABLE: list[Row] = [
    ("my_case", "draft", (302, 200, 404, 404, 404, 404, 404, 404, 404, 404)),
    ("my_case", "submitted", (302, 200, 404, 404, 404, 404, 404, 404, 404, 404)),
    ("my_case", "walkin", (302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    ("my_case", "shenyang", (302, 404, 200, 404, 404, 404, 404, 404, 404, 404)),
    ("my_case", MISSING, (302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    ("workbench_case", "draft", (302, 403, 403, 404, 404, 404, 404, 404, 404, 404)),
    ("workbench_case", "submitted", (302, 403, 403, 200, 200, 200, 404, 200, 404, 404)),
    ("workbench_case", "walkin_draft", (302, 403, 403, 404, 404, 404, 200, 404, 404, 404)),
    ("workbench_case", "walkin", (302, 403, 403, 200, 200, 200, 200, 200, 404, 404)),
    ("workbench_case", "shenyang", (302, 403, 403, 404, 404, 404, 404, 404, 200, 404)),
    ("workbench_case", MISSING, (302, 403, 403, 404, 404, 404, 404, 404, 404, 404)),
    ("workbench_file", "submitted", (302, 403, 403, 200, 200, 200, 404, 200, 404, 404)),
    ("workbench_file", "walkin_draft", (302, 403, 403, 404, 404, 404, 200, 404, 404, 404)),
    ("workbench_file", "shenyang", (302, 403, 403, 404, 404, 404, 404, 404, 200, 404)),
    ("workbench_joint_withdraw", "submitted", (302, 403, 403, 422, 422, 422, 404, 422, 404, 404)),
    ("workbench_joint_withdraw", "walkin", (302, 403, 403, 422, 422, 422, 422, 422, 404, 404)),
    ("workbench_joint_withdraw", MISSING, (302, 403, 403, 404, 404, 404, 404, 404, 404, 404)),
    # The node administration page: node_admin only (none of these actors; the positive
    # cases are in federation/tests/test_node_admin.py).
    ("node_page", "-", (302, 403, 403, 403, 403, 403, 403, 403, 403, 403)),
    ("node_replay", "-", (302, 403, 403, 403, 403, 403, 403, 403, 403, 403)),
]


def _file_url(c: Client, ctx: Ctx, key: str) -> Any:
    f = CaseFile.objects.filter(material__case=ctx.cases[key]).order_by("id").first()
    assert f is not None, key
    return c.get(f"/workbench/cases/{ctx.ref(key)}/files/{f.pk}/")


HTML_CALLS: dict[str, Call] = {
    "my_case": lambda c, ctx, k: c.get(f"/my/cases/{ctx.ref(k)}/"),
    "workbench_case": lambda c, ctx, k: c.get(f"/workbench/cases/{ctx.ref(k)}/"),
    "workbench_file": _file_url,
    "node_page": lambda c, ctx, _: c.get("/workbench/node/"),
    "node_replay": lambda c, ctx, _: c.post("/workbench/node/replay/", {"all": "1"}),
    "workbench_joint_withdraw": lambda c, ctx, k: c.post(
        f"/workbench/cases/{ctx.ref(k)}/joint-withdraw/", {"revision": 0, "reason": "申请人撤回"}
    ),
}
_VIEW_MODULES = ("tongban.cases.urls_applicant", "tongban.cases.urls_staff")


@pytest.mark.skipif(
    not all(importlib.util.find_spec(m) for m in _VIEW_MODULES),
    reason="the portal/workbench URL modules are not there yet",
)
def test_html_matrix() -> None:
    assert {e for e, _, _ in HTML_TABLE} == set(HTML_CALLS)
    check(build_matrix_world(), HTML_TABLE, HTML_CALLS, api=False)
