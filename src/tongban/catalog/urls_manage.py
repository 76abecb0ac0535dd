"""Catalogue-manager pages, mounted at /manage/catalog/ (included from tongban.web.urls)."""

from __future__ import annotations

from django.urls import URLPattern, path

from tongban.catalog import views_manage

app_name = "catalog_manage"

urlpatterns: list[URLPattern] = [
    path("", views_manage.home, name="home"),
    path("versions/<int:version_id>/publish/", views_manage.publish, name="publish"),
    path("import/", views_manage.import_page, name="import"),
    path("template.xlsx", views_manage.template_download, name="template"),
    path("export/", views_manage.export, name="export"),
]
