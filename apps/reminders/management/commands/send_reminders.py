from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.reminders import selectors
from apps.reminders.services import (
    DeliveryInProgress,
    Outcome,
    reminder_schedules_backfill,
    reminder_send,
)


class Command(BaseCommand):
    help = (
        "Run one reminder dispatcher tick in the foreground: select the due patients "
        "and send each reminder inline (no Celery). Safe to repeat: a reminder already "
        "sent for a local day is never sent again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--at",
            metavar="ISO_INSTANT",
            help="Run the tick as if it were this instant, e.g. 2026-03-29T01:30:00Z.",
        )

    def handle(self, *args, at: str | None = None, **options):
        now = _parse_instant(at) if at else timezone.now()
        # Patients who never saved a day or their profile have no schedule row yet.
        reminder_schedules_backfill(now=now)
        sent = failed = 0
        for patient_id in selectors.patient_ids_due(now=now):
            try:
                outcome = reminder_send(patient_id=patient_id, now=now)
            except DeliveryInProgress:
                continue  # a worker is sending this one right now
            except Exception as exc:
                # One bad address must not stop the others; the worker would retry.
                failed += 1
                self.stderr.write(f"patient {patient_id}: {exc!r}")
                continue
            sent += outcome is Outcome.SENT
        noun = "reminder" if sent == 1 else "reminders"
        self.stdout.write(f"Sent {sent} {noun}.")
        if failed:
            raise CommandError(f"{failed} failed; see ReminderDelivery.last_error.")


def _parse_instant(value: str) -> dt.datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"--at: not an ISO 8601 date-time: {value!r}")
    if timezone.is_naive(parsed):
        raise CommandError("--at needs a UTC offset, e.g. 2026-03-29T01:30:00Z")
    return parsed.astimezone(dt.UTC)
