"""Linking starts with the patient: invitation codes, accepting, expiry, revoking."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.accounts import services
from apps.accounts.models import CareInvitation, CareLink

pytestmark = pytest.mark.django_db


def _invite(client_as, patient) -> CareInvitation:
    client_as(patient).post(reverse("accounts:invitation-create"))
    return CareInvitation.objects.get(patient=patient)


def test_patient_creates_a_code_shown_on_the_profile(client_as, patient):
    invitation = _invite(client_as, patient)
    assert len(invitation.code) == services.INVITATION_LENGTH
    assert invitation.expires_at - invitation.created_at >= dt.timedelta(
        days=13, hours=23
    )
    html = client_as(patient).get(reverse("patient:profile")).content.decode()
    assert invitation.code in html
    assert reverse("dashboard:invitation-accept", args=[invitation.code]) in html


def test_physician_accepts_by_typing_the_code(client_as, patient, unlinked_physician):
    invitation = _invite(client_as, patient)
    typed = invitation.code.lower()[:4] + "-" + invitation.code.lower()[4:]
    response = client_as(unlinked_physician).post(
        reverse("dashboard:invitation-accept-form"), {"code": typed}
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard:patient", args=[patient.pk])
    assert CareLink.objects.filter(
        patient=patient, physician=unlinked_physician, revoked_at=None
    ).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == unlinked_physician


def test_opening_the_link_only_asks_for_confirmation(
    client_as, patient, unlinked_physician
):
    invitation = _invite(client_as, patient)
    url = reverse("dashboard:invitation-accept", args=[invitation.code])
    response = client_as(unlinked_physician).get(url)
    assert response.status_code == 200
    assert invitation.code in response.content.decode()
    assert not CareLink.objects.filter(physician=unlinked_physician).exists()


def test_a_code_works_once(client_as, patient, unlinked_physician, physician):
    invitation = _invite(client_as, patient)
    services.invitation_accept(
        physician=unlinked_physician, code=invitation.code, now=timezone.now()
    )
    response = client_as(physician).post(
        reverse("dashboard:invitation-accept-form"), {"code": invitation.code}
    )
    assert response.status_code == 422
    assert "already been used" in response.content.decode()


def test_expired_code_is_refused(client_as, patient, unlinked_physician):
    invitation = _invite(client_as, patient)
    with time_machine.travel(invitation.expires_at + dt.timedelta(seconds=1)):
        response = client_as(unlinked_physician).post(
            reverse("dashboard:invitation-accept-form"), {"code": invitation.code}
        )
    assert response.status_code == 422
    assert "expired" in response.content.decode()
    assert not CareLink.objects.filter(physician=unlinked_physician).exists()


def test_code_still_works_just_before_it_expires(patient, unlinked_physician):
    invitation = services.invitation_create(patient=patient, now=timezone.now())
    link = services.invitation_accept(
        physician=unlinked_physician,
        code=invitation.code,
        now=invitation.expires_at - dt.timedelta(seconds=1),
    )
    assert link.patient == patient


def test_unknown_code_is_refused(client_as, unlinked_physician):
    response = client_as(unlinked_physician).post(
        reverse("dashboard:invitation-accept-form"), {"code": "NOPE1234"}
    )
    assert response.status_code == 422
    assert "not known" in response.content.decode()


def test_patient_cancels_an_unused_code(client_as, patient, unlinked_physician):
    invitation = _invite(client_as, patient)
    client_as(patient).post(reverse("accounts:invitation-cancel", args=[invitation.pk]))
    with pytest.raises(services.InvitationError, match="withdrawn"):
        services.invitation_accept(
            physician=unlinked_physician, code=invitation.code, now=timezone.now()
        )


def test_patient_cannot_cancel_someone_elses_code(client_as, patient, other_patient):
    invitation = _invite(client_as, patient)
    client_as(other_patient).post(
        reverse("accounts:invitation-cancel", args=[invitation.pk])
    )
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_patient_revokes_access_and_the_physician_loses_the_patient(
    client_as, patient, unlinked_physician
):
    invitation = _invite(client_as, patient)
    link = services.invitation_accept(
        physician=unlinked_physician, code=invitation.code, now=timezone.now()
    )
    client = client_as(unlinked_physician)
    assert (
        client.get(reverse("dashboard:patient", args=[patient.pk])).status_code == 200
    )
    client_as(patient).post(reverse("accounts:link-revoke", args=[link.pk]))
    client = client_as(unlinked_physician)
    assert (
        client.get(reverse("dashboard:patient", args=[patient.pk])).status_code == 404
    )
    assert (
        patient.user.email
        not in client.get(reverse("dashboard:index")).content.decode()
    )


def test_only_physicians_accept_codes(client_as, patient, other_patient):
    invitation = _invite(client_as, patient)
    response = client_as(other_patient).post(
        reverse("dashboard:invitation-accept-form"), {"code": invitation.code}
    )
    assert response.status_code == 403
