from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from apps.reminders import sql
from apps.reminders.models import DeliveryStatus, ReminderDelivery, ReminderSchedule
from tests.reminders.conftest import SLOT, TODAY

pytestmark = pytest.mark.django_db

TOMORROW = SLOT + dt.timedelta(days=1)


def test_rows_update_matches_a_stored_instant_as_the_orm_does(scheduled):
    sched = scheduled.reminder_schedule
    advance = {
        "where": {"id": sched.pk, "next_reminder_at": SLOT},
        "values": {"next_reminder_at": TOMORROW},
    }
    assert sql.rows_update(ReminderSchedule, **advance) == 1
    assert ReminderSchedule.objects.get().next_reminder_at == TOMORROW
    # The row no longer holds that slot: a second worker changes nothing.
    assert sql.rows_update(ReminderSchedule, **advance) == 0
    assert ReminderSchedule.objects.filter(next_reminder_at=TOMORROW).count() == 1


def test_rows_update_refuses_a_null_it_could_never_match(scheduled):
    with pytest.raises(ValueError, match="NULL"):
        sql.rows_update(
            ReminderSchedule,
            where={"next_reminder_at": None},
            values={"next_reminder_at": SLOT},
        )


def test_row_insert_fills_defaults_and_creation_time_as_save_does(patient):
    delivery = ReminderDelivery(patient=patient, local_date=TODAY, scheduled_for=SLOT)
    with time_machine.travel(SLOT, tick=False):
        sql.row_insert(delivery)
    stored = ReminderDelivery.objects.get()
    assert stored.pk == delivery.pk
    assert not delivery._state.adding
    assert (stored.status, stored.attempts, stored.last_error) == (
        DeliveryStatus.PENDING,
        0,
        "",
    )
    assert stored.created_at == delivery.created_at == SLOT
    assert (stored.scheduled_for, stored.local_date) == (SLOT, TODAY)


def test_row_insert_raises_integrity_error_on_the_days_second_reminder(patient):
    sql.row_insert(
        ReminderDelivery(patient=patient, local_date=TODAY, scheduled_for=SLOT)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        sql.row_insert(
            ReminderDelivery(patient=patient, local_date=TODAY, scheduled_for=SLOT)
        )
    assert ReminderDelivery.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no prepared statements"
)
def test_send_path_statements_are_prepared_on_postgresql_once_they_repeat():
    statement = "SELECT %s::int + 41 AS answer"
    for _ in range(sql.PREPARE_AFTER + 1):
        with sql.cursor() as cursor:
            cursor.execute(statement, [1])
            assert cursor.fetchone() == (42,)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert "SELECT $1::int + 41 AS answer" in prepared
    # Django's own statements stay unprepared (its connection setting is back).
    assert connection.connection.prepare_threshold is None


def test_the_send_path_cursor_reports_queries_like_djangos(
    django_assert_num_queries,
):
    with django_assert_num_queries(1) as captured, sql.cursor() as cursor:
        cursor.execute("SELECT %s", [7])
        assert cursor.fetchone() == (7,)
    assert captured.captured_queries[0]["sql"].startswith("SELECT")
