"""The Django admin for superusers only: users with the platform's own fields and their roles.
Day-to-day account work happens in the pages (people app), where unit administrators are
scoped and every change is audited; the admin is the superuser's last resort."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from .models import Membership, User


class SuperuserOnly:
    """Only a superuser sees or changes these models, whatever permissions a staff user holds."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))


class MembershipInline(SuperuserOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    raw_id_fields = ["unit"]


@admin.register(User)
class PlatformUserAdmin(SuperuserOnly, UserAdmin):  # type: ignore[type-arg]
    list_display = (
        "username",
        "display_name",
        "staff_no",
        "phone",
        "is_active",
        "is_superuser",
        "must_change_password",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "must_change_password")
    search_fields = ("username", "display_name", "phone", "staff_no", "email")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("平台信息", {"fields": ("display_name", "phone", "staff_no", "must_change_password", "password_changed_at")}),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        ("平台信息", {"fields": ("display_name", "phone", "staff_no")}),
    )
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SuperuserOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "role", "unit")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "unit__name", "unit__code")
    raw_id_fields = ["user", "unit"]
