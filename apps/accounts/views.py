from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts import services
from apps.accounts.decorators import patient_required, public
from apps.accounts.forms import AccountDeleteForm, LanguageForm
from apps.accounts.middleware import language_cookie_set, one_tap_allowed


@one_tap_allowed
@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """One landing address that routes by role."""
    user = request.user
    if not user.is_authenticated:
        return redirect("account_login")
    if user.is_physician:
        return redirect("dashboard:index")
    if user.is_patient and hasattr(user, "patient"):
        return redirect("diary:today")
    if user.is_staff:
        return redirect("admin:index")
    return redirect("account_logout")


@patient_required
@require_POST
def care_link_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    if services.care_link_revoke(patient=request.patient, link_id=link_id):
        messages.success(request, _("That physician can no longer see your diary."))
    return redirect("patient:profile")


@patient_required
@require_POST
def invitation_create(request: HttpRequest) -> HttpResponse:
    invitation = services.invitation_create(patient=request.patient, now=timezone.now())
    messages.success(
        request,
        _("Give your physician the code %(code)s. It works once, until %(date)s.")
        % {
            "code": invitation.code,
            "date": date_format(invitation.expires_at, "j M Y"),
        },
    )
    return redirect("patient:profile")


@patient_required
@require_POST
def invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    if services.invitation_cancel(patient=request.patient, invitation_id=invitation_id):
        messages.success(request, _("That invitation code no longer works."))
    return redirect("patient:profile")


@patient_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Erase the account and the whole diary, after the patient re-enters their password."""
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_erase(user=request.user)
        logout(request)
        messages.success(
            request,
            _(
                "Your account, your diary with its history, your episodes and every "
                "physician's access to them have been erased."
            ),
        )
        return redirect("account_login")
    status = 422 if form.errors else 200
    return render(
        request, "accounts/account_delete.html", {"form": form}, status=status
    )


@public
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The footer's language switch: a cookie for everyone, kept on the account when logged in."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    language_cookie_set(response, language)
    return response
