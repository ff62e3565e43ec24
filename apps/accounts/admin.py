from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from apps.accounts.models import CareLink, PatientProfile, PhysicianProfile, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "role"]}),
        ("Personal info", {"fields": ["first_name", "last_name"]}),
        (
            "Permissions",
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "role", "password1", "password2"],
            },
        ),
    ]


@admin.register(PatientProfile)
class PatientProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "timezone", "reminders_enabled", "reminder_time"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(PhysicianProfile)
class PhysicianProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "stopped_logging_days", "digest_enabled"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(CareLink)
class CareLinkAdmin(admin.ModelAdmin):
    """Read-only: access to a diary starts only from the patient's invitation.

    A link made here would show a physician a diary without the patient's
    consent; reopening a revoked one likewise. Staff can see who has access.
    """

    list_display = ["patient", "physician", "created_at", "revoked_at"]
    list_select_related = ["patient__user", "physician__user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
