"""The node administrator's pages, mounted under the workbench at /workbench/node/."""

from django.urls import path

from tongban.federation import views

app_name = "node"
urlpatterns = [
    path("", views.node_page, name="page"),
    path("replay/", views.node_replay, name="replay"),
]
