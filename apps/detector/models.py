from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import PatientProfile
from apps.detector import wording
from apps.diary.models import Joint


class Episode(models.Model):
    """One joint's TMO course (onset, peak, healing) as the detector last saw it.

    Recomputed wholesale after each saved day: nothing here is user-owned.
    """

    class Phase(models.TextChoices):
        RISING = "rising", _("Rising")
        PEAK = "peak", _("At its peak")
        IMPROVING = "improving", _("Improving")
        RESOLVED = "resolved", _("Resolved")

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="episodes"
    )
    joint = models.ForeignKey(Joint, on_delete=models.PROTECT)
    onset = models.DateField()
    peak = models.DateField()
    peak_pain = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=10, choices=Phase.choices)
    resolved_on = models.DateField(null=True, blank=True)
    detected_on = models.DateField()
    # What the detector saw, in its English words, and the same facts as data
    # (detect.EpisodeFinding.facts) so the page can say it in the reader's language.
    explanation = models.TextField(blank=True, default="")
    facts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["onset"]
        indexes = [
            models.Index(fields=["patient", "onset"], name="episode_patient_onset")
        ]

    def __str__(self) -> str:
        return f"{self.joint} from {self.onset} ({self.phase})"

    @property
    def is_active(self) -> bool:
        return self.phase != self.Phase.RESOLVED

    @property
    def seen_words(self) -> str:
        """What the detector saw, in the active language."""
        return wording.rise_sentence(self.facts, fallback=self.explanation)


class JointMigration(models.Model):
    """The trouble moved from one joint to another; kept once flagged (see services)."""

    class Relation(models.TextChoices):
        ADJACENT = "adjacent", _("Next joint on the same limb")
        CONTRALATERAL = "contralateral", _("Same joint, other side")
        OTHER = "other", _("Another joint")

    class Kind(models.TextChoices):
        OVERLAP = "overlap", _("While the first was still improving")
        SEQUENTIAL = "sequential", _("After the first had healed")

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="migrations"
    )
    from_joint = models.ForeignKey(Joint, on_delete=models.PROTECT, related_name="+")
    to_joint = models.ForeignKey(Joint, on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(max_length=16, choices=Relation.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    to_onset = models.DateField()
    # First day the diary justified the flag; never moved by later recomputes.
    detected_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the detector saw when it first flagged the move (see Episode).
    explanation = models.TextField(blank=True, default="")
    facts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["detected_on"]
        indexes = [
            models.Index(
                fields=["patient", "detected_on"], name="migration_patient_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_joint} → {self.to_joint} ({self.detected_on})"

    @property
    def plain_words(self) -> str:
        """The patient-facing sentence for this event."""
        return gettext(
            "Your %(to_joint)s may be starting what your %(from_joint)s went through."
        ) % {
            "to_joint": self.to_joint.name_in_sentence,
            "from_joint": self.from_joint.name_in_sentence,
        }

    @property
    def seen_words(self) -> str:
        """What the detector saw when it flagged the move, in the active language."""
        return wording.migration_sentence(self.facts, fallback=self.explanation)


class PossibleJoint(models.Model):
    """A joint raised for a few days, not yet told apart from a short ache or a flare.

    Shown on the course and the dashboard, never emailed. Rewritten with every
    detector run, so a joint that settles disappears by itself; once the rise is
    confirmed it becomes an Episode (and, from a neighbour, a JointMigration).
    """

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="possible_joints"
    )
    joint = models.ForeignKey(Joint, on_delete=models.PROTECT, related_name="+")
    onset = models.DateField()  # first raised day
    last_raised = models.DateField()  # latest day the joint read raised
    peak_pain = models.PositiveSmallIntegerField()  # 0-10
    explanation = models.TextField(blank=True, default="")
    facts = models.JSONField(default=dict, blank=True)  # EpisodeFinding.facts

    class Meta:
        ordering = ["-last_raised", "joint__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "joint"], name="possible_joint_once"
            )
        ]

    def __str__(self) -> str:
        return f"possible {self.joint} since {self.onset}"

    @property
    def days(self) -> int:
        return self.facts.get("days") or (self.last_raised - self.onset).days + 1

    @property
    def seen_words(self) -> str:
        """What the detector saw, for the physician, in the active language."""
        return wording.possible_sentence(self.facts, fallback=self.explanation)

    @property
    def patient_words(self) -> str:
        """The patient-facing line: sore for N days, keep logging it."""
        return wording.possible_patient_sentence(self.joint.code, self.days)
