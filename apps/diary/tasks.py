from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def after_day_saved(patient_id: int) -> None:
    """Everything a saved day sets off, kept off the request: detector, triage summary, next reminder."""
    from apps.detector.tasks import refresh_episodes
    from apps.reminders.services import reminder_schedule_refresh

    refresh_episodes(patient_id)  # the task body, run inline in this worker
    # A reminder already queued re-checks for a check-in before it mails, so a
    # schedule refreshed a few seconds late never sends a needless email.
    reminder_schedule_refresh(patient_id=patient_id)


def queue_after_day_saved(*, patient_id: int) -> None:
    """Queue after_day_saved; a broker outage must never fail the save itself."""
    try:
        after_day_saved.apply_async(args=[patient_id], retry=False)
    except Exception:
        # The day is committed; the nightly refresh_all_episodes run and the
        # reminder backfill catch up, so the only cost is a later flag.
        log.warning(
            "could not queue after_day_saved(%s); nightly run will",
            patient_id,
            exc_info=True,
        )
