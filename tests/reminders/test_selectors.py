from __future__ import annotations

import datetime as dt

import pytest

from apps.accounts.models import PatientProfile
from apps.reminders import selectors
from apps.reminders.models import ReminderSchedule
from apps.reminders.services import reminder_schedule_refresh
from tests.factories import CheckInFactory, DiaryEntryFactory, joint
from tests.reminders.conftest import SLOT, TODAY

pytestmark = pytest.mark.django_db


def test_the_send_read_loads_schedule_profile_user_and_last_check_in(
    scheduled, django_assert_num_queries
):
    CheckInFactory(patient=scheduled, date=TODAY - dt.timedelta(days=3))
    CheckInFactory(patient=scheduled, date=TODAY - dt.timedelta(days=1))
    with django_assert_num_queries(1):
        sched = selectors.reminder_schedule_for_send(patient_id=scheduled.pk)
        patient = sched.patient
        assert (patient.user.email, patient.user.first_name) == (
            scheduled.user.email,
            scheduled.user.first_name,
        )
        assert patient.local_date(SLOT) == TODAY
        assert patient.reminders_enabled
    assert sched.next_reminder_at == SLOT
    assert sched.last_checkin == TODAY - dt.timedelta(days=1)


def test_the_send_read_without_a_check_in_or_a_schedule(patient):
    assert selectors.reminder_schedule_for_send(patient_id=patient.pk) is None
    ReminderSchedule.objects.create(patient=patient, next_reminder_at=None)
    sched = selectors.reminder_schedule_for_send(patient_id=patient.pk)
    assert (sched.next_reminder_at, sched.last_checkin) == (None, None)


def test_fields_the_send_read_leaves_out_load_when_touched(
    scheduled, django_assert_num_queries
):
    scheduled.sex = PatientProfile.Sex.FEMALE
    scheduled.save()
    sched = selectors.reminder_schedule_for_send(patient_id=scheduled.pk)
    with django_assert_num_queries(1):
        assert sched.patient.sex == PatientProfile.Sex.FEMALE


def test_day_summary_line_lists_joints_in_catalogue_order(patient):
    day = TODAY - dt.timedelta(days=1)
    DiaryEntryFactory(
        patient=patient, joint=joint("left_knee"), date=day, pain=6, swelling=2
    )
    DiaryEntryFactory(
        patient=patient, joint=joint("left_hip"), date=day, pain=2, swelling=0
    )
    DiaryEntryFactory(patient=patient, joint=joint("left_hip"), date=TODAY, pain=9)
    assert selectors.day_summary_line(patient=patient, day=day) == (
        "Left hip pain 2, swelling none · Left knee pain 6, swelling moderate"
    )


def test_a_batch_reads_every_schedule_in_one_query(
    scheduled, other_patient, django_assert_num_queries
):
    reminder_schedule_refresh(patient_id=other_patient.pk, now=SLOT)
    with django_assert_num_queries(1):
        scheds = selectors.reminder_schedules_for_send(
            patient_ids=[scheduled.pk, other_patient.pk, 10**9]
        )
        assert {p: s.patient.user.email for p, s in scheds.items()} == {
            scheduled.pk: scheduled.user.email,
            other_patient.pk: other_patient.user.email,
        }
