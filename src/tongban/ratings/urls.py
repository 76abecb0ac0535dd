"""Rating pages; included at the site root from tongban.web.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from tongban.ratings import views

app_name = "ratings"

urlpatterns: list[URLPattern] = [
    path("my/ratings/<str:case_number>/", views.my_rating, name="my_rating"),
    path("workbench/ratings/evaluator/", views.evaluator_pick, name="evaluator_pick"),
    path("workbench/ratings/evaluator/<str:case_number>/", views.evaluator, name="evaluator"),
    path("workbench/ratings/tasks/", views.tasks, name="tasks"),
    path("workbench/ratings/tasks/<int:task_id>/", views.task, name="task"),
    path("ratings/public/", views.public, name="public"),
]
