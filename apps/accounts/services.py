from __future__ import annotations

import datetime as dt
import secrets

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import signals
from apps.accounts.models import (
    AccessRecord,
    CareInvitation,
    CareLink,
    PatientProfile,
    PhysicianProfile,
    User,
)


@transaction.atomic
def patient_create(
    *, email: str, password: str | None, timezone_name: str = "UTC", **profile
) -> PatientProfile:
    """A patient user with a profile; the email counts as verified (for staff and demo use)."""
    user = User.objects.create_user(
        email=email, password=password, role=User.Role.PATIENT
    )
    EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=True
    )
    return PatientProfile.objects.create(user=user, timezone=timezone_name, **profile)


@transaction.atomic
def physician_create(
    *, email: str, password: str | None, first_name: str = "", last_name: str = ""
) -> PhysicianProfile:
    """A physician account; only staff and `createphysician` make these."""
    user = User.objects.create_user(
        email=email,
        password=password,
        role=User.Role.PHYSICIAN,
        first_name=first_name,
        last_name=last_name,
    )
    EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=True
    )
    return PhysicianProfile.objects.create(user=user)


def care_link_create(
    *, patient: PatientProfile, physician: PhysicianProfile
) -> CareLink:
    """Let physician see patient's diary; idempotent while a link is active."""
    link, _ = CareLink.objects.get_or_create(
        patient=patient, physician=physician, revoked_at=None
    )
    return link


def care_link_revoke(*, patient: PatientProfile, link_id: int) -> bool:
    """End a physician's access; True if an active link was revoked."""
    return bool(
        CareLink.objects.filter(pk=link_id, patient=patient, revoked_at=None).update(
            revoked_at=timezone.now()
        )
    )


# Invitations: the patient hands a code to a physician (in person or as a link).
INVITATION_DAYS = 14
# No 0/O or 1/I/L: the code is read aloud and typed on a phone.
INVITATION_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITATION_LENGTH = 8


class InvitationError(Exception):
    """The code cannot be used: unknown, expired, already used or cancelled."""


def invitation_normalise(code: str) -> str:
    """Upper-case, without the spaces and dashes people type between groups."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def invitation_create(
    *, patient: PatientProfile, now: dt.datetime, days: int = INVITATION_DAYS
) -> CareInvitation:
    """A fresh single-use code for patient, valid for `days` days from now."""
    while True:
        code = "".join(
            secrets.choice(INVITATION_ALPHABET) for _ in range(INVITATION_LENGTH)
        )
        # 31^8 ≈ 8.5e11 codes: a clash is rare, but unique=True would 500 on one.
        if not CareInvitation.objects.filter(code=code).exists():
            break
    return CareInvitation.objects.create(
        patient=patient, code=code, expires_at=now + dt.timedelta(days=days)
    )


@transaction.atomic
def invitation_accept(
    *, physician: PhysicianProfile, code: str, now: dt.datetime
) -> CareLink:
    """Turn an open invitation into an active CareLink; raises InvitationError."""
    invitation = (
        CareInvitation.objects.select_for_update()
        .select_related("patient")
        .filter(code=invitation_normalise(code))
        .first()
    )
    if invitation is None:
        raise InvitationError(_("That code is not known. Check it with your patient."))
    if invitation.cancelled_at is not None:
        raise InvitationError(_("The patient has withdrawn that invitation."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("That code has already been used."))
    if invitation.expires_at <= now:
        raise InvitationError(
            _("That code has expired. Ask your patient for a new one.")
        )
    invitation.accepted_at = now
    invitation.accepted_by = physician
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return care_link_create(patient=invitation.patient, physician=physician)


def invitation_cancel(*, patient: PatientProfile, invitation_id: int) -> bool:
    """Withdraw an unused invitation; True if one was open."""
    return bool(
        CareInvitation.objects.filter(
            pk=invitation_id,
            patient=patient,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
        ).update(cancelled_at=timezone.now())
    )


def access_record(
    *, patient: PatientProfile, viewer: User, what: str, detail: str = ""
) -> AccessRecord:
    """Log that `viewer` opened patient's data (shown to the patient on their profile)."""
    return AccessRecord.objects.create(
        patient=patient, viewer=viewer, what=what, detail=detail[:64]
    )


@transaction.atomic
def account_erase(*, user: User) -> None:
    """Delete a patient's account with everything about them, history included.

    Cascades remove the profile, diary, episodes, migrations, events, care
    links and invitations. simple_history's tables have no foreign keys to the
    rows they copy, and the cascade itself writes "deleted" history rows, so
    those are removed afterwards, inside the same transaction. The user's
    sessions (they hold the email address) and the admin's log entries about
    any of these rows (their text names the patient) go too.
    """
    patient = getattr(user, "patient", None)
    user_id = user.pk
    sessions_end(user=user)
    _admin_log_erase(user)
    user.delete()
    if patient is not None:
        PatientProfile.history.filter(id=patient.pk).delete()
    # Changes this user made to other records stay, without naming them.
    PatientProfile.history.filter(history_user_id=user_id).update(history_user=None)
    signals.patient_erased.send(
        sender=User,
        patient_id=patient.pk if patient is not None else None,
        user_id=user_id,
    )


def patient_settings_save(*, form) -> PatientProfile:
    """Save a PatientProfileForm; the apps above hear of it (the next reminder moves)."""
    profile = form.save()
    signals.patient_settings_changed.send(sender=PatientProfile, patient_id=profile.pk)
    return profile


def _admin_log_erase(user: User) -> None:
    """Delete the admin's LogEntry rows about `user` and every row deleted with them.

    The admin's own collector lists what the cascade will delete; LogEntry
    points at objects by content type and id, with no foreign key to follow.
    """
    from django.contrib.admin.models import LogEntry
    from django.contrib.admin.utils import NestedObjects
    from django.contrib.contenttypes.models import ContentType
    from django.db import router

    collector = NestedObjects(using=router.db_for_write(User))
    collector.collect([user])
    for model, instances in collector.data.items():
        content_type = ContentType.objects.get_for_model(model)
        if not LogEntry.objects.filter(content_type=content_type).exists():
            continue  # the usual case: staff never edited such rows
        ids = [str(obj.pk) for obj in instances]
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            LogEntry.objects.filter(
                content_type=content_type, object_id__in=ids[start : start + 500]
            ).delete()


# Sessions: allauth.usersessions keeps which session key is whose, so a
# user's sessions can be ended without reading every session in the store.


def session_track(*, request: HttpRequest, user: User) -> None:
    """Remember that the session just logged in belongs to `user` (any login path)."""
    if not request.META.get("REMOTE_ADDR"):
        # No client to record: the test client's force_login, a shell.
        return
    UserSession.objects.create_from_request(request, user=user)


def sessions_end(*, user: User, keep: str | None = None) -> int:
    """End every session of `user` but the one with key `keep`; returns how many.

    Called when two-factor is turned on or the password changes (whoever held
    another session may be the reason) and when the account is deleted.
    """
    ended = 0
    for session in UserSession.objects.filter(user=user).exclude(session_key=keep):
        session.end()
        ended += 1
    return ended
