from __future__ import annotations

import datetime as dt
import logging
import math
import smtplib
from functools import partial

from celery import shared_task
from celery.signals import worker_process_shutdown, worker_shutdown
from django.db import transaction
from django.utils import timezone

from apps.core import emails
from apps.reminders import selectors
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


_LEASE_WAIT = SEND_LEASE.total_seconds() + 5


@shared_task(bind=True, acks_late=True, **_RETRY)
def send_reminder(self, patient_id: int) -> str:
    """Send one patient's reminder if it is due; all logic lives in reminder_send()."""
    try:
        return reminder_send(patient_id=patient_id, now=timezone.now())
    except DeliveryInProgress as exc:
        # Another attempt holds the lease; if its worker died, this retry takes over.
        raise self.retry(exc=exc, countdown=_LEASE_WAIT) from exc


@shared_task(acks_late=True)
def queue_due_reminders() -> int:
    """Beat runs this every minute, so a reminder lands within minutes of the patient's chosen time."""
    due = selectors.patient_ids_due(now=timezone.now())
    # After commit, so a worker never races a row this transaction still holds.
    transaction.on_commit(partial(send_reminders_enqueue, due))
    return len(due)


# One message carries a batch of patients: at 20:00 some 13,000 fall due at once,
# and a message per patient cost the tick a broker round trip each and the
# worker an ack each. Batches are small enough that every worker process gets
# some (at least BATCH_SPREAD messages per tick) and a batch sends in seconds.
BATCH_MAX = 500
BATCH_SPREAD = 32


def send_reminders_enqueue(patient_ids: list[int]) -> None:
    """Queue send_reminders for `patient_ids` in batches, over one broker connection.

    If publishing fails part-way the tick fails; the next one finds the same
    patients still due and queues them again, and the claim in reminder_send()
    turns any patient queued twice into one email.
    """
    if not patient_ids:
        return
    size = min(BATCH_MAX, math.ceil(len(patient_ids) / BATCH_SPREAD))
    batches = [patient_ids[i : i + size] for i in range(0, len(patient_ids), size)]
    with send_reminders.app.producer_or_acquire() as producer:
        for batch in batches:
            send_reminders.apply_async(args=[batch], producer=producer)
    log.info("queued %d reminders in %d batches", len(patient_ids), len(batches))


@shared_task(acks_late=True)
def send_reminders(patient_ids: list[int]) -> dict[str, int]:
    """Send a batch of reminders; a patient whose send fails is retried on its own.

    A redelivered batch (its worker died) is safe to run again: the claim in
    reminder_send() skips every patient already sent.
    """
    outcomes: dict[str, int] = {}
    scheds = selectors.reminder_schedules_for_send(patient_ids=patient_ids)
    # Most patients logged yesterday: one query reads all their lines about it.
    day_rows = selectors.yesterday_rows_for_send(scheds=scheds.values())
    for patient_id in patient_ids:
        # A patient the mail server refused, or whose delivery another attempt
        # holds, goes to send_reminder, which carries the backoff and the lease
        # wait; the rest of the batch does not wait for it.
        try:
            outcome = reminder_send(
                patient_id=patient_id,
                now=timezone.now(),
                sched=scheds.get(patient_id),
                day_rows=day_rows,
            )
        except _RETRY["autoretry_for"]:
            send_reminder.apply_async(args=[patient_id], countdown=1)
            outcome = "retrying"
        except DeliveryInProgress:
            send_reminder.apply_async(args=[patient_id], countdown=_LEASE_WAIT)
            outcome = "retrying"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


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
