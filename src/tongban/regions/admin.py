from django.contrib import admin

from tongban.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "full_name", "level", "kind")
    list_filter = ("level",)
    search_fields = ("code", "name", "full_name")
    raw_id_fields = ("parent",)
