from __future__ import annotations

from django.db import models

from apps.accounts.models import PatientProfile, PhysicianProfile


class ReminderSchedule(models.Model):
    """When this patient's next reminder is due; the dispatcher reads only this index.

    Kept here, not on PatientProfile, so the per-minute query touches one narrow table.
    """

    patient = models.OneToOneField(
        PatientProfile, on_delete=models.CASCADE, related_name="reminder_schedule"
    )
    # UTC; None while reminders are off or no weekday is chosen.
    next_reminder_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.patient}: {self.next_reminder_at}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Claimed, not tried yet"
    SENDING = "sending", "Handing to the mail server"
    SENT = "sent", "Sent"
    FAILED = "failed", "Last attempt failed; will be retried"
    SKIPPED = "skipped", "Not sent (logged meanwhile, or nothing to say)"


class Delivery(models.Model):
    """What services.delivery needs of any claimed email: status, attempts, lease."""

    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Start of the current attempt: a SENDING row older than the lease belongs to a
    # worker that died mid-send, and may be taken over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ReminderDelivery(Delivery):
    """One reminder for one local day, claimed before sending so it goes out at most once."""

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    local_date = models.DateField()
    scheduled_for = models.DateTimeField()
    # The one-tap link in the email logs in once; this is its used-marker.
    login_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "reminder deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "local_date"], name="one_reminder_per_local_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.local_date} ({self.status})"


class DigestDelivery(Delivery):
    """A physician's daily digest for one UTC date, claimed before sending like reminders."""

    physician = models.ForeignKey(
        PhysicianProfile, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    date = models.DateField()

    class Meta:
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["physician", "date"], name="one_digest_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.physician} {self.date} ({self.status})"
