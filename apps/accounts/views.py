from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts import selectors, services
from apps.accounts.decorators import patient_required, public
from apps.accounts.forms import (
    TIMEZONE_NAMES,
    AccountDeleteForm,
    LanguageForm,
    PatientProfileForm,
    TrackedJointsForm,
)
from apps.diary import selectors as diary_selectors
from apps.diary import services as diary_services
from apps.reminders.services import reminder_schedule_refresh


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
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    patient = request.patient
    tracked = diary_selectors.tracked_joints(patient=patient)
    form = PatientProfileForm(instance=patient)
    joints_form = TrackedJointsForm(initial={"joints": tracked})
    if request.method == "POST":
        if "save_joints" in request.POST:
            joints_form = TrackedJointsForm(request.POST)
            if joints_form.is_valid():
                diary_services.joints_track_set(
                    patient=patient, joints=list(joints_form.cleaned_data["joints"])
                )
                messages.success(request, _("Your tracked joints are saved."))
                return redirect("accounts:profile")
        else:
            form = PatientProfileForm(request.POST, instance=patient)
            if form.is_valid():
                form.save()
                reminder_schedule_refresh(patient_id=patient.pk)
                # The message below is already in the language just chosen.
                translation.activate(request.user.language or request.LANGUAGE_CODE)
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:profile")
    context = {
        "form": form,
        "joints_form": joints_form,
        "care_links": selectors.care_links_for_patient(patient=patient),
        "invitations": selectors.open_invitations(patient=patient, now=timezone.now()),
        "access_records": selectors.access_records_for_patient(patient=patient),
        "timezone_names": TIMEZONE_NAMES,
    }
    status = 422 if form.errors or joints_form.errors else 200
    return render(request, "accounts/profile.html", context, status=status)


@patient_required
@require_POST
def care_link_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    if services.care_link_revoke(patient=request.patient, link_id=link_id):
        messages.success(request, _("That physician can no longer see your diary."))
    return redirect("accounts:profile")


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
    return redirect("accounts:profile")


@patient_required
@require_POST
def invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    if services.invitation_cancel(patient=request.patient, invitation_id=invitation_id):
        messages.success(request, _("That invitation code no longer works."))
    return redirect("accounts:profile")


@patient_required
@require_GET
def data_export(request: HttpRequest) -> HttpResponse:
    """Everything we hold about the patient, as one JSON file."""
    data = selectors.patient_data_export(patient=request.patient)
    response = JsonResponse(data, json_dumps_params={"indent": 1})
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="tmo-tracker-{stamp}.json"'
    return response


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
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
