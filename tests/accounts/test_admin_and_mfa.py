"""Admin login through allauth with a second factor; sessions ended on security changes."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from apps.accounts.models import CareLink
from tests.factories import PASSWORD, UserFactory, mfa_login, totp_code, totp_enable

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db, settings):
    settings.STAFF_MFA_REQUIRED = True
    return UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)


def password_login(client: Client, email: str) -> Client:
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response
    return client


def test_the_admin_sends_anonymous_visitors_to_allauths_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"


def test_django_admins_own_login_form_logs_nobody_in(client, staff):
    # It checked the password alone: no rate limit, no second factor.
    response = client.post(
        "/admin/login/", {"username": "staff@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_staff_with_totp_need_the_code_to_sign_in(client, staff):
    totp_enable(staff)
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session


def test_wrong_staff_passwords_are_throttled(client, staff):
    for _ in range(5):
        client.post("/accounts/login/", {"login": staff.email, "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": staff.email, "password": PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()


def test_staff_without_totp_must_set_it_up_before_the_admin(client, staff):
    password_login(client, staff.email)
    for url in ("/admin/", "/admin/accounts/user/", "/admin/login/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/accounts/2fa/totp/activate/", url


def test_a_staff_session_without_the_code_must_enter_it(client, staff):
    password_login(client, staff.email)
    secret = totp_enable(staff)  # set up elsewhere after this session began
    response = client.get("/admin/")
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2F"
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert client.get("/admin/").status_code == 200


def test_staff_signed_in_with_totp_use_the_admin(client, staff):
    mfa_login(client, staff, totp_enable(staff))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/?next=/admin/accounts/")["Location"] == (
        "/admin/accounts/"
    )


def test_the_admin_cannot_grant_or_change_diary_access(client, staff, physician):
    mfa_login(client, staff, totp_enable(staff))
    link = CareLink.objects.get()
    assert client.get("/admin/accounts/carelink/").status_code == 200
    assert client.get("/admin/accounts/carelink/add/").status_code == 403
    response = client.post(
        f"/admin/accounts/carelink/{link.pk}/change/", {"revoked_at_0": ""}
    )
    assert response.status_code == 403
    assert client.post(f"/admin/accounts/carelink/{link.pk}/delete/").status_code == 403
    page = client.get(f"/admin/accounts/carelink/{link.pk}/change/")
    assert page.status_code == 200  # view only
    assert 'name="_save"' not in page.content.decode()


# allauth reports the new authenticator on commit, inside the request: a real
# transaction, not the test's enclosing one.
@pytest.mark.django_db(transaction=True)
def test_turning_on_totp_ends_the_other_sessions(patient, mailoutbox):
    phone, laptop = Client(), Client()
    password_login(phone, patient.user.email)
    password_login(laptop, patient.user.email)
    laptop.post("/accounts/reauthenticate/", {"password": PASSWORD})
    laptop.get("/accounts/2fa/totp/activate/")
    secret = laptop.session["mfa.totp.secret"]
    response = laptop.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()
    assert phone.get("/log/").status_code == 302  # to the login page
    assert laptop.get("/log/").status_code == 200
    assert any("Authenticator App Activated" in m.subject for m in mailoutbox)


def test_a_new_password_ends_the_other_sessions_and_is_emailed(patient, mailoutbox):
    phone, laptop = Client(), Client()
    password_login(phone, patient.user.email)
    password_login(laptop, patient.user.email)
    response = laptop.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-New-password-2026",
            "password2": "a-New-password-2026",
        },
    )
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()
    assert phone.get("/log/").status_code == 302
    assert laptop.get("/log/").status_code == 200
    assert [m.subject for m in mailoutbox if "Password Changed" in m.subject]


def test_adding_an_address_needs_the_password_and_tells_the_current_one(
    client, patient, mailoutbox
):
    from allauth.account.models import EmailAddress

    password_login(client, patient.user.email)
    add = {"action_add": "", "email": "second@example.org"}
    response = client.post("/accounts/email/", add)
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="second@example.org").exists()
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.post("/accounts/email/", add)
    assert EmailAddress.objects.filter(email="second@example.org").exists()
    told = [m for m in mailoutbox if m.to == ["pat@example.org"]]
    assert told
    assert "second@example.org was added to your account" in told[-1].body
