"""The two links in every reminder: one-tap login and one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from allauth.mfa.utils import is_mfa_enabled
from django.core import signing
from django.utils import timezone

from apps.accounts.models import PatientProfile, PhysicianProfile, User
from apps.reminders import tokens
from apps.reminders.models import ReminderDelivery
from apps.reminders.services.reminders import reminder_schedule_refresh

LOGIN_LINK_MAX_AGE = dt.timedelta(hours=24)


class OneTapStatus(enum.StrEnum):
    OK = "ok"
    USED = "used"
    EXPIRED = "expired"
    INVALID = "invalid"
    # MFA, staff and physician accounts must not be opened by an emailed link.
    NEEDS_LOGIN = "needs_login"


@dataclass(frozen=True)
class OneTap:
    status: OneTapStatus
    user: User | None = None


def one_tap_login_check(*, token: str, now: dt.datetime | None = None) -> OneTap:
    """What a one-tap link would do, without using it: a GET (a mail scanner's
    too) only looks. OK carries the user the link would log in."""
    status, delivery = _one_tap_read(token=token, now=now or timezone.now())
    if status is OneTapStatus.OK and delivery.login_used_at is not None:
        status = OneTapStatus.USED
    return OneTap(status, delivery.patient.user if delivery else None)


def one_tap_login_redeem(*, token: str, now: dt.datetime | None = None) -> OneTap:
    """Check a one-tap link (24 h, single use) and mark it used; OK carries the user to log in."""
    now = now or timezone.now()
    status, delivery = _one_tap_read(token=token, now=now)
    if status is not OneTapStatus.OK:
        return OneTap(status, delivery.patient.user if delivery else None)
    # The used-marker is set with a conditional UPDATE so two simultaneous taps
    # cannot both log in.
    won = ReminderDelivery.objects.filter(
        pk=delivery.pk, login_used_at__isnull=True
    ).update(login_used_at=now)
    return OneTap(OneTapStatus.OK if won else OneTapStatus.USED, delivery.patient.user)


def _one_tap_read(
    *, token: str, now: dt.datetime
) -> tuple[OneTapStatus, ReminderDelivery | None]:
    try:
        delivery_id, fingerprint = tokens.login_token_read(
            token, max_age=LOGIN_LINK_MAX_AGE
        )
    except signing.SignatureExpired:
        return OneTapStatus.EXPIRED, None
    except signing.BadSignature:
        return OneTapStatus.INVALID, None
    delivery = (
        ReminderDelivery.objects.select_related("patient__user")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or not delivery.patient.user.is_active:
        return OneTapStatus.INVALID, None
    user = delivery.patient.user
    if not tokens.account_fingerprint_matches(user, fingerprint):
        # The password or address changed since the email went out: whoever
        # changed it may have done so because the mailbox was not safe.
        return OneTapStatus.INVALID, None
    if not user.is_patient or user.is_staff or is_mfa_enabled(user):
        return OneTapStatus.NEEDS_LOGIN, delivery
    return OneTapStatus.OK, delivery


@dataclass(frozen=True)
class UnsubscribeTarget:
    kind: str  # tokens.REMINDERS or tokens.DIGEST
    pk: int  # PatientProfile or PhysicianProfile
    email: str
    active: bool  # still switched on


def unsubscribe_target(*, token: str) -> UnsubscribeTarget | None:
    """Whose emails an unsubscribe token switches off, or None if the token is bad."""
    parsed = tokens.unsubscribe_token_read(token)
    if parsed is None:
        return None
    kind, pk = parsed
    if kind == tokens.REMINDERS:
        profile = PatientProfile.objects.select_related("user").filter(pk=pk).first()
        active = profile.reminders_enabled if profile else False
    else:
        profile = PhysicianProfile.objects.select_related("user").filter(pk=pk).first()
        active = profile.digest_enabled if profile else False
    if profile is None:
        return None
    return UnsubscribeTarget(kind=kind, pk=pk, email=profile.user.email, active=active)


def unsubscribe_apply(*, target: UnsubscribeTarget) -> None:
    """Switch the target's emails off; idempotent."""
    if target.kind == tokens.REMINDERS:
        patient = PatientProfile.objects.get(pk=target.pk)
        if patient.reminders_enabled:
            patient.reminders_enabled = False
            # save(), not update(): the profile's history records who turned it off.
            patient.save(update_fields=["reminders_enabled"])
        reminder_schedule_refresh(patient_id=patient.pk)
    else:
        PhysicianProfile.objects.filter(pk=target.pk).update(digest_enabled=False)
