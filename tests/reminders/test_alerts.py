from __future__ import annotations

import datetime as dt

import pytest

from apps.detector.models import JointMigration
from apps.reminders.services import migration_alerts_send
from tests.factories import joint

pytestmark = pytest.mark.django_db


def test_new_migration_emails_each_linked_physician(patient, physician, mailoutbox):
    m = JointMigration.objects.create(
        patient=patient,
        from_joint=joint("left_hip"),
        to_joint=joint("right_hip"),
        relation="contralateral",
        kind="sequential",
        to_onset=dt.date(2026, 5, 2),
        detected_on=dt.date(2026, 5, 9),
    )
    assert migration_alerts_send(migration_ids=[m.pk]) == 1
    (mail,) = mailoutbox
    assert mail.to == ["doc@example.org"]
    # Whole joint names as the catalogue writes them (capitalised in every language).
    assert "Left hip → Right hip" in mail.subject
    assert f"/physician/patients/{patient.pk}/" in mail.body
    assert mail.alternatives[0][1] == "text/html"


def test_no_linked_physician_no_email(patient, mailoutbox):
    m = JointMigration.objects.create(
        patient=patient,
        from_joint=joint("left_knee"),
        to_joint=joint("left_ankle"),
        relation="adjacent",
        kind="overlap",
        to_onset=dt.date(2026, 5, 2),
        detected_on=dt.date(2026, 5, 9),
    )
    assert migration_alerts_send(migration_ids=[m.pk]) == 0
    assert mailoutbox == []
