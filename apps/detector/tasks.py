from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from apps.accounts.models import PatientProfile
from apps.dashboard.services import summary_refresh
from apps.detector.services import episodes_refresh, migrations_notify

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def refresh_episodes(patient_id: int) -> int:
    """Recompute one patient's episodes and migrations; returns how many migrations are new."""
    patient = PatientProfile.objects.filter(pk=patient_id).first()
    if patient is None:  # account deleted since the task was queued
        return 0
    created = episodes_refresh(patient=patient)
    # The triage table reads only PatientSummary, so it must follow every detector run.
    summary_refresh(patient=patient, today=patient.local_date(timezone.now()))
    if created:
        # A new joint starting is worth a physician's attention early (docs/clinical.md).
        migrations_notify(migration_ids=[m.pk for m in created])
    return len(created)


@shared_task
def refresh_all_episodes() -> int:
    """Nightly: recompute every patient, catching any after-save run the broker lost."""
    ids = list(PatientProfile.objects.values_list("pk", flat=True))
    for patient_id in ids:
        refresh_episodes.delay(patient_id)
    return len(ids)
