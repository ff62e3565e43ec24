from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from apps.detector.models import JointMigration
from apps.reminders import tasks
from apps.reminders.models import DigestDelivery
from apps.reminders.services import Outcome, digest_send
from tests.factories import CheckInFactory, joint

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 1, 14, 7, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 1, 14)


def test_digest_lists_a_patient_who_just_stopped_logging(
    physician, patient, mailoutbox
):
    CheckInFactory(patient=patient, date=TODAY - dt.timedelta(days=3))
    assert digest_send(physician_id=physician.pk, now=MORNING) is Outcome.SENT
    message = mailoutbox[0]
    assert message.to == ["doc@example.org"]
    assert "Stopped logging (3 days without a check-in)" in message.body
    assert "Pat" in message.body
    assert "last check-in 11 Jan 2026" in message.body
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )


def test_digest_lists_joint_migrations_from_the_last_day(
    physician, patient, mailoutbox
):
    CheckInFactory(patient=patient, date=TODAY)
    with time_machine.travel(MORNING - dt.timedelta(hours=5)):
        JointMigration.objects.create(
            patient=patient,
            from_joint=joint("left_hip"),
            to_joint=joint("left_knee"),
            relation=JointMigration.Relation.ADJACENT,
            kind=JointMigration.Kind.SEQUENTIAL,
            to_onset=TODAY - dt.timedelta(days=2),
            detected_on=TODAY,
        )
    digest_send(physician_id=physician.pk, now=MORNING)
    assert "Joint migrations detected" in mailoutbox[0].body
    assert "Stopped logging" not in mailoutbox[0].body


def test_no_digest_without_new_flags(physician, patient, mailoutbox):
    CheckInFactory(patient=patient, date=TODAY - dt.timedelta(days=1))
    assert digest_send(physician_id=physician.pk, now=MORNING) is Outcome.SKIPPED
    assert mailoutbox == []


def test_at_most_one_digest_a_day(physician, patient, mailoutbox):
    CheckInFactory(patient=patient, date=TODAY - dt.timedelta(days=3))
    digest_send(physician_id=physician.pk, now=MORNING)
    later = MORNING + dt.timedelta(hours=3)
    assert digest_send(physician_id=physician.pk, now=later) is Outcome.NOT_DUE
    assert len(mailoutbox) == 1
    assert DigestDelivery.objects.count() == 1


def test_no_digest_for_a_physician_who_opted_out(physician, patient, mailoutbox):
    physician.digest_enabled = False
    physician.save()
    CheckInFactory(patient=patient, date=TODAY - dt.timedelta(days=3))
    assert digest_send(physician_id=physician.pk, now=MORNING) is Outcome.NOT_DUE
    assert mailoutbox == []


def test_digest_leaves_out_patients_of_other_physicians(
    unlinked_physician, patient, mailoutbox
):
    CheckInFactory(patient=patient, date=TODAY - dt.timedelta(days=3))
    assert (
        digest_send(physician_id=unlinked_physician.pk, now=MORNING) is Outcome.SKIPPED
    )
    assert mailoutbox == []


def test_queue_physician_digests_fans_out_to_opted_in_physicians(
    physician, unlinked_physician, monkeypatch, django_capture_on_commit_callbacks
):
    unlinked_physician.digest_enabled = False
    unlinked_physician.save()
    queued = []
    monkeypatch.setattr(tasks.send_physician_digest, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.queue_physician_digests() == 1
    assert queued == [physician.pk]


def test_digest_says_what_the_detector_saw_in_the_physicians_language(
    physician, patient, mailoutbox
):
    physician.user.language = "de"
    physician.user.save(update_fields=["language"])
    CheckInFactory(patient=patient, date=TODAY)
    text = (
        "left knee: pain up from 0 to 5 over 9 days with moderate swelling, "
        "while the left hip improves"
    )
    with time_machine.travel(MORNING - dt.timedelta(hours=5)):
        JointMigration.objects.create(
            patient=patient,
            from_joint=joint("left_hip"),
            to_joint=joint("left_knee"),
            relation=JointMigration.Relation.ADJACENT,
            kind=JointMigration.Kind.OVERLAP,
            to_onset=TODAY - dt.timedelta(days=9),
            detected_on=TODAY,
            explanation=text,
            facts={
                "joint": "left_knee",
                "censored": False,
                "from_pain": 0,
                "to_pain": 5,
                "days": 9,
                "swelling": 2,
                "source": "left_hip",
                "source_state": "improving",
                "far": False,
            },
        )
    digest_send(physician_id=physician.pk, now=MORNING)
    body = mailoutbox[0].body
    assert (
        "Linkes Knie: Schmerz binnen 9 Tagen von 0 auf 5 gestiegen, mit mäßiger "
        "Schwellung, während sich die linke Hüfte bessert." in body
    )
    assert "Linkes Knie: Schmerz binnen" in mailoutbox[0].alternatives[0][0]
