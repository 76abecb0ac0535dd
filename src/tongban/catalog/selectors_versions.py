"""Reads used by the catalogue write API."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.accounts.models import Department
from tongban.catalog.models import BaselineItem, ItemImplementation, ItemVersion
from tongban.core.errors import NotFound


def implementation_get(task_code: str) -> ItemImplementation:
    try:
        return ItemImplementation.objects.select_related("baseline", "department").get(
            task_code=task_code.upper()
        )
    except ItemImplementation.DoesNotExist as exc:
        raise NotFound("事项", field="task_code") from exc


def version_get(version_id: int) -> ItemVersion:
    try:
        return ItemVersion.objects.select_related("implementation", "implementation__baseline").get(
            pk=version_id
        )
    except ItemVersion.DoesNotExist as exc:
        raise NotFound("事项版本") from exc


def versions_of(task_code: str) -> QuerySet[ItemVersion]:
    return (
        ItemVersion.objects.filter(implementation__task_code=task_code.upper())
        .select_related("implementation")
        .order_by("version")
    )


def baseline_get(catalog_code: str) -> BaselineItem:
    try:
        return BaselineItem.objects.get(catalog_code=catalog_code.upper())
    except BaselineItem.DoesNotExist as exc:
        raise NotFound("基本目录事项", field="catalog_code") from exc


def department_by_uscc(uscc: str) -> Department:
    try:
        return Department.objects.select_related("region").get(uscc=uscc.upper())
    except Department.DoesNotExist as exc:
        raise NotFound("实施机关", field="department_uscc") from exc
