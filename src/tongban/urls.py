from django.contrib import admin
from django.urls import include, path

from tongban.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("federation/", include("tongban.federation.urls")),
    path("", include("tongban.web.urls")),
]
