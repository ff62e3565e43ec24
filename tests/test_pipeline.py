"""The after-save and nightly pipeline: the one place the apps run in order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.dashboard.models import PatientSummary
from apps.diary import services as diary_services
from apps.diary.models import Joint
from apps.reminders.models import ReminderSchedule
from tests.factories import CheckInFactory, DiaryEntryFactory, joint
from tmo_tracker import pipeline

pytestmark = pytest.mark.django_db


def test_a_saved_day_queues_the_pipeline_once_on_commit(
    patient, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        pipeline.after_day_saved, "apply_async", lambda args, **kw: queued.append(args)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        diary_services.day_record(
            patient=patient,
            day=patient.local_date(timezone.now()),
            scores={
                Joint.objects.get(code="left_hip"): diary_services.Score(
                    pain=3, swelling=1
                )
            },
            note="",
        )
        assert queued == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert queued == [[patient.pk]]


def test_a_broker_outage_never_fails_the_save(patient, monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(pipeline.after_day_saved, "apply_async", broker_down)
    pipeline.after_day_saved_queue(patient_id=patient.pk)
    assert "nightly run will" in caplog.text


def test_after_day_saved_refreshes_summary_and_next_reminder(patient):
    today = patient.local_date(timezone.now())
    CheckInFactory(patient=patient, date=today)
    DiaryEntryFactory(patient=patient, joint=joint("left_hip"), date=today, pain=3)
    pipeline.after_day_saved.apply(args=[patient.pk])
    assert PatientSummary.objects.filter(patient=patient).exists()
    assert ReminderSchedule.objects.filter(patient=patient).exists()


def test_a_new_migration_reaches_the_linked_physician(patient, physician, mailoutbox):
    today = patient.local_date(timezone.now())
    start = today - dt.timedelta(days=300)
    # Left hip: a TMO course (rise over weeks, months of healing); then the right
    # hip starts while the left still heals.
    for i in range(300):
        day = start + dt.timedelta(days=i)
        CheckInFactory(patient=patient, date=day)
        left = min(7, i // 5) if i < 100 else max(0, 7 - (i - 100) // 12)
        right = min(7, (i - 200) // 4) if i >= 200 else 0
        for code, pain in (("left_hip", left), ("right_hip", right)):
            if pain:
                DiaryEntryFactory(
                    patient=patient,
                    joint=joint(code),
                    date=day,
                    pain=pain,
                    swelling=min(3, pain // 3),
                )
    assert pipeline.patient_refresh(patient_id=patient.pk) >= 1
    assert [m.to for m in mailoutbox] == [[physician.user.email]]
    # The nightly run finds nothing new: no second email.
    assert pipeline.patient_refresh(patient_id=patient.pk) == 0
    assert len(mailoutbox) == 1


def test_the_nightly_run_queues_every_patient(patient, other_patient, monkeypatch):
    queued = []
    monkeypatch.setattr(pipeline.refresh_patient, "delay", queued.append)
    assert pipeline.refresh_all_patients() == 2
    assert sorted(queued) == sorted([patient.pk, other_patient.pk])
