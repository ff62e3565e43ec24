from __future__ import annotations

import datetime as dt

import pytest

from apps.reminders.models import ReminderSchedule
from apps.reminders.services import reminder_schedule_refresh

# A winter Wednesday: Europe/London is on UTC, so 20:00 local is 20:00 UTC.
MORNING = dt.datetime(2026, 1, 14, 9, 0, tzinfo=dt.UTC)
SLOT = dt.datetime(2026, 1, 14, 20, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 1, 14)


@pytest.fixture
def scheduled(patient):
    """`patient` (Europe/London, 20:00 every day) with a schedule computed that morning."""
    reminder_schedule_refresh(patient_id=patient.pk, now=MORNING)
    return patient


def due_now(patient, at: dt.datetime) -> None:
    """Force the patient's schedule row to `at`, as the dispatcher would find it."""
    ReminderSchedule.objects.update_or_create(
        patient=patient, defaults={"next_reminder_at": at}
    )
