from __future__ import annotations

from django.contrib import admin

from apps.reminders.models import DigestDelivery, ReminderDelivery, ReminderSchedule


@admin.register(ReminderSchedule)
class ReminderScheduleAdmin(admin.ModelAdmin):
    list_display = ["patient", "next_reminder_at", "updated_at"]
    raw_id_fields = ["patient"]


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    list_display = ["patient", "local_date", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    date_hierarchy = "local_date"
    raw_id_fields = ["patient"]
    readonly_fields = ["created_at"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["physician", "date", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["physician"]
    readonly_fields = ["created_at"]
