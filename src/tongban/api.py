"""The JSON API root (/api/v1/): one error envelope for every coded error."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from tongban import __version__
from tongban.core.errors import TongbanError

api = NinjaAPI(
    title="tongban API",
    version=__version__,
    description='跨省通办平台 JSON API. Errors: {"code", "message", "field"}.',
    urls_namespace="api",
)


@api.exception_handler(TongbanError)
def _coded_error(request: HttpRequest, exc: TongbanError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _schema_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload")]
    body = {
        "code": "invalid_input",
        "message": f"输入不符合要求：{first.get('msg', '')}",
        "field": ".".join(loc) or None,
        "details": exc.errors,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # A JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE (= TONGBAN_UPLOAD_MAX_BYTES).
    body = TongbanError("request_too_large").as_dict()
    return api.create_response(request, body, status=413)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"code": "not_authenticated", "message": "请先登录", "field": None}
    return api.create_response(request, body, status=401)


def _register() -> None:
    from tongban.cases import api as cases_api
    from tongban.catalog import api as catalog_api
    from tongban.catalog import api_agreements, api_conformance, api_io, api_versions
    from tongban.licences import api as licences_api
    from tongban.ratings import api as ratings_api
    from tongban.regions.api import router as regions_router
    from tongban.supervision import api as supervision_api

    api.add_router("/regions", regions_router)
    api.add_router("/catalog", catalog_api.router)
    api.add_router("/catalog/agreements", api_agreements.router)
    api.add_router("/catalog/conformance", api_conformance.router)
    api.add_router("/catalog/io", api_io.router)
    api.add_router("/catalog/manage", api_versions.router)
    api.add_router("/cases", cases_api.router)
    api.add_router("/licences", licences_api.router)
    api.add_router("/ratings", ratings_api.router)
    api.add_router("/supervision", supervision_api.router)


_register()

__all__ = ["api", "django_auth"]
