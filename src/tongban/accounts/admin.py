from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tongban.accounts.models import Department, RoleGrant, ServiceCenter, User, Window


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    raw_id_fields = ("region", "department", "window")


@admin.register(User)
class TongbanUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "is_staff", "is_superuser")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("实名信息", {"fields": ("display_name", "phone", "id_number")}),
    )
    inlines = [RoleGrantInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "region", "level")
    search_fields = ("name", "uscc")
    raw_id_fields = ("region",)


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0


@admin.register(ServiceCenter)
class ServiceCenterAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "phone")
    search_fields = ("name",)
    raw_id_fields = ("region",)
    inlines = [WindowInline]
