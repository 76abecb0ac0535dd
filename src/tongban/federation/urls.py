from django.urls import path

from tongban.federation import views

app_name = "federation"
urlpatterns = [
    path("inbox", views.inbox, name="inbox"),
    path("rpc", views.rpc, name="rpc"),
]
