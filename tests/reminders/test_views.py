from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from apps.reminders import tokens
from apps.reminders.models import ReminderDelivery, ReminderSchedule
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


LATER = SENT_AT + dt.timedelta(minutes=3)


def tap(client, login_path):
    """What the patient does: open the link, press "Open today's log"."""
    page = client.get(login_path)
    assert page.status_code == 200, page.status_code
    return client.post(login_path, {"csrfmiddlewaretoken": page.context["csrf_token"]})


@pytest.mark.parametrize("follow", [False, True])
def test_a_mail_scanners_get_or_head_neither_logs_in_nor_uses_the_link(
    login_path, scheduled, follow
):
    from django.contrib.sessions.models import Session
    from django.test import Client

    scanner = Client()  # no cookies, as a mail system's link checker
    with time_machine.travel(LATER, tick=False):
        for method in (scanner.head, scanner.get, scanner.get):
            response = method(login_path, follow=follow)
            assert response.status_code == 200
            assert "sessionid" not in response.cookies
    assert "Open today's log" in response.content.decode()
    assert not Session.objects.exists()
    delivery = ReminderDelivery.objects.get(patient=scheduled)
    assert delivery.login_used_at is None
    # The patient's own tap still works afterwards.
    patient = Client(enforce_csrf_checks=True)
    with time_machine.travel(LATER, tick=False):
        assert tap(patient, login_path)["Location"] == "/log/"


def test_one_tap_post_logs_in_for_an_hour_and_opens_todays_log(login_path, scheduled):
    from django.contrib.sessions.models import Session
    from django.test import Client

    # A fresh browser from the email app: no cookies, so the GET page must set
    # the CSRF cookie the button's POST needs.
    client = Client(enforce_csrf_checks=True)
    with time_machine.travel(LATER, tick=False):
        page = client.get(login_path)
        assert "csrftoken" in page.cookies
        response = tap(client, login_path)
        assert response.status_code == 302
        assert response["Location"] == "/log/"
        assert client.get("/log/").status_code == 200
        assert int(client.session["_auth_user_id"]) == scheduled.user.pk
        row = Session.objects.get(session_key=client.session.session_key)
    # Ends on the server an hour after the tap, not in two weeks.
    assert row.expire_date == LATER + dt.timedelta(hours=1)
    with time_machine.travel(LATER + dt.timedelta(minutes=61), tick=False):
        assert client.get("/log/").status_code == 302  # to the login page


def test_one_tap_post_without_the_csrf_token_is_refused(login_path):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    with time_machine.travel(LATER, tick=False):
        response = client.post(login_path)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_one_tap_link_reuse_is_refused(client, login_path):
    with time_machine.travel(LATER, tick=False):
        tap(client, login_path)
        client.logout()
        page = client.get(login_path)
        response = client.post(login_path)
    assert page.status_code == response.status_code == 410
    assert "already been used" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_tap_link_tapped_again_while_logged_in_just_opens_the_log(
    client, login_path
):
    with time_machine.travel(LATER, tick=False):
        tap(client, login_path)
        response = client.get(login_path)
    assert response["Location"] == "/log/"


def test_one_tap_link_in_a_password_session_leaves_it_as_it_is(
    client, login_path, scheduled
):
    from apps.accounts.middleware import ONE_TAP_SESSION_KEY

    client.force_login(scheduled.user)
    with time_machine.travel(LATER, tick=False):
        assert client.post(login_path)["Location"] == "/log/"
    assert ONE_TAP_SESSION_KEY not in client.session
    assert ReminderDelivery.objects.get().login_used_at is None


def test_one_tap_link_expires_after_24_hours(client, login_path):
    with time_machine.travel(SENT_AT + dt.timedelta(hours=24, seconds=1), tick=False):
        page = client.get(login_path)
        response = client.post(login_path)
    assert page.status_code == response.status_code == 410
    assert "expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_tap_link_still_works_just_before_24_hours(client, login_path):
    with time_machine.travel(SENT_AT + dt.timedelta(hours=23, minutes=59), tick=False):
        assert tap(client, login_path)["Location"] == "/log/"


def test_tampered_one_tap_link_is_404(client, login_path, other_patient):
    forged = login_path.replace("/log-in/", "/log-in/9").rstrip("/") + "x/"
    assert client.get(forged).status_code == 404
    assert client.post(forged).status_code == 404
    assert "_auth_user_id" not in client.session


def test_link_for_another_patients_delivery_cannot_be_forged(client, other_patient):
    # Signed with the unsubscribe salt: the one-tap view must not accept it.
    token = tokens.unsubscribe_token_make(kind=tokens.REMINDERS, pk=other_patient.pk)
    url = reverse("reminders:one-tap-login", args=[token])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("change", ["password", "email"])
def test_one_tap_link_dies_when_the_password_or_address_changes(
    client, login_path, scheduled, change
):
    user = scheduled.user
    if change == "password":
        user.set_password("a-new-Password-2026")
    else:
        user.email = "new.address@example.org"
    user.save()
    with time_machine.travel(LATER, tick=False):
        page = client.get(login_path)
        response = client.post(login_path)
    assert page.status_code == response.status_code == 404
    assert "_auth_user_id" not in client.session


def test_one_tap_link_refused_for_mfa_accounts(client, login_path, scheduled):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=scheduled.user, type=Authenticator.Type.TOTP, data={}
    )
    with time_machine.travel(LATER, tick=False):
        for response in (client.get(login_path), client.post(login_path)):
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
