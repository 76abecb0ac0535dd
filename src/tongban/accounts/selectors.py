"""Reads for accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.accounts.models import Department, RoleGrant, User, Window
from tongban.regions.codes import prefix


def departments_in_region(region_code: str) -> QuerySet[Department]:
    return Department.objects.filter(region__code__startswith=prefix(region_code)).order_by(
        "region_id", "name"
    )


def windows_in_region(region_code: str, *, cross_region_only: bool = False) -> QuerySet[Window]:
    qs = Window.objects.select_related("center", "center__region").filter(
        center__region__code__startswith=prefix(region_code)
    )
    if cross_region_only:
        qs = qs.filter(is_cross_region=True)
    return qs


def user_grants(user: User) -> list[RoleGrant]:
    return list(
        user.grants.select_related("region", "department", "window").order_by("role", "region_id")
    )
