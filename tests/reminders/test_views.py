from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from apps.reminders import tokens
from apps.reminders.models import ReminderSchedule
from apps.reminders.services import reminder_send
from tests.reminders.conftest import SLOT

pytestmark = pytest.mark.django_db

SENT_AT = SLOT + dt.timedelta(seconds=30)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def reminder_email(scheduled, mailoutbox):
    with time_machine.travel(SENT_AT, tick=False):
        reminder_send(patient_id=scheduled.pk, now=SENT_AT)
    return mailoutbox[0]


@pytest.fixture
def login_path(reminder_email):
    url = re.search(r"\S+/reminders/log-in/\S+/", reminder_email.body).group(0)
    return path_of(url)


@pytest.fixture
def unsubscribe_path(reminder_email):
    return path_of(reminder_email.message()["List-Unsubscribe"].strip("<>"))


def test_one_tap_link_logs_in_and_opens_todays_log(client, login_path, scheduled):
    with time_machine.travel(SENT_AT + dt.timedelta(minutes=3), tick=False):
        response = client.get(login_path)
        assert response.status_code == 302
        assert response["Location"] == "/log/"
        assert client.get("/log/").status_code == 200
        assert int(client.session["_auth_user_id"]) == scheduled.user.pk
        # The emailed link opens a browser-session login, not a two-week one.
        assert client.session.get_expire_at_browser_close()


def test_one_tap_link_reuse_is_refused(client, django_user_model, login_path):
    with time_machine.travel(SENT_AT + dt.timedelta(minutes=3), tick=False):
        client.get(login_path)
        client.logout()
        response = client.get(login_path)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_tap_link_tapped_again_while_logged_in_just_opens_the_log(
    client, login_path
):
    with time_machine.travel(SENT_AT + dt.timedelta(minutes=3), tick=False):
        client.get(login_path)
        response = client.get(login_path)
    assert response["Location"] == "/log/"


def test_one_tap_link_expires_after_24_hours(client, login_path):
    with time_machine.travel(SENT_AT + dt.timedelta(hours=24, seconds=1), tick=False):
        response = client.get(login_path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_tap_link_still_works_just_before_24_hours(client, login_path):
    with time_machine.travel(SENT_AT + dt.timedelta(hours=23, minutes=59), tick=False):
        assert client.get(login_path)["Location"] == "/log/"


def test_tampered_one_tap_link_is_404(client, login_path, other_patient):
    forged = login_path.replace("/log-in/", "/log-in/9").rstrip("/") + "x/"
    response = client.get(forged)
    assert response.status_code == 404
    assert "_auth_user_id" not in client.session


def test_link_for_another_patients_delivery_cannot_be_forged(client, other_patient):
    # Signed with the unsubscribe salt: the one-tap view must not accept it.
    token = tokens.unsubscribe_token_make(kind=tokens.REMINDERS, pk=other_patient.pk)
    response = client.get(reverse("reminders:one-tap-login", args=[token]))
    assert response.status_code == 404


def test_one_tap_link_refused_for_mfa_accounts(client, login_path, scheduled):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=scheduled.user, type=Authenticator.Type.TOTP, data={}
    )
    with time_machine.travel(SENT_AT + dt.timedelta(minutes=3), tick=False):
        response = client.get(login_path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_unsubscribe_get_asks_to_confirm_and_changes_nothing(
    client, unsubscribe_path, scheduled
):
    response = client.get(unsubscribe_path)
    assert response.status_code == 200
    assert "Stop daily reminders?" in response.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.reminders_enabled


def test_one_click_unsubscribe_post_without_login_turns_reminders_off(
    unsubscribe_path, scheduled
):
    from django.test import Client

    # Mail providers POST with no session and no CSRF token (RFC 8058).
    client = Client(enforce_csrf_checks=True)
    response = client.post(unsubscribe_path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Reminders are off" in response.content.decode()
    scheduled.refresh_from_db()
    assert not scheduled.reminders_enabled
    assert ReminderSchedule.objects.get(patient=scheduled).next_reminder_at is None


def test_unsubscribe_with_a_bad_token_is_404(client, patient):
    token = tokens.unsubscribe_token_make(kind=tokens.REMINDERS, pk=patient.pk)
    response = client.post(reverse("reminders:unsubscribe", args=[token + "x"]))
    assert response.status_code == 404
    patient.refresh_from_db()
    assert patient.reminders_enabled


def test_unsubscribe_token_of_one_patient_only_touches_that_patient(
    client, patient, other_patient
):
    token = tokens.unsubscribe_token_make(kind=tokens.REMINDERS, pk=other_patient.pk)
    client.post(reverse("reminders:unsubscribe", args=[token]))
    patient.refresh_from_db()
    other_patient.refresh_from_db()
    assert patient.reminders_enabled
    assert not other_patient.reminders_enabled


def test_digest_unsubscribe_turns_the_digest_off(client, physician):
    token = tokens.unsubscribe_token_make(kind=tokens.DIGEST, pk=physician.pk)
    response = client.post(reverse("reminders:unsubscribe", args=[token]))
    assert "Daily digest is off" in response.content.decode()
    physician.refresh_from_db()
    assert not physician.digest_enabled
