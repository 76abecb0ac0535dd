from django.urls import include, path

from tongban.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", include("tongban.catalog.urls")),
    path("manage/catalog/", include("tongban.catalog.urls_manage")),
    path("conformance/", include("tongban.catalog.urls_conformance")),
    path("workbench/", include("tongban.cases.urls_staff")),
    path("", include("tongban.cases.urls_applicant")),
    path("messages/", include("tongban.notifications.urls")),
    path("", include("tongban.licences.urls")),
    path("", include("tongban.ratings.urls")),
]
