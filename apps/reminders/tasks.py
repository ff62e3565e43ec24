from __future__ import annotations

import datetime as dt
import logging
import smtplib
from functools import partial

from celery import current_app, shared_task
from celery.signals import worker_process_shutdown, worker_shutdown
from django.db import transaction
from django.utils import timezone

from apps.reminders import emails, selectors
from apps.reminders.publish import tasks_publish
from apps.reminders.services import (
    SEND_LEASE,
    DeliveryInProgress,
    digest_send,
    reminder_schedules_backfill,
    reminder_send,
)

log = logging.getLogger(__name__)

# SMTPException is an OSError too; naming both says what we mean: a mail server
# that refused, hung up or was unreachable. Backoff 1 s, 2 s, 4 s … capped at
# 10 min, about 15 minutes of retries in all; the claim makes every retry safe.
_RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(bind=True, acks_late=True, **_RETRY)
def send_reminder(self, patient_id: int) -> str:
    """Send one patient's reminder if it is due; all logic lives in reminder_send()."""
    try:
        return reminder_send(patient_id=patient_id, now=timezone.now())
    except DeliveryInProgress as exc:
        # Another attempt holds the lease; if its worker died, this retry takes over.
        raise self.retry(exc=exc, countdown=SEND_LEASE.total_seconds() + 5) from exc


@shared_task(acks_late=True)
def queue_due_reminders() -> int:
    """Beat runs this every minute, so a reminder lands within minutes of the patient's chosen time."""
    due = selectors.patient_ids_due(now=timezone.now())
    # After commit, so a worker never races a row this transaction still holds.
    transaction.on_commit(partial(send_reminders_enqueue, due))
    return len(due)


def send_reminders_enqueue(patient_ids: list[int]) -> None:
    """One send_reminder message per patient, over one broker connection.

    At 20:00 thousands of patients fall due at once: on Redis the messages go
    out 1,000 per round trip (see apps.reminders.publish), elsewhere one
    apply_async each. If publishing fails part-way the tick fails; the next
    one finds the same patients still due and queues them again, and the
    claim in reminder_send() turns any message sent twice into one email.
    """
    if not patient_ids:
        return
    with current_app.producer_or_acquire() as producer:
        pipelined = tasks_publish(
            send_reminder,
            [[patient_id] for patient_id in patient_ids],
            producer=producer,
        )
    log.info(
        "queued %d reminders (%s)",
        len(patient_ids),
        "pipelined" if pipelined else "one apply_async each",
    )


# A reminder whose retries all failed (the mail server was down for a quarter of
# an hour) is tried again for this long after its slot, then given up: a
# reminder that arrives in the middle of the night helps nobody.
FAILED_RETRY_HORIZON = dt.timedelta(hours=3)


@shared_task(acks_late=True)
def requeue_failed_reminders() -> int:
    """Beat runs this every 15 minutes: today's reminders that failed get another go."""
    now = timezone.now()
    ids = selectors.patient_ids_with_failed_reminder(
        now=now,
        since=now - FAILED_RETRY_HORIZON,
        # Not while the task's own retries may still be under way: each waits
        # at most retry_backoff_max, so twice that means the chain has ended.
        quiet_since=now - dt.timedelta(seconds=2 * _RETRY["retry_backoff_max"]),
    )
    transaction.on_commit(partial(send_reminders_enqueue, ids))
    return len(ids)


@worker_process_shutdown.connect  # each prefork child
@worker_shutdown.connect  # the solo pool runs tasks in the main process
def _smtp_session_close(**kwargs) -> None:
    """Say QUIT on the SMTP session a worker kept open between emails."""
    emails.connection_close()


@shared_task(acks_late=True)
def backfill_reminder_schedules() -> int:
    """Give new sign-ups a schedule row; saving a day or the profile also creates one."""
    return reminder_schedules_backfill(now=timezone.now())


@shared_task(bind=True, acks_late=True, **_RETRY)
def send_physician_digest(self, physician_id: int) -> str:
    """Send one physician's daily digest if it has news; all logic lives in digest_send()."""
    try:
        return digest_send(physician_id=physician_id, now=timezone.now())
    except DeliveryInProgress as exc:
        raise self.retry(exc=exc, countdown=SEND_LEASE.total_seconds() + 5) from exc


@shared_task(acks_late=True)
def queue_physician_digests() -> int:
    """Daily: one digest task per opted-in physician."""
    ids = selectors.physician_ids_for_digest()
    for physician_id in ids:
        transaction.on_commit(partial(send_physician_digest.delay, physician_id))
    return len(ids)
