"""The admin site, signed in through allauth and only after a second factor."""

from __future__ import annotations

from functools import update_wrapper

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from apps.accounts.decorators import mfa_session_required

STAFF_MFA_WHY = (
    "The admin reaches every patient's account: set up two-factor "
    "authentication to open it."
)


class AdminSite(admin.AdminSite):
    """Django's admin with allauth's login (rate limits, MFA) and an MFA gate.

    Django's own admin login form checks the password alone and is never
    shown: allauth's secure_admin_login sends anonymous visitors to allauth's
    login, and a signed-in staff member must have passed a second factor in
    this session (STAFF_MFA_REQUIRED).
    """

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def gated(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            refused = _staff_mfa_refusal(request)
            return refused or inner(request, *args, **kwargs)

        return update_wrapper(gated, inner)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        return secure_admin_login(_staff_signed_in)(request)


def _staff_mfa_refusal(request: HttpRequest) -> HttpResponse | None:
    user = request.user
    if not (user.is_active and user.is_staff) or not settings.STAFF_MFA_REQUIRED:
        return None
    return mfa_session_required(request, STAFF_MFA_WHY)


def _staff_signed_in(request: HttpRequest) -> HttpResponse:
    # secure_admin_login lets only active staff get here; where they go next.
    refused = _staff_mfa_refusal(request)
    if refused is not None:
        return refused
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "admin:index"
    return redirect(next_url)
