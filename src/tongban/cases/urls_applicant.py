"""The applicant's routes; included at the site root from tongban.web.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from tongban.cases import views_applicant as views
from tongban.notifications import views as notification_views

app_name = "applicant"

urlpatterns: list[URLPattern] = [
    path("apply/<str:task_code>/", views.apply, name="apply"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/cases/<str:ref>/", views.case_page, name="case"),
    path("my/cases/<str:ref>/supplement/", views.supplement, name="supplement"),
    path("my/cases/<str:ref>/withdraw/", views.withdraw, name="withdraw"),
    path("my/messages/", notification_views.my_messages, name="my_messages"),
]
