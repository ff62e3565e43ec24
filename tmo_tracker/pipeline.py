"""What happens after a day is saved, and every night: the one place that runs
the apps in order, so none of them imports the ones above it.

    a new patient or changed settings (apps.accounts sends patient_settings_changed)
      → reminder_schedule_refresh (reminders)

    a saved day (apps.diary sends day_saved)
      → after_day_saved, on commit, in a worker:
          patient_refresh: detector (episodes, migrations)
                           → triage summary (dashboard)
                           → migration alerts to linked physicians (reminders)
          reminder_schedule_refresh (reminders): the next reminder instant
    03:00 UTC (beat) → refresh_all_patients: patient_refresh for everyone
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from apps.accounts.models import PatientProfile
from apps.accounts.signals import patient_settings_changed
from apps.dashboard.services import summary_refresh
from apps.detector.services import episodes_refresh
from apps.diary.signals import day_saved
from apps.reminders.services import migration_alerts_send, reminder_schedule_refresh

log = logging.getLogger(__name__)


@receiver(day_saved)
def _day_saved(sender, *, patient_id: int, **kwargs) -> None:
    transaction.on_commit(lambda: after_day_saved_queue(patient_id=patient_id))


@receiver(patient_settings_changed)
def _patient_settings_changed(sender, *, patient_id: int, **kwargs) -> None:
    # A new patient's first reminder goes out tonight, and a changed time or
    # time zone moves the next one at once (one read and one write).
    reminder_schedule_refresh(patient_id=patient_id)


def after_day_saved_queue(*, patient_id: int) -> None:
    """Queue after_day_saved; a broker outage must never fail the save itself."""
    try:
        after_day_saved.apply_async(args=[patient_id], retry=False)
    except Exception:
        # The day is committed; the nightly refresh_all_patients run and the
        # reminder backfill catch up, so the only cost is a later flag.
        log.warning(
            "could not queue after_day_saved(%s); nightly run will",
            patient_id,
            exc_info=True,
        )


@shared_task(acks_late=True)
def after_day_saved(patient_id: int) -> None:
    """Everything a saved day sets off, kept off the request."""
    patient_refresh(patient_id=patient_id)
    # A reminder already queued re-checks for a check-in before it mails, so a
    # schedule refreshed a few seconds late never sends a needless email.
    reminder_schedule_refresh(patient_id=patient_id)


@shared_task(acks_late=True)
def refresh_patient(patient_id: int) -> int:
    """Recompute one patient's detector results and summary; returns new migrations."""
    return patient_refresh(patient_id=patient_id)


@shared_task
def refresh_all_patients() -> int:
    """Nightly: recompute every patient, catching any after-save run the broker lost."""
    ids = list(PatientProfile.objects.values_list("pk", flat=True))
    for patient_id in ids:
        refresh_patient.delay(patient_id)
    return len(ids)


def patient_refresh(*, patient_id: int) -> int:
    """Detector, then triage summary, then alerts for new migrations; returns how many are new."""
    patient = PatientProfile.objects.filter(pk=patient_id).first()
    if patient is None:  # account deleted since the task was queued
        return 0
    created = episodes_refresh(patient=patient)
    # The triage table reads only PatientSummary, so it must follow every detector run.
    summary_refresh(patient=patient, today=patient.local_date(timezone.now()))
    if created:
        # A new joint starting is worth a physician's attention early (docs/clinical.md).
        migration_alerts_send(migration_ids=[m.pk for m in created])
    return len(created)
