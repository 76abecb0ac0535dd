"""Django admin for administrators only. Catalogue content is edited through the
service layer (import, manager screens), so versions are read-only here: the admin
must not bypass the draft → published rules."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongban.catalog.models import (
    Agreement,
    BaselineItem,
    ItemImplementation,
    ItemVersion,
    Synonym,
    Theme,
)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "audience", "position")


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("term", "canonical")
    search_fields = ("term", "canonical")


@admin.register(BaselineItem)
class BaselineItemAdmin(admin.ModelAdmin):
    list_display = ("catalog_code", "name", "item_type", "high_risk")
    list_filter = ("item_type", "high_risk")
    search_fields = ("catalog_code", "name")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ItemImplementation)
class ItemImplementationAdmin(ReadOnlyAdmin):
    list_display = ("task_code", "baseline", "department", "region", "current_version")
    search_fields = ("task_code", "baseline__name")


@admin.register(ItemVersion)
class ItemVersionAdmin(ReadOnlyAdmin):
    list_display = ("name", "implementation", "version", "status", "valid_from", "valid_to")
    list_filter = ("status", "scope")
    search_fields = ("name", "implementation__task_code")


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ("name", "scope", "status", "valid_from", "valid_to")
    list_filter = ("status", "scope")
