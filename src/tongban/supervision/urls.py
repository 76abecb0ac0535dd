"""Mounted at /workbench/supervision/ (namespace workbench:supervision)."""

from django.urls import path

from tongban.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cards/", views.cards, name="cards"),
    path("cards/<int:card_id>/", views.card_page, name="card"),
    path("cards/<int:card_id>/escalate/", views.card_escalate, name="escalate"),
    path("cards/<int:card_id>/close/", views.card_close, name="close"),
    path(
        "cards/<int:card_id>/escalations/<int:escalation_id>/reply/",
        views.escalation_reply,
        name="reply",
    ),
    path(
        "cards/<int:card_id>/escalations/<int:escalation_id>/close/",
        views.escalation_close,
        name="close_escalation",
    ),
    path("rules/", views.warning_rules, name="rules"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>.<str:fmt>", views.report_file, name="report_file"),
]
