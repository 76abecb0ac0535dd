"""HTML routes of the "五统一" conformance report (included at /conformance/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from tongban.catalog import views_conformance as views

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="conformance_overview"),
    path("<str:catalog_code>/", views.item, name="conformance_item"),
]
