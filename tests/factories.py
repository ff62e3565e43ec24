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


def one_tap_login(client, patient: PatientProfile):
    """Log `client` in as a patient who tapped the link in today's reminder email."""
    from django.urls import reverse
    from django.utils import timezone

    from apps.reminders.models import ReminderDelivery
    from apps.reminders.tokens import login_token_make

    now = timezone.now()
    delivery = ReminderDelivery.objects.create(
        patient=patient,
        local_date=patient.local_date(now),
        scheduled_for=now,
        status="sent",
    )
    url = reverse(
        "reminders:one-tap-login",
        args=[login_token_make(delivery_id=delivery.pk, user=patient.user)],
    )
    page = client.get(url)
    response = client.post(url, {"csrfmiddlewaretoken": page.context["csrf_token"]})
    assert response["Location"] == "/log/", response
    return client


def totp_enable(user: User) -> str:
    """Give `user` a TOTP authenticator (as if set up in allauth); returns its secret."""
    import base64
    import secrets

    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
    )
    return secret


def totp_code(secret: str) -> str:
    """The current RFC 6238 code (30 s, 6 digits, SHA-1), as an authenticator app shows it."""
    import base64
    import hashlib
    import hmac
    import struct
    import time

    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(base64.b32decode(secret), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**6:06d}"


def mfa_login(client, user: User, secret: str):
    """Log `client` in through allauth: password, then the TOTP code."""
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/", response
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response
    assert int(client.session["_auth_user_id"]) == user.pk
    return client
