"""A session opened by the reminder's one-tap link may log days and see the course.

Whoever holds the link (a mail scanner, a forwarded email) must not get the
account: every other page asks for the password first (allauth's
reauthentication), after which the session is an ordinary one.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from apps.accounts.middleware import ONE_TAP_SESSION_KEY
from apps.accounts.models import User
from tests.factories import PASSWORD, TrackedJointFactory, joint, one_tap_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def tapped(patient):
    TrackedJointFactory(patient=patient, joint=joint("left_knee"))
    return one_tap_login(Client(), patient)


def test_a_one_tap_session_logs_days_and_sees_the_course(tapped, patient):
    yesterday = patient.local_date(dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
    assert tapped.get("/log/").status_code == 200
    assert tapped.get(f"/log/{yesterday}/").status_code == 200
    saved = tapped.post(
        "/log/",
        '{"entries": [{"joint": "left_knee", "pain": 3, "swelling": 1}]}',
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert tapped.get("/course/").status_code == 200
    assert tapped.get("/course/", headers={"HX-Request": "true"}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/profile/",
        "/profile/export.json",
        "/profile/delete/",
        "/course/export/diary.csv",
        "/course/export/fhir.json",
        "/course/export/summary",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/sessions/",
    ],
)
def test_a_one_tap_session_must_enter_the_password_for_anything_else(tapped, url):
    response = tapped.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/?next=")


def test_a_one_tap_session_cannot_add_an_email_address(tapped, patient):
    # The takeover: add an address, confirm it, reset the password to it.
    response = tapped.post(
        "/accounts/email/", {"action_add": "", "email": "attacker@example.net"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="attacker@example.net").exists()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/profile/", {"timezone": "UTC", "reminder_time": "08:00"}),
        ("/profile/invitations/", {}),
        ("/profile/delete/", {"password": PASSWORD}),
        ("/course/events/", {"kind": "mri", "date": "2026-01-01"}),
        ("/accounts/password/change/", {"oldpassword": PASSWORD}),
    ],
)
def test_a_one_tap_session_changes_nothing_else(tapped, patient, url, data):
    from apps.accounts.models import CareInvitation, User
    from apps.dashboard.models import ClinicalEvent

    response = tapped.post(url, data, headers={"referer": "http://testserver/log/"})
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/accounts/reauthenticate/?next=http%3A%2F%2Ftestserver%2Flog%2F"
    )
    patient.refresh_from_db()
    assert patient.timezone == "Europe/London"
    assert User.objects.filter(pk=patient.user_id).exists()
    assert not CareInvitation.objects.exists()
    assert not ClinicalEvent.objects.exists()


def test_the_password_turns_a_one_tap_session_into_an_ordinary_one(tapped, mailoutbox):
    response = tapped.post(
        "/accounts/reauthenticate/?next=/profile/", {"password": PASSWORD}
    )
    assert response["Location"] == "/profile/"
    assert ONE_TAP_SESSION_KEY not in tapped.session
    assert tapped.session.get_expire_at_browser_close()
    assert tapped.get("/profile/").status_code == 200
    assert tapped.get("/profile/export.json").status_code == 200


def test_a_wrong_password_leaves_the_session_limited(tapped):
    response = tapped.post("/accounts/reauthenticate/", {"password": "guess"})
    assert response.status_code == 200
    assert tapped.session[ONE_TAP_SESSION_KEY]
    assert tapped.get("/profile/").status_code == 302


def test_a_one_tap_session_may_reset_a_forgotten_password(tapped, mailoutbox):
    # The reset key goes to the account's own address: nothing for a link holder.
    assert tapped.get("/accounts/password/reset/").status_code == 200
    response = tapped.post("/accounts/password/reset/", {"email": "pat@example.org"})
    assert response.status_code == 302
    assert mailoutbox[-1].to == ["pat@example.org"]
    key_url = re.search(r"/accounts/password/reset/key/\S+/", mailoutbox[-1].body)[0]
    form = tapped.get(key_url, follow=True)
    assert form.status_code == 200
    new = {"password1": "a-Fresh-password-2026", "password2": "a-Fresh-password-2026"}
    done = tapped.post(form.redirect_chain[-1][0], new)
    assert done.status_code == 302
    patient_user = User.objects.get(email="pat@example.org")
    assert patient_user.check_password("a-Fresh-password-2026")
    # The new password ends every session, the one-tap one included.
    assert tapped.get("/log/").status_code == 302
