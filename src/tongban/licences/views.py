"""E-licence pages: public verification (identifier, QR, PDF upload) and the scanned
亮证 code; the holder's wallet, one licence (history, uses, 亮证, PDF download).

Parse → service or selector → render; a licence that is not the user's own does not
exist for them (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.config import CONFIG
from tongban.core.errors import NotFound, TongbanError, ValidationFailed
from tongban.licences import selectors
from tongban.licences.keys import node_id
from tongban.licences.models import LicenceUse
from tongban.licences.pdf import data_uri, qr_png
from tongban.licences.present import TOKEN_LIFETIME, token_make, token_read
from tongban.licences.remote_status import licence_verify_anywhere
from tongban.licences.sources import node_display_name
from tongban.licences.transitions import LicenceOperation, LicenceStatus
from tongban.licences.verify import Verification, licence_verify, licence_verify_pdf

PDF_MAX = 10 * 1024 * 1024
OUTCOME_CLASS = {"valid": "ok", "tampered": "bad", "unknown_issuer": "bad", "revoked": "bad"}


def _result(v: Verification) -> dict[str, object]:
    return {"v": v, "cls": OUTCOME_CLASS.get(v.outcome, "warn")}


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"typed": ""}
    status = 200
    try:
        if request.method == "POST" and request.FILES.get("file"):
            upload = request.FILES.get("file")
            assert upload is not None
            if (upload.size or 0) > PDF_MAX:
                raise ValidationFailed("file_too_large", field="file")
            context["result"] = _result(licence_verify_pdf(upload.read()))
            context["how"] = "pdf"
        else:
            typed = (request.POST.get("id") or request.GET.get("id") or "").strip()
            context["typed"] = typed
            if typed:
                context["result"] = _result(licence_verify_anywhere(typed))
                context["how"] = "id"
            elif request.method == "POST":
                raise ValidationFailed("invalid_input", "请输入电子证照标识或上传证照 PDF")
    except TongbanError as exc:
        context["error"] = exc
        status = 422
    return render(request, "licences/verify.html", context, status=status)


@require_GET
def present_scan(request: HttpRequest, token: str) -> HttpResponse:
    try:
        v = licence_verify(token_read(token))
    except TongbanError as exc:
        return render(request, "licences/present_scan.html", {"error": exc}, status=410)
    return render(request, "licences/present_scan.html", {"result": _result(v)})


def _with_node_names(uses: Iterable[LicenceUse]) -> list[tuple[LicenceUse, str]]:
    """Each use with the name of the node that made it (本节点 for this one)."""
    me, names = node_id(), {}
    out = []
    for u in uses:
        node = u.requester_node
        if node not in names:
            names[node] = "本节点" if node in (me, "") else node_display_name(node)
        out.append((u, names[node]))
    return out


def _login(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _missing(request: HttpRequest) -> HttpResponse:
    return render(
        request, "catalog/not_found.html", {"message": "没有找到该电子证照。"}, status=404
    )


@require_GET
def wallet(request: HttpRequest) -> HttpResponse:
    if (r := _login(request)) is not None:
        return r
    rows = list(selectors.wallet(request.user))
    return render(
        request,
        "licences/wallet.html",
        {
            "rows": rows,
            "uses": _with_node_names(selectors.uses_of_holder(request.user, limit=50)),
            "no_id": not selectors.holder_codes(request.user),
        },
    )


@require_GET
def licence_page(request: HttpRequest, identifier: str) -> HttpResponse:
    if (r := _login(request)) is not None:
        return r
    try:
        lic = selectors.wallet_licence(request.user, identifier)
    except (NotFound, ValidationFailed):
        return _missing(request)
    return render(request, "licences/licence.html", licence_context(lic))


def licence_context(lic: Any) -> dict[str, object]:
    """What a page about one licence shows: status, the face fields by their labels, the
    history with operation names, the use log and a fresh verification."""
    labels = {f.get("key"): f.get("label") for f in lic.type.field_schema}
    return {
        "lic": lic,
        "status_label": LicenceStatus(lic.status).label,
        "fields": [(labels.get(k) or k, v) for k, v in lic.fields.items()],
        "events": [
            (
                e,
                LicenceOperation(e.operation).label
                if e.operation in LicenceOperation.values
                else e.operation,
            )
            for e in selectors.licence_history(lic)
        ],
        "uses": _with_node_names(selectors.uses_of_licence(lic)),
        "check": licence_verify(lic.identifier),
    }


@require_POST
def present(request: HttpRequest, identifier: str) -> HttpResponse:
    if (r := _login(request)) is not None:
        return r
    try:
        lic = selectors.wallet_licence(request.user, identifier)
    except (NotFound, ValidationFailed):
        return _missing(request)
    token, exp = token_make(lic.identifier)
    url = f"{CONFIG.public_url}/licences/p/{token}/"
    return render(
        request,
        "licences/present.html",
        {
            "lic": lic,
            "qr": data_uri("image/png", qr_png(url)),
            "url": url,
            "path": f"/licences/p/{token}/",
            "expires_at": exp,
            "seconds": int(TOKEN_LIFETIME.total_seconds()),
        },
    )


@require_GET
def licence_pdf(request: HttpRequest, identifier: str) -> HttpResponse | FileResponse:
    if (r := _login(request)) is not None:
        return r
    try:
        lic = selectors.wallet_licence(request.user, identifier)
    except (NotFound, ValidationFailed):
        return _missing(request)
    if not lic.pdf:
        return render(
            request,
            "catalog/not_found.html",
            {"message": "证照文件正在生成，请稍后再试。"},
            status=404,
        )
    name = f"{lic.type.name}-{lic.number}.pdf"
    return FileResponse(
        lic.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
