from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from apps.accounts.models import PatientProfile
from apps.core.vocabulary import PAIN_MAX, SWELLING_LABELS, SWELLING_MAX
from apps.diary import anatomy

__all__ = ["PAIN_MAX", "SWELLING_LABELS", "SWELLING_MAX"]


class Joint(models.Model):
    """One of the 16 catalogue joints; rows come from anatomy.JOINTS via a data migration."""

    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"

    class Limb(models.TextChoices):
        LOWER = "lower", "Lower limb"
        UPPER = "upper", "Upper limb"

    code = models.SlugField(max_length=32, unique=True)
    side = models.CharField(max_length=5, choices=Side.choices)
    limb = models.CharField(max_length=5, choices=Limb.choices)
    kind = models.CharField(max_length=16)
    # 1 = most proximal (hip, shoulder); migration favours position ± 1 on the same limb.
    position = models.PositiveSmallIntegerField()
    sort_order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return anatomy.JOINTS[self.code].label


class TrackedJoint(models.Model):
    """A joint the patient is watching: it gets a row on the daily log."""

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="tracked_joints"
    )
    joint = models.ForeignKey(Joint, on_delete=models.PROTECT)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "joint"], name="track_joint_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient}: {self.joint}"


class CheckIn(models.Model):
    """The patient logged this local day: a missing day is missing, not pain-free."""

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="checkins"
    )
    date = models.DateField()
    note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "date"], name="one_checkin_per_day"
            )
        ]
        indexes = [models.Index(fields=["patient", "-date"], name="checkin_latest")]

    def __str__(self) -> str:
        return f"{self.patient} {self.date}"


class DiaryEntry(models.Model):
    """Pain 0–10 and swelling 0–3 of one joint on one local day."""

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="entries"
    )
    joint = models.ForeignKey(Joint, on_delete=models.PROTECT)
    date = models.DateField()
    pain = models.PositiveSmallIntegerField()
    swelling = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "diary entries"
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "joint", "date"], name="one_entry_per_joint_day"
            ),
            models.CheckConstraint(
                condition=models.Q(pain__gte=0, pain__lte=PAIN_MAX), name="pain_0_10"
            ),
            models.CheckConstraint(
                condition=models.Q(swelling__gte=0, swelling__lte=SWELLING_MAX),
                name="swelling_0_3",
            ),
        ]
        indexes = [models.Index(fields=["patient", "date"], name="entry_patient_day")]

    def __str__(self) -> str:
        return (
            f"{self.patient} {self.joint.code} {self.date}: {self.pain}/{self.swelling}"
        )
