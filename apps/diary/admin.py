from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.diary.models import CheckIn, DiaryEntry, Joint, TrackedJoint


@admin.register(Joint)
class JointAdmin(admin.ModelAdmin):
    list_display = ["code", "side", "limb", "kind", "position"]

    def has_add_permission(self, request):
        return False  # the catalogue comes from anatomy.py

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrackedJoint)
class TrackedJointAdmin(admin.ModelAdmin):
    list_display = ["patient", "joint", "added_at"]
    raw_id_fields = ["patient"]


@admin.register(CheckIn)
class CheckInAdmin(SimpleHistoryAdmin):
    list_display = ["patient", "date", "updated_at"]
    date_hierarchy = "date"
    raw_id_fields = ["patient"]
    search_fields = ["patient__user__email"]


@admin.register(DiaryEntry)
class DiaryEntryAdmin(SimpleHistoryAdmin):
    list_display = ["patient", "joint", "date", "pain", "swelling"]
    list_filter = ["joint"]
    date_hierarchy = "date"
    raw_id_fields = ["patient"]
    search_fields = ["patient__user__email"]
