from __future__ import annotations

import pytest

from apps.accounts.models import User
from apps.reminders.models import ReminderSchedule

pytestmark = pytest.mark.django_db


def test_signup_makes_a_patient_in_the_browsers_time_zone(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "New.Patient@Example.org",
            "first_name": "Nia",
            "password1": "a-Good-pass-2026",
            "password2": "a-Good-pass-2026",
            "timezone": "Asia/Kathmandu",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.patient@example.org")
    assert user.role == User.Role.PATIENT
    assert user.patient.timezone == "Asia/Kathmandu"
    assert (
        ReminderSchedule.objects.get(patient=user.patient).next_reminder_at is not None
    )
    assert "Confirm" in mailoutbox[0].subject or "confirm" in mailoutbox[0].body.lower()


def test_signup_with_a_bogus_time_zone_falls_back_to_utc(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "tz@example.org",
            "password1": "a-Good-pass-2026",
            "password2": "a-Good-pass-2026",
            "timezone": "Mars/Olympus_Mons",
        },
    )
    assert User.objects.get(email="tz@example.org").patient.timezone == "UTC"
