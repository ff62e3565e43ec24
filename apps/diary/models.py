from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from apps.accounts.models import PatientProfile
from apps.core.vocabulary import PAIN_MAX, SWELLING_MAX

# core.vocabulary.SWELLING_LABELS in the reader's language; written out so
# makemessages finds each word.
SWELLING_LABELS = (
    pgettext_lazy("swelling", "none"),
    pgettext_lazy("swelling", "mild"),
    pgettext_lazy("swelling", "moderate"),
    pgettext_lazy("swelling", "severe"),
)
# Whole names, never "left" + "knee": adjectives agree with the joint's gender
# (cadera izquierda, genou gauche, linkes Knie) and their order differs.
JOINT_NAMES = {
    "left_hip": _("Left hip"),
    "right_hip": _("Right hip"),
    "left_knee": _("Left knee"),
    "right_knee": _("Right knee"),
    "left_ankle": _("Left ankle"),
    "right_ankle": _("Right ankle"),
    "left_foot": _("Left foot"),
    "right_foot": _("Right foot"),
    "left_shoulder": _("Left shoulder"),
    "right_shoulder": _("Right shoulder"),
    "left_elbow": _("Left elbow"),
    "right_elbow": _("Right elbow"),
    "left_wrist": _("Left wrist"),
    "right_wrist": _("Right wrist"),
    "left_hand": _("Left hand"),
    "right_hand": _("Right hand"),
}
# The same joint inside a sentence, as its subject ("your left knee"; other
# languages give it with its article: la rodilla izquierda, das linke Knie).
JOINT_NAMES_IN_SENTENCE = {
    "left_hip": pgettext_lazy("joint in a sentence", "left hip"),
    "right_hip": pgettext_lazy("joint in a sentence", "right hip"),
    "left_knee": pgettext_lazy("joint in a sentence", "left knee"),
    "right_knee": pgettext_lazy("joint in a sentence", "right knee"),
    "left_ankle": pgettext_lazy("joint in a sentence", "left ankle"),
    "right_ankle": pgettext_lazy("joint in a sentence", "right ankle"),
    "left_foot": pgettext_lazy("joint in a sentence", "left foot"),
    "right_foot": pgettext_lazy("joint in a sentence", "right foot"),
    "left_shoulder": pgettext_lazy("joint in a sentence", "left shoulder"),
    "right_shoulder": pgettext_lazy("joint in a sentence", "right shoulder"),
    "left_elbow": pgettext_lazy("joint in a sentence", "left elbow"),
    "right_elbow": pgettext_lazy("joint in a sentence", "right elbow"),
    "left_wrist": pgettext_lazy("joint in a sentence", "left wrist"),
    "right_wrist": pgettext_lazy("joint in a sentence", "right wrist"),
    "left_hand": pgettext_lazy("joint in a sentence", "left hand"),
    "right_hand": pgettext_lazy("joint in a sentence", "right hand"),
}


def joint_label(code: str) -> str:
    """The joint's name in the active language, e.g. "Left knee" / "Rodilla izquierda"."""
    return str(JOINT_NAMES[code])


def joint_labels() -> dict[str, str]:
    """Every catalogue joint's name in the active language (for the pure figures)."""
    return {code: str(name) for code, name in JOINT_NAMES.items()}


class Joint(models.Model):
    """One of the 16 catalogue joints; rows come from anatomy.JOINTS via a data migration."""

    class Side(models.TextChoices):
        LEFT = "left", _("Left")
        RIGHT = "right", _("Right")

    class Limb(models.TextChoices):
        LOWER = "lower", _("Lower limb")
        UPPER = "upper", _("Upper limb")

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
        return joint_label(self.code)

    @property
    def name_in_sentence(self) -> str:
        return str(JOINT_NAMES_IN_SENTENCE[self.code])


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
