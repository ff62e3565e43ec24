"""Factories for the detector's output and the dashboard's own models."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from apps.dashboard.models import ClinicalEvent, PhysicianNote
from apps.detector.models import Episode, JointMigration
from tests.factories import PatientFactory, PhysicianFactory, joint


class EpisodeFactory(DjangoModelFactory):
    class Meta:
        model = Episode

    patient = factory.SubFactory(PatientFactory)
    joint = factory.LazyFunction(lambda: joint("left_hip"))
    onset = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=40))
    peak = factory.LazyAttribute(lambda o: o.onset + dt.timedelta(days=30))
    peak_pain = 7
    phase = Episode.Phase.RISING
    detected_on = factory.LazyAttribute(lambda o: o.onset + dt.timedelta(days=10))


class JointMigrationFactory(DjangoModelFactory):
    class Meta:
        model = JointMigration

    patient = factory.SubFactory(PatientFactory)
    from_joint = factory.LazyFunction(lambda: joint("left_hip"))
    to_joint = factory.LazyFunction(lambda: joint("right_hip"))
    relation = JointMigration.Relation.CONTRALATERAL
    kind = JointMigration.Kind.SEQUENTIAL
    to_onset = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=20))
    detected_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=5))


class ClinicalEventFactory(DjangoModelFactory):
    class Meta:
        model = ClinicalEvent

    patient = factory.SubFactory(PatientFactory)
    kind = ClinicalEvent.Kind.MRI
    date = factory.LazyFunction(dt.date.today)


class PhysicianNoteFactory(DjangoModelFactory):
    class Meta:
        model = PhysicianNote

    patient = factory.SubFactory(PatientFactory)
    physician = factory.SubFactory(PhysicianFactory)
    text = "Protect the right hip."
