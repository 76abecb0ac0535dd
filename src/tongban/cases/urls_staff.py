"""Staff workbenches, mounted at /workbench/."""

from django.urls import include, path

from tongban.cases import views_clerk, views_department, views_joint, views_staff

app_name = "workbench"

urlpatterns = [
    path("", views_staff.home, name="home"),
    path("clerk/", views_clerk.clerk_home, name="clerk"),
    path("clerk/intake/", views_clerk.intake, name="intake"),
    path("clerk/joint/", views_joint.joint_intake, name="joint_intake"),
    path("inbox/", views_department.inbox, name="inbox"),
    path("supervision/", include("tongban.supervision.urls")),
    path("node/", include("tongban.federation.urls_admin")),
    path("cases/<str:ref>/", views_staff.case_page, name="case"),
    path("cases/<str:ref>/move/", views_staff.case_move, name="move"),
    path(
        "cases/<str:ref>/supplement-request/",
        views_staff.case_request_supplement_view,
        name="request_supplement",
    ),
    path("cases/<str:ref>/supplement/", views_staff.case_supplement_view, name="supplement"),
    path("cases/<str:ref>/ship/", views_staff.case_ship, name="ship"),
    path(
        "cases/<str:ref>/shipments/<int:shipment_id>/receive/",
        views_staff.case_receive,
        name="receive",
    ),
    path("cases/<str:ref>/originals/", views_staff.case_check_originals, name="originals"),
    path("cases/<str:ref>/hand-over/", views_staff.case_hand_over, name="hand_over"),
    path("cases/<str:ref>/joint-withdraw/", views_joint.case_joint_withdraw, name="joint_withdraw"),
    path("cases/<str:ref>/files/<int:file_id>/", views_staff.case_file, name="file"),
]
