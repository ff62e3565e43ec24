from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import CareLink, PatientProfile, PhysicianProfile, User


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
