from __future__ import annotations

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command

from apps.reminders import tasks
from apps.reminders.models import DeliveryStatus, ReminderDelivery
from apps.reminders.services import reminder_schedule_refresh
from tests.factories import CheckInFactory, PatientFactory
from tests.reminders.conftest import SLOT, TODAY, due_now

pytestmark = pytest.mark.django_db


def queued_batches(monkeypatch) -> list[list[int]]:
    """What the dispatcher hands the broker: one list of patient ids per message."""
    queued = []
    monkeypatch.setattr(
        tasks.send_reminders,
        "apply_async",
        lambda args, **kw: queued.append(list(args[0])),
    )
    return queued


def test_dispatcher_queues_the_due_patients_after_commit(
    patient, other_patient, monkeypatch, django_capture_on_commit_callbacks
):
    later = PatientFactory()
    due_now(patient, SLOT - dt.timedelta(seconds=10))
    due_now(other_patient, SLOT)
    due_now(later, SLOT + dt.timedelta(minutes=1))
    batches = queued_batches(monkeypatch)
    with (
        time_machine.travel(SLOT, tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        assert tasks.queue_due_reminders() == 2
    assert batches == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    queued = [pid for batch in batches for pid in batch]
    assert sorted(queued) == sorted([patient.pk, other_patient.pk])


def test_a_large_tick_goes_out_in_bounded_batches(monkeypatch):
    batches = queued_batches(monkeypatch)
    ids = list(range(1, 20_001))
    tasks.send_reminders_enqueue(ids)
    assert [pid for batch in batches for pid in batch] == ids
    assert max(len(b) for b in batches) <= tasks.BATCH_MAX
    # Enough messages that every worker process of a few workers gets some.
    assert len(batches) >= tasks.BATCH_SPREAD
    tasks.send_reminders_enqueue(ids[:10])
    assert len(batches[-1]) == 1  # a quiet minute: one patient per message


def test_a_batch_sends_each_patient_once(scheduled, other_patient, mailoutbox):
    due_now(other_patient, SLOT)
    with time_machine.travel(SLOT + dt.timedelta(seconds=20), tick=False):
        first = tasks.send_reminders.apply(args=[[scheduled.pk, other_patient.pk]])
        # A redelivered batch (its worker died) sends nobody twice.
        again = tasks.send_reminders.apply(args=[[scheduled.pk, other_patient.pk]])
    assert first.get() == {"sent": 2}
    assert again.get() == {"not_due": 2}
    assert len(mailoutbox) == 2


def test_a_batch_reads_the_lines_about_yesterday_in_one_query(mailoutbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import DiaryEntryFactory, joint

    yesterday = TODAY - dt.timedelta(days=1)
    patients = [PatientFactory() for _ in range(3)]
    for pain, p in enumerate(patients, start=4):
        CheckInFactory(patient=p, date=yesterday)
        DiaryEntryFactory(
            patient=p, joint=joint("left_knee"), date=yesterday, pain=pain
        )
        due_now(p, SLOT)
    with (
        time_machine.travel(SLOT + dt.timedelta(seconds=20), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        result = tasks.send_reminders.apply(args=[[p.pk for p in patients]])
    assert result.get() == {"sent": 3}
    diary_reads = [q for q in queries if '"diary_diaryentry"' in q["sql"]]
    assert len(diary_reads) == 1
    bodies = {m.to[0]: m.body for m in mailoutbox}
    for pain, p in enumerate(patients, start=4):
        assert f"Left knee pain {pain}, swelling none" in bodies[p.user.email]


def test_a_refused_patient_is_retried_alone_and_the_batch_goes_on(
    scheduled, other_patient, mailoutbox, monkeypatch
):
    due_now(other_patient, SLOT)
    real_send = EmailMultiAlternatives.send

    def refuse_first(self, *args, **kwargs):
        if scheduled.user.email in self.to:
            raise smtplib.SMTPDataError(451, b"4.3.0 try again later")
        return real_send(self, *args, **kwargs)

    retried = []
    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_first)
    monkeypatch.setattr(
        tasks.send_reminder, "apply_async", lambda args, **kw: retried.append(args)
    )
    with time_machine.travel(SLOT + dt.timedelta(seconds=20), tick=False):
        result = tasks.send_reminders.apply(args=[[scheduled.pk, other_patient.pk]])
    assert result.get() == {"retrying": 1, "sent": 1}
    assert retried == [[scheduled.pk]]
    assert [m.to for m in mailoutbox] == [[other_patient.user.email]]
    assert ReminderDelivery.objects.get(patient=scheduled).status == (
        DeliveryStatus.FAILED
    )


def test_dispatcher_queries_once(patient, monkeypatch, django_assert_num_queries):
    due_now(patient, SLOT)
    queued_batches(monkeypatch)
    with time_machine.travel(SLOT, tick=False), django_assert_num_queries(1):
        tasks.queue_due_reminders()


def test_send_reminder_task_sends_once_even_if_queued_twice(scheduled, mailoutbox):
    with time_machine.travel(SLOT + dt.timedelta(seconds=20), tick=False):
        tasks.send_reminder.apply(args=[scheduled.pk])
        tasks.send_reminder.apply(args=[scheduled.pk])
    assert len(mailoutbox) == 1


def test_send_reminder_task_retries_a_451_until_delivered(
    scheduled, mailoutbox, monkeypatch
):
    real_send = EmailMultiAlternatives.send
    attempts = []

    def flaky_send(self, *args, **kwargs):
        attempts.append(1)
        if len(attempts) < 3:
            raise smtplib.SMTPDataError(451, b"4.3.0 try again later")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    with time_machine.travel(SLOT + dt.timedelta(seconds=20), tick=False):
        result = tasks.send_reminder.apply(args=[scheduled.pk])
    assert result.successful()
    assert len(attempts) == 3
    assert len(mailoutbox) == 1
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)


def test_send_reminders_command_twice_in_a_minute_sends_once(scheduled, capsys):
    at = (SLOT + dt.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    call_command("send_reminders", "--at", at)
    assert "Sent 1 reminder." in capsys.readouterr().out
    call_command("send_reminders", "--at", at)
    assert "Sent 0 reminders." in capsys.readouterr().out
    assert ReminderDelivery.objects.get().local_date == TODAY


def test_send_reminders_command_creates_missing_schedules(
    patient, other_patient, mailoutbox, capsys
):
    CheckInFactory(patient=other_patient, date=TODAY)
    # The first tick gives both patients a row; the one at 20:00 sends.
    call_command("send_reminders", "--at", "2026-01-14T19:59:00Z")
    call_command("send_reminders", "--at", "2026-01-14T20:00:00Z")
    assert capsys.readouterr().out.splitlines() == [
        "Sent 0 reminders.",
        "Sent 1 reminder.",
    ]
    assert [m.to for m in mailoutbox] == [["pat@example.org"]]


def test_send_reminders_command_at_a_dst_gap(capsys, mailoutbox):
    # 01:30 London does not exist on 29 Mar 2026; the reminder goes at 02:00 BST = 01:00 UTC.
    patient = PatientFactory(timezone="Europe/London")
    patient.reminder_time = dt.time(1, 30)
    patient.save()
    call_command("send_reminders", "--at", "2026-03-29T00:30:00Z")
    call_command("send_reminders", "--at", "2026-03-29T01:00:00Z")
    call_command("send_reminders", "--at", "2026-03-29T01:30:00Z")
    assert capsys.readouterr().out.splitlines() == [
        "Sent 0 reminders.",
        "Sent 1 reminder.",
        "Sent 0 reminders.",
    ]


def test_send_reminders_command_rejects_a_naive_instant():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="UTC offset"):
        call_command("send_reminders", "--at", "2026-03-29T01:30:00")


def test_worker_shutdown_closes_the_kept_smtp_session(scheduled, mailoutbox):
    from celery.signals import worker_process_shutdown

    from apps.core import emails

    with time_machine.travel(SLOT + dt.timedelta(seconds=20), tick=False):
        tasks.send_reminder.apply(args=[scheduled.pk])
    kept = emails._local.conn
    assert kept is not None  # one session for all of a worker's emails
    closed = []
    kept.close = lambda: closed.append(True)
    worker_process_shutdown.send(sender=None, pid=1, exitcode=0)
    assert closed == [True]
    assert emails._local.conn is None


def failed_delivery(patient, *, last_try: dt.datetime, status=DeliveryStatus.FAILED):
    """Today's reminder as a claim and `status` after its last attempt leave it."""
    delivery = ReminderDelivery.objects.create(
        patient=patient,
        local_date=TODAY,
        scheduled_for=SLOT,
        status=status,
        attempts=11,
        claimed_at=last_try,
        last_error="SMTPServerDisconnected()",
    )
    # The claim moved the schedule on to tomorrow.
    reminder_schedule_refresh(patient_id=patient.pk, now=SLOT)
    return delivery


def test_a_reminder_whose_retries_all_failed_is_sent_later(
    scheduled, mailoutbox, django_capture_on_commit_callbacks
):
    # The mail server was down for the whole retry chain; 45 minutes later it is back.
    delivery = failed_delivery(scheduled, last_try=SLOT + dt.timedelta(minutes=15))
    with (
        time_machine.travel(SLOT + dt.timedelta(minutes=45), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.requeue_failed_reminders() == 1
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 12)


@pytest.mark.parametrize(
    ("last_try", "now", "status"),
    [
        # Its own retry chain may still be running.
        (SLOT + dt.timedelta(minutes=15), SLOT + dt.timedelta(minutes=25), "failed"),
        # Hours late: given up rather than sent in the middle of the night.
        (SLOT + dt.timedelta(minutes=15), SLOT + dt.timedelta(hours=4), "failed"),
        # Sent already, or not to be sent.
        (SLOT, SLOT + dt.timedelta(minutes=45), "sent"),
        (SLOT, SLOT + dt.timedelta(minutes=45), "skipped"),
    ],
)
def test_failed_reminders_left_alone(scheduled, mailoutbox, last_try, now, status):
    failed_delivery(scheduled, last_try=last_try, status=status)
    with time_machine.travel(now, tick=False):
        assert tasks.requeue_failed_reminders() == 0
    assert mailoutbox == []


def test_a_failed_reminder_is_not_sent_once_the_patient_has_logged(
    scheduled, mailoutbox, django_capture_on_commit_callbacks
):
    delivery = failed_delivery(scheduled, last_try=SLOT + dt.timedelta(minutes=15))
    CheckInFactory(patient=scheduled, date=TODAY)
    with (
        time_machine.travel(SLOT + dt.timedelta(minutes=45), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.requeue_failed_reminders()
    assert mailoutbox == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED


def test_worker_tasks_keep_healthy_database_connections(monkeypatch):
    # Celery's Django fixup would reconnect for every task; ours tidies like
    # Django does per request, and leaves an eager task's caller alone.
    from types import SimpleNamespace

    import django.db

    from tmo_tracker import celery

    calls = []
    monkeypatch.setattr(django.db, "close_old_connections", lambda: calls.append(1))
    worker_task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    eager_task = SimpleNamespace(request=SimpleNamespace(is_eager=True))
    celery._database_connections_tidy(task=worker_task)
    celery._database_connections_tidy(task=eager_task)
    assert calls == [1]
    assert celery.app.conf.get("CELERY_DB_REUSE_MAX")
