"""The physician's daily digest of new flags."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.models import PatientProfile, PhysicianProfile
from apps.core import emails
from apps.reminders import selectors, tokens
from apps.reminders.models import DeliveryStatus, DigestDelivery
from apps.reminders.services.delivery import (
    SEND_LEASE,
    DeliveryInProgress,
    Outcome,
    delivery_finish,
    delivery_take,
    message_send,
)


def digest_send(*, physician_id: int, now: dt.datetime | None = None) -> Outcome:
    """Send today's (UTC) digest of new flags to one physician, at most once; idempotent."""
    now = now or timezone.now()
    physician = (
        PhysicianProfile.objects.select_related("user").filter(pk=physician_id).first()
    )
    if physician is None or not physician.digest_enabled:
        return Outcome.NOT_DUE
    delivery, _ = DigestDelivery.objects.get_or_create(
        physician=physician, date=now.date()
    )
    if delivery.status == DeliveryStatus.SENDING and (
        delivery.claimed_at and delivery.claimed_at >= now - SEND_LEASE
    ):
        raise DeliveryInProgress(f"physician {physician.pk}")
    if delivery.status in (DeliveryStatus.SENT, DeliveryStatus.SKIPPED):
        return Outcome.NOT_DUE
    delivery = delivery_take(DigestDelivery, delivery, now=now)
    if delivery is None:
        return Outcome.NOT_DUE
    flags = selectors.digest_flags(physician=physician, now=now)
    if flags.is_empty:
        # skip: an empty digest teaches physicians to ignore the real ones.
        delivery_finish(DigestDelivery, delivery, status=DeliveryStatus.SKIPPED)
        return Outcome.SKIPPED
    unsubscribe_url = emails.absolute_url(
        reverse(
            "reminders:unsubscribe",
            args=[tokens.unsubscribe_token_make(kind=tokens.DIGEST, pk=physician.pk)],
        )
    )

    def patient_url(patient: PatientProfile) -> str:
        return emails.absolute_url(reverse("dashboard:patient", args=[patient.pk]))

    language = emails.recipient_language(physician.user)
    with translation.override(language):
        context = _digest_context(
            physician=physician,
            flags=flags,
            unsubscribe_url=unsubscribe_url,
            patient_url=patient_url,
        )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": f"<digest-{delivery.pk}@{emails.site_domain()}>",
        "Auto-Submitted": "auto-generated",
    }
    message = emails.email_build(
        "reminders/email/digest",
        context,
        [physician.user.email],
        headers,
        language=language,
    )
    message_send(DigestDelivery, delivery, message)
    delivery_finish(DigestDelivery, delivery, status=DeliveryStatus.SENT, now=now)
    return Outcome.SENT


def _digest_context(*, physician, flags, unsubscribe_url, patient_url) -> dict:
    """The digest's rows; joint and relation names come out in the active language."""
    return {
        "physician": physician,
        "stopped_logging_days": physician.stopped_logging_days,
        "stopped_rows": [
            {
                "name": q.patient.user.display_name,
                "last_checkin": q.last_checkin,
                "days_quiet": q.days_quiet,
                "url": patient_url(q.patient),
            }
            for q in flags.stopped_logging
        ],
        "migration_rows": [
            {
                "name": m.patient.user.display_name,
                "from_joint": m.from_joint.label,
                "to_joint": m.to_joint.label,
                "to_onset": m.to_onset,
                "relation": m.get_relation_display(),
                "seen": m.seen_words,
                "url": patient_url(m.patient),
            }
            for m in flags.migrations
        ],
        "flag_count": len(flags.stopped_logging) + len(flags.migrations),
        "dashboard_url": emails.absolute_url(reverse("dashboard:index")),
        "unsubscribe_url": unsubscribe_url,
    }
