"""Reads of one catalogue item for the public API: the version in force, complete."""

from __future__ import annotations

from django.db.models import F

from tongban.catalog.models import ItemVersion
from tongban.core.errors import NotFound


def item_in_force(task_code: str) -> ItemVersion:
    """The version in force of the item with this 实施编码, with every element loaded.

    Raises NotFound (field ``task_code``) for an unknown code and for an item that has
    no version in force (never published, or no longer valid)."""
    code = (task_code or "").strip().upper()
    version = (
        ItemVersion.objects.select_related(
            "implementation__baseline",
            "implementation__department",
            "implementation__region",
        )
        .prefetch_related(
            "materials",
            "steps",
            "special_procedures",
            "fees",
            "variants",
            "faqs",
            "partner_regions",
        )
        .filter(implementation__task_code=code, implementation__current_version=F("pk"))
        .first()
    )
    if version is None:
        raise NotFound("该事项", field="task_code")
    return version
