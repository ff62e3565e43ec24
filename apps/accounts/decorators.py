from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def patient_required(view):
    """Logged-in patients only; sets request.patient. Physicians and staff get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_patient or not hasattr(request.user, "patient"):
            raise PermissionDenied("This page is for patients.")
        request.patient = request.user.patient
        return view(request, *args, **kwargs)

    return wrapper


def physician_required(view):
    """Logged-in physicians only; sets request.physician."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_physician or not hasattr(request.user, "physician"):
            raise PermissionDenied("This page is for physicians.")
        request.physician = request.user.physician
        return view(request, *args, **kwargs)

    return wrapper
