"""HTML routes (see module name); included from tongban.web.urls."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
