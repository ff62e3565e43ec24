from __future__ import annotations

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

PUBLIC = "public"


def public(view):
    """Mark a view as reachable without login (the URL access test expects it)."""
    view.access = PUBLIC
    return view


def patient_required(view):
    """Logged-in patients only; sets request.patient. Physicians and staff get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_patient or not hasattr(request.user, "patient"):
            raise PermissionDenied("This page is for patients.")
        request.patient = request.user.patient
        return view(request, *args, **kwargs)

    wrapper.access = "patient"  # read by the URL access test
    return wrapper


def physician_required(view):
    """Logged-in physicians with two-factor set up; sets request.physician."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_physician or not hasattr(request.user, "physician"):
            raise PermissionDenied("This page is for physicians.")
        if settings.PHYSICIAN_MFA_REQUIRED and not is_mfa_enabled(request.user):
            messages.warning(
                request,
                _(
                    "Patients' diaries are health data: set up two-factor "
                    "authentication to open them."
                ),
            )
            return redirect("mfa_activate_totp")
        request.physician = request.user.physician
        return view(request, *args, **kwargs)

    wrapper.access = "physician"  # read by the URL access test
    return wrapper
