from __future__ import annotations

import datetime as dt
import re
import smtplib

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.diary.models import CheckIn
from apps.diary.services import Score, day_record
from apps.reminders.models import DeliveryStatus, ReminderDelivery, ReminderSchedule
from apps.reminders.services import (
    Outcome,
    reminder_schedule_refresh,
    reminder_schedules_backfill,
    reminder_send,
)
from tests.factories import CheckInFactory, DiaryEntryFactory, PatientFactory, joint
from tests.reminders.conftest import SLOT, TODAY

pytestmark = pytest.mark.django_db

JUST_AFTER = SLOT + dt.timedelta(seconds=40)


def login_link(message) -> str:
    return re.search(r"https?://\S+/reminders/log-in/\S+/", message.body).group(0)


def test_schedule_is_the_patients_next_local_reminder_time(scheduled):
    assert scheduled.reminder_schedule.next_reminder_at == SLOT


def test_schedule_is_empty_while_reminders_are_off(patient):
    patient.reminders_enabled = False
    patient.save()
    assert reminder_schedule_refresh(patient_id=patient.pk, now=SLOT) is None
    assert ReminderSchedule.objects.get(patient=patient).next_reminder_at is None


def test_backfill_gives_new_patients_a_schedule(patient, other_patient):
    assert reminder_schedules_backfill(now=SLOT) == 2
    assert ReminderSchedule.objects.count() == 2
    assert reminder_schedules_backfill(now=SLOT) == 0


def test_due_reminder_is_sent_greeting_the_patient(scheduled, mailoutbox):
    assert reminder_send(patient_id=scheduled.pk, now=JUST_AFTER) is Outcome.SENT
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["pat@example.org"]
    assert message.body.startswith("Hello Pat,")
    html = {mime: body for body, mime in message.alternatives}["text/html"]
    assert "Hello Pat," in html
    delivery = ReminderDelivery.objects.get()
    assert (delivery.local_date, delivery.status, delivery.attempts) == (
        TODAY,
        DeliveryStatus.SENT,
        1,
    )


def test_sending_moves_the_schedule_to_the_next_day(scheduled, mailoutbox):
    reminder_send(patient_id=scheduled.pk, now=JUST_AFTER)
    scheduled.reminder_schedule.refresh_from_db()
    assert scheduled.reminder_schedule.next_reminder_at == SLOT + dt.timedelta(days=1)


def test_not_sent_before_its_time(scheduled, mailoutbox):
    early = SLOT - dt.timedelta(seconds=1)
    assert reminder_send(patient_id=scheduled.pk, now=early) is Outcome.NOT_DUE
    assert mailoutbox == []


def test_no_reminder_when_the_patient_already_checked_in(scheduled, mailoutbox):
    CheckInFactory(patient=scheduled, date=TODAY)
    assert reminder_send(patient_id=scheduled.pk, now=JUST_AFTER) is Outcome.SKIPPED
    assert mailoutbox == []
    assert not ReminderDelivery.objects.exists()


def test_second_call_the_same_day_sends_nothing(scheduled, mailoutbox):
    reminder_send(patient_id=scheduled.pk, now=JUST_AFTER)
    again = JUST_AFTER + dt.timedelta(seconds=30)
    assert reminder_send(patient_id=scheduled.pk, now=again) is Outcome.NOT_DUE
    assert len(mailoutbox) == 1


def test_moving_the_time_later_after_a_reminder_does_not_send_a_second(
    scheduled, mailoutbox
):
    reminder_send(patient_id=scheduled.pk, now=JUST_AFTER)
    # Even a stale row pointing at a later slot the same day finds the day taken.
    ReminderSchedule.objects.update(next_reminder_at=SLOT + dt.timedelta(hours=2))
    later = SLOT + dt.timedelta(hours=2, seconds=5)
    assert reminder_send(patient_id=scheduled.pk, now=later) is Outcome.SKIPPED
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_clash_with_the_days_reminder_still_moves_the_schedule_on(mailoutbox):
    # In a real transaction (no test-wide one to nest in): the clash rolls the
    # claim back, schedule advance included, and the advance is then redone alone.
    patient = PatientFactory(timezone="Europe/London")
    reminder_schedule_refresh(patient_id=patient.pk, now=SLOT - dt.timedelta(hours=9))
    assert reminder_send(patient_id=patient.pk, now=JUST_AFTER) is Outcome.SENT
    ReminderSchedule.objects.update(next_reminder_at=SLOT + dt.timedelta(hours=2))
    later = SLOT + dt.timedelta(hours=2, seconds=5)
    assert reminder_send(patient_id=patient.pk, now=later) is Outcome.SKIPPED
    assert ReminderSchedule.objects.get().next_reminder_at == SLOT + dt.timedelta(
        days=1
    )
    assert ReminderDelivery.objects.get().status == DeliveryStatus.SENT
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_send_reads_once_claims_and_records(mailoutbox):
    # The 20:00 path, thousands of times over: schedule, profile, user and last
    # check-in in one read; advance + delivery row; yesterday's line; result.
    patient = PatientFactory(timezone="Europe/London")
    reminder_schedule_refresh(patient_id=patient.pk, now=SLOT - dt.timedelta(hours=9))
    CheckInFactory(patient=patient, date=TODAY - dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        assert reminder_send(patient_id=patient.pk, now=JUST_AFTER) is Outcome.SENT
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    # SQLite's BEGIN and COMMIT go through the cursor; psycopg sends them itself.
    statements = [s for s in statements if s not in ("BEGIN", "COMMIT")]
    assert statements == ["SELECT", "UPDATE", "INSERT", "SELECT", "UPDATE"]
    assert len(mailoutbox) == 1


def test_slot_found_after_the_five_minute_window_is_skipped_not_sent_late(
    scheduled, mailoutbox
):
    late = SLOT + dt.timedelta(minutes=5, seconds=1)
    assert reminder_send(patient_id=scheduled.pk, now=late) is Outcome.SKIPPED
    assert mailoutbox == []
    scheduled.reminder_schedule.refresh_from_db()
    assert scheduled.reminder_schedule.next_reminder_at == SLOT + dt.timedelta(days=1)


def test_reminders_switched_off_are_not_sent(scheduled, mailoutbox):
    scheduled.reminders_enabled = False
    scheduled.save()
    assert reminder_send(patient_id=scheduled.pk, now=JUST_AFTER) is Outcome.SKIPPED
    assert mailoutbox == []


def test_yesterdays_values_in_one_line(scheduled, mailoutbox):
    yesterday = TODAY - dt.timedelta(days=1)
    CheckInFactory(patient=scheduled, date=yesterday)
    DiaryEntryFactory(
        patient=scheduled, joint=joint("left_knee"), date=yesterday, pain=6, swelling=2
    )
    DiaryEntryFactory(
        patient=scheduled, joint=joint("left_hip"), date=yesterday, pain=2, swelling=0
    )
    reminder_send(patient_id=scheduled.pk, now=JUST_AFTER)
    line = next(
        ln for ln in mailoutbox[0].body.splitlines() if ln.startswith("Yesterday")
    )
    assert "pain 6, swelling moderate" in line
    assert "pain 2, swelling none" in line


def test_three_days_without_check_in_says_so_kindly(scheduled, mailoutbox):
    CheckInFactory(patient=scheduled, date=TODAY - dt.timedelta(days=4))
    reminder_send(patient_id=scheduled.pk, now=JUST_AFTER)
    assert "It's been 3 days since your last check-in" in mailoutbox[0].body
    assert "Yesterday wasn't logged." in mailoutbox[0].body


def test_two_quiet_days_get_the_ordinary_reminder(scheduled, mailoutbox):
    CheckInFactory(patient=scheduled, date=TODAY - dt.timedelta(days=3))
    reminder_send(patient_id=scheduled.pk, now=JUST_AFTER)
    assert "since your last check-in" not in mailoutbox[0].body


def test_reminder_carries_one_click_unsubscribe_headers(scheduled, mailoutbox):
    reminder_send(patient_id=scheduled.pk, now=JUST_AFTER)
    message = mailoutbox[0].message()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://127.0.0.1:8000/reminders/unsubscribe/")
    assert url in mailoutbox[0].body


def test_failed_send_is_retried_and_delivered_once(scheduled, mailoutbox, monkeypatch):
    real_send = EmailMultiAlternatives.send
    calls = []

    def flaky_send(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPDataError(451, b"try again later")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    with pytest.raises(smtplib.SMTPDataError):
        reminder_send(patient_id=scheduled.pk, now=JUST_AFTER)
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "451" in delivery.last_error
    # The retry finds the claimed delivery even though the schedule has moved on.
    retry_at = JUST_AFTER + dt.timedelta(seconds=2)
    assert reminder_send(patient_id=scheduled.pk, now=retry_at) is Outcome.SENT
    assert reminder_send(patient_id=scheduled.pk, now=retry_at) is Outcome.NOT_DUE
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_retry_after_the_patient_logged_is_dropped(scheduled, mailoutbox, monkeypatch):
    def failing_send(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(EmailMultiAlternatives, "send", failing_send)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        reminder_send(patient_id=scheduled.pk, now=JUST_AFTER)
    monkeypatch.undo()
    CheckInFactory(patient=scheduled, date=TODAY)
    assert reminder_send(patient_id=scheduled.pk, now=JUST_AFTER) is Outcome.SKIPPED
    assert mailoutbox == []


def test_logging_the_day_moves_the_schedule_to_tomorrow(
    scheduled, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(SLOT - dt.timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        day_record(
            patient=scheduled,
            day=TODAY,
            scores={joint("left_hip"): Score(pain=3, swelling=1)},
        )
    scheduled.reminder_schedule.refresh_from_db()
    assert scheduled.reminder_schedule.next_reminder_at == SLOT + dt.timedelta(days=1)


def test_saving_the_profile_reschedules(scheduled, client_as):
    client = client_as(scheduled)
    with time_machine.travel(SLOT - dt.timedelta(hours=12), tick=False):
        response = client.post(
            reverse("patient:profile"),
            {
                "timezone": "Asia/Kathmandu",
                "reminders_enabled": "on",
                "reminder_time": "07:30",
                "reminder_weekdays": ["1", "2", "3", "4", "5"],
                "save_profile": "",
            },
        )
    assert response.status_code == 302
    scheduled.reminder_schedule.refresh_from_db()
    # 07:30 +05:45 on Thursday 15 Jan = 01:45 UTC.
    assert scheduled.reminder_schedule.next_reminder_at == dt.datetime(
        2026, 1, 15, 1, 45, tzinfo=dt.UTC
    )


def test_one_local_day_is_the_patients_not_the_servers(mailoutbox):
    # 20:00 in Kathmandu is 14:15 UTC; the patient logged "today" in Nepal.
    patient = PatientFactory(timezone="Asia/Kathmandu")
    slot = dt.datetime(2026, 1, 14, 14, 15, tzinfo=dt.UTC)
    reminder_schedule_refresh(patient_id=patient.pk, now=slot - dt.timedelta(hours=1))
    assert patient.reminder_schedule.next_reminder_at == slot
    CheckIn.objects.create(patient=patient, date=TODAY)
    assert reminder_send(patient_id=patient.pk, now=slot) is Outcome.SKIPPED
    assert mailoutbox == []
