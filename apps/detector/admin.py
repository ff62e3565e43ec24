from __future__ import annotations

from django.contrib import admin

from apps.detector.models import Episode, JointMigration, PossibleJoint


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ["patient", "joint", "onset", "peak", "peak_pain", "phase"]
    list_filter = ["phase", "joint"]
    raw_id_fields = ["patient"]


@admin.register(JointMigration)
class JointMigrationAdmin(admin.ModelAdmin):
    list_display = [
        "patient",
        "from_joint",
        "to_joint",
        "relation",
        "kind",
        "detected_on",
        "acknowledged_at",
    ]
    list_filter = ["relation", "kind"]
    raw_id_fields = ["patient", "acknowledged_by"]


@admin.register(PossibleJoint)
class PossibleJointAdmin(admin.ModelAdmin):
    list_display = ["patient", "joint", "onset", "last_raised", "peak_pain"]
    list_filter = ["joint"]
    raw_id_fields = ["patient"]
