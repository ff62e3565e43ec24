"""What reminders and digests share: the claim-then-send delivery row."""

from __future__ import annotations

import datetime as dt
import enum

from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone

from apps.core import emails
from apps.reminders.models import DeliveryStatus

# An attempt older than this with no result belongs to a worker that died
# mid-send; it is long enough to cover a slow SMTP conversation (EMAIL_TIMEOUT).
SEND_LEASE = dt.timedelta(minutes=5)
_ERROR_MAX = 500


class Outcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # claimed, then not sent: logged already, window missed, reminders off
    NOT_DUE = "not_due"  # nothing to do (not due yet, or another worker has it)


class DeliveryInProgress(Exception):
    """Another attempt holds the lease on this delivery; check again after SEND_LEASE."""


def delivery_take(model, delivery, *, now: dt.datetime):
    """Start attempt n+1 on a ReminderDelivery/DigestDelivery row; None if another worker won it."""
    # Conditional on the status and attempt we read: of two workers racing for
    # the same row exactly one sees rowcount 1.
    won = model.objects.filter(
        pk=delivery.pk, status=delivery.status, attempts=delivery.attempts
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not won:
        return None
    delivery.status = DeliveryStatus.SENDING
    delivery.attempts += 1
    delivery.claimed_at = now
    return delivery


def message_send(model, delivery, message: EmailMultiAlternatives) -> None:
    """Hand `message` to the mail server; on any error mark the attempt FAILED and re-raise."""
    try:
        emails.email_send(message)
    except Exception as exc:
        # Recorded, then re-raised so the task's autoretry tries again later.
        model.objects.filter(
            pk=delivery.pk,
            status=DeliveryStatus.SENDING,
            attempts=delivery.attempts,
        ).update(status=DeliveryStatus.FAILED, last_error=repr(exc)[:_ERROR_MAX])
        raise


def delivery_finish(model, delivery, *, status: str, now: dt.datetime | None = None):
    """Record the attempt's result (SENT or SKIPPED)."""
    fields = {"status": status}
    if status == DeliveryStatus.SENT:
        fields["sent_at"] = now or timezone.now()
    model.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(**fields)
