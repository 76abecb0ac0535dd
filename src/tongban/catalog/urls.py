"""Public guide routes (办事指南); included at the site root from tongban.web.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from tongban.catalog import views

urlpatterns: list[URLPattern] = [
    path("items/", views.item_search, name="item_search"),
    path("items/<str:task_code>/", views.item_guide, name="item_guide"),
    path("items/<str:task_code>/notice/", views.item_notice, name="item_notice"),
    path("browse/", views.browse, name="browse"),
]
