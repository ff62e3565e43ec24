from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
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
        if settings.PHYSICIAN_MFA_REQUIRED:
            refused = mfa_session_required(
                request,
                _(
                    "Patients' diaries are health data: set up two-factor "
                    "authentication to open them."
                ),
            )
            if refused is not None:
                return refused
        request.physician = request.user.physician
        return view(request, *args, **kwargs)

    wrapper.access = "physician"  # read by the URL access test
    return wrapper


def session_passed_mfa(request: HttpRequest) -> bool:
    """Did *this* session enter a second factor (at login, or since)?

    allauth records each method used in the session; an account with TOTP
    is not enough: a session that signed in with the password before TOTP
    was set up never passed it.
    """
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def mfa_session_required(request: HttpRequest, why: str) -> HttpResponse | None:
    """None if the session passed MFA; else where to get it: set up TOTP, or enter a code."""
    if session_passed_mfa(request):
        return None
    query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    if not is_mfa_enabled(request.user):
        messages.warning(request, why)
        return redirect("mfa_activate_totp")  # allauth goes on to the recovery codes
    return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
