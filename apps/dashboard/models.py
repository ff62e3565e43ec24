from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords

from apps.accounts.models import PatientProfile, PhysicianProfile
from apps.diary.models import Joint


class PatientSummary(models.Model):
    """One row per patient so the triage table never reads a year of diary rows.

    Written by services.summary_refresh after each detector run. Anything that
    depends on "today" is stored as the date it starts or stops applying and is
    compared with today at query time (selectors.triage_rows), so a summary that
    has not been refreshed for a week is still right about what is overdue.
    """

    patient = models.OneToOneField(
        PatientProfile, on_delete=models.CASCADE, related_name="summary"
    )
    computed_on = models.DateField()  # the `today` of the refresh; sparkline ends here
    last_checkin = models.DateField(null=True, blank=True)
    worst_joint = models.ForeignKey(
        Joint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Worst joint's pain for the 28 days ending computed_on, oldest first;
    # null = day not logged (never drawn as 0).
    sparkline = models.JSONField(default=list)
    pain_now = models.PositiveSmallIntegerField(
        default=0
    )  # worst joint, last logged day
    worsening = models.BooleanField(default=False)
    # The current episode: the latest-onset active one, else the latest one.
    phase = models.CharField(max_length=10, blank=True)
    episode_onset = models.DateField(null=True, blank=True)
    # Flags that expire or mature with time, as dates (see class docstring):
    migrated_until = models.DateField(null=True, blank=True)  # unacknowledged, +30 d
    new_joint_until = models.DateField(null=True, blank=True)  # first episode, +30 d
    oldest_active_onset = models.DateField(null=True, blank=True)  # atypical at +9 mo
    oldest_rising_onset = models.DateField(null=True, blank=True)  # atypical at +3 mo
    possible_until = models.DateField(null=True, blank=True)  # possible new joint
    # Why each flag is up, as facts (triage.Summary.reasons), worded at read time
    # in the physician's language.
    reasons = models.JSONField(default=dict, blank=True)
    # The time-independent part of the urgency score; selectors add the rest.
    urgency = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "patient summaries"

    def __str__(self) -> str:
        return f"{self.patient} summary ({self.computed_on})"


class ClinicalEvent(models.Model):
    """Something done or found outside the diary, drawn on the same timeline."""

    class Kind(models.TextChoices):
        MRI = "mri", _("MRI")
        XRAY = "xray", _("X-ray")
        DXA = "dxa", _("DXA scan")
        TREATMENT_START = "treatment_start", _("Treatment started")
        TREATMENT_STOP = "treatment_stop", _("Treatment stopped")
        WEIGHT_BEARING = "weight_bearing", _("Protected weight-bearing / crutches")
        DELIVERY = "delivery", _("Delivery (pregnancy)")

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="clinical_events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    date = models.DateField()
    joint = models.ForeignKey(
        Joint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # MRI only: bone-marrow oedema is what confirms TMO, so it gets its own field.
    oedema = models.BooleanField(null=True, blank=True)
    detail = models.CharField(
        max_length=200, blank=True, help_text=_("E.g. the drug: bisphosphonate.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # A removed scan or treatment stays on record: who deleted what, and when.
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["patient", "date"], name="event_patient_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"

    @property
    def short_label(self) -> str:
        """A few words for the timeline marker, e.g. "MRI Left hip", in the reader's language."""
        label = {
            "mri": pgettext("timeline marker", "MRI"),
            "xray": pgettext("timeline marker", "X-ray"),
            "dxa": pgettext("timeline marker", "DXA"),
            "treatment_start": pgettext("timeline marker: treatment", "Start"),
            "treatment_stop": pgettext("timeline marker: treatment", "Stop"),
            "weight_bearing": pgettext("timeline marker", "Crutches"),
            "delivery": pgettext("timeline marker", "Delivery"),
        }[self.kind]
        if self.detail and self.kind in ("treatment_start", "treatment_stop"):
            label += f" {self.detail[:14]}"
        if self.joint_id:
            # The whole joint name: "L hip" abbreviates differently in each language.
            label += f" {self.joint.label}"
        return label


class PhysicianNote(models.Model):
    """A physician's private note on a patient: only its author ever sees it."""

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="+"
    )
    physician = models.ForeignKey(
        PhysicianProfile, on_delete=models.CASCADE, related_name="notes"
    )
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.physician} on {self.patient} ({self.created_at:%Y-%m-%d})"
