"""episodes_refresh(): the stored result of the detector, recomputed after every saved day."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from apps.detector.detect import detect
from apps.detector.models import Episode, JointMigration
from apps.detector.services import diary_load, episodes_refresh
from apps.diary.models import CheckIn, DiaryEntry
from testkit.synthetic import generate_course
from tests.factories import joint


@pytest.fixture
def course():
    """A clean two-joint course with one true migration (seeded, so always the same)."""
    rng = random.Random(3)
    while True:
        c = generate_course(rng, messy=False)
        if len(c.migrations) == 1 and "chronic" not in c.tags:
            return c


def store(patient, course, until: dt.date | None = None) -> None:
    """Write the course's diary up to `until` (inclusive) as the patient's own."""
    ids = {}
    CheckIn.objects.bulk_create(
        CheckIn(patient=patient, date=d)
        for d in course.logged_days
        if until is None or d <= until
    )
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient=patient,
            joint=ids.setdefault(r.joint, joint(r.joint)),
            date=r.day,
            pain=r.pain,
            swelling=r.swelling,
        )
        for r in course.readings
        if until is None or r.day <= until
    )


def rows(model, patient):
    return list(model.objects.filter(patient=patient).order_by("pk").values())


@pytest.mark.django_db
def test_diary_load_gives_detector_input_in_day_order(patient, course):
    store(patient, course)
    readings, logged = diary_load(patient=patient)
    assert logged == sorted(course.logged_days)
    # All-zero entries are left out (a logged day without one reads 0), but every
    # joint is there, and the detector sees the same diary.
    everything = {(r.day, r.joint, r.pain, r.swelling) for r in course.readings}
    assert {r for r in readings if r[2] or r[3]} == {
        r for r in everything if r[2] or r[3]
    }
    assert {r[1] for r in readings} == {r.joint for r in course.readings}
    assert detect(readings, logged) == detect(course.readings, course.logged_days)


@pytest.mark.django_db
def test_refresh_stores_episodes_and_the_migration(patient, course):
    store(patient, course)
    created = episodes_refresh(patient=patient)
    truth = course.migrations[0]
    assert [(m.from_joint.code, m.to_joint.code) for m in created] == [
        (truth.from_joint, truth.to_joint)
    ]
    assert {e.joint.code for e in Episode.objects.filter(patient=patient)} >= {
        truth.from_joint,
        truth.to_joint,
    }


@pytest.mark.django_db
def test_refresh_again_changes_nothing(patient, course):
    store(patient, course)
    episodes_refresh(patient=patient)
    episodes, migrations = rows(Episode, patient), rows(JointMigration, patient)
    assert episodes_refresh(patient=patient) == []
    # Same rows, same primary keys: an unchanged result is not rewritten.
    assert rows(Episode, patient) == episodes
    assert rows(JointMigration, patient) == migrations


@pytest.mark.django_db
def test_a_migration_keeps_its_first_detected_on(patient, course):
    flagged = course.migrations[0].onset + dt.timedelta(days=60)
    store(patient, course, until=flagged)
    (first,) = episodes_refresh(patient=patient)
    # The rest of the diary arrives (a backfill); the flag keeps its date and row.
    CheckIn.objects.filter(patient=patient).delete()
    DiaryEntry.objects.filter(patient=patient).delete()
    store(patient, course)
    assert episodes_refresh(patient=patient) == []
    again = JointMigration.objects.get(patient=patient)
    assert (again.pk, again.detected_on) == (first.pk, first.detected_on)


@pytest.mark.django_db
def test_episodes_follow_the_diary_as_it_grows(patient, course):
    truth = course.migrations[0]
    store(patient, course, until=truth.onset + dt.timedelta(days=60))
    episodes_refresh(patient=patient)
    new = Episode.objects.get(patient=patient, joint__code=truth.to_joint)
    assert new.phase != Episode.Phase.RESOLVED
    CheckIn.objects.filter(patient=patient).delete()
    DiaryEntry.objects.filter(patient=patient).delete()
    store(patient, course)
    episodes_refresh(patient=patient)
    healed = Episode.objects.get(patient=patient, joint__code=truth.to_joint)
    assert healed.phase == Episode.Phase.RESOLVED
    assert healed.resolved_on is not None


@pytest.mark.django_db
def test_unsupported_flags_go_but_acknowledged_ones_stay(patient, physician, course):
    store(patient, course)
    (migration,) = episodes_refresh(patient=patient)
    migration.acknowledged_by = physician.user
    migration.acknowledged_at = timezone.now()
    migration.save()
    # The patient corrects the new joint's days to pain-free: the data no longer
    # shows a migration, but what the physician acknowledged is not lost.
    DiaryEntry.objects.filter(
        patient=patient, joint__code=migration.to_joint.code
    ).update(pain=0, swelling=0)
    assert episodes_refresh(patient=patient) == []
    assert JointMigration.objects.filter(pk=migration.pk).exists()

    migration.acknowledged_at = None
    migration.save()
    episodes_refresh(patient=patient)
    assert not JointMigration.objects.filter(patient=patient).exists()
