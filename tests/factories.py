from __future__ import annotations

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from apps.accounts.models import CareLink, PatientProfile, PhysicianProfile, User
from apps.diary.models import CheckIn, DiaryEntry, Joint, TrackedJoint

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    password = factory.django.Password(PASSWORD)
    verified = factory.RelatedFactory(
        "tests.factories.EmailAddressFactory", factory_related_name="user"
    )


class EmailAddressFactory(DjangoModelFactory):
    class Meta:
        model = EmailAddress

    email = factory.SelfAttribute("user.email")
    primary = True
    verified = True


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = PatientProfile

    user = factory.SubFactory(UserFactory, role=User.Role.PATIENT)
    timezone = "Europe/London"


class PhysicianFactory(DjangoModelFactory):
    class Meta:
        model = PhysicianProfile

    user = factory.SubFactory(UserFactory, role=User.Role.PHYSICIAN)


class CareLinkFactory(DjangoModelFactory):
    class Meta:
        model = CareLink

    patient = factory.SubFactory(PatientFactory)
    physician = factory.SubFactory(PhysicianFactory)


def joint(code: str) -> Joint:
    """A catalogue joint (the rows come from the data migration)."""
    return Joint.objects.get(code=code)


class TrackedJointFactory(DjangoModelFactory):
    class Meta:
        model = TrackedJoint

    patient = factory.SubFactory(PatientFactory)
    joint = factory.LazyFunction(lambda: joint("left_hip"))


class CheckInFactory(DjangoModelFactory):
    class Meta:
        model = CheckIn

    patient = factory.SubFactory(PatientFactory)
    date = factory.LazyFunction(dt.date.today)


class DiaryEntryFactory(DjangoModelFactory):
    class Meta:
        model = DiaryEntry

    patient = factory.SubFactory(PatientFactory)
    joint = factory.LazyFunction(lambda: joint("left_hip"))
    date = factory.LazyFunction(dt.date.today)
    pain = 0
    swelling = 0
