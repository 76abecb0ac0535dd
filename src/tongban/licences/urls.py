"""E-licence pages; included at the site root from tongban.web.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from tongban.licences import views, views_staff

app_name = "licences"

urlpatterns: list[URLPattern] = [
    path("licences/verify/", views.verify_page, name="verify"),
    path("licences/p/<str:token>/", views.present_scan, name="present_scan"),
    path("my/licences/", views.wallet, name="wallet"),
    path("my/licences/<str:identifier>/", views.licence_page, name="licence"),
    path("my/licences/<str:identifier>/present/", views.present, name="present"),
    path("my/licences/<str:identifier>/pdf/", views.licence_pdf, name="pdf"),
]

# The issuing department's 证照管理 (under the staff workbench).
urlpatterns += [
    path("workbench/licences/", views_staff.staff_list, name="staff_list"),
    path("workbench/licences/<str:identifier>/", views_staff.staff_licence, name="staff_licence"),
]
