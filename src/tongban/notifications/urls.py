"""The demo outbox (/messages/); included from tongban.web.urls. The applicant's own
messages (/my/messages/) are routed with the other applicant pages."""

from __future__ import annotations

from django.urls import URLPattern, path

from tongban.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("", views.outbox, name="outbox"),
]
