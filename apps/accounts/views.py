from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts import selectors, services
from apps.accounts.decorators import patient_required, public
from apps.accounts.forms import (
    TIMEZONE_NAMES,
    AccountDeleteForm,
    PatientProfileForm,
    TrackedJointsForm,
)
from apps.accounts.middleware import one_tap_allowed
from apps.diary import selectors as diary_selectors
from apps.diary import services as diary_services
from apps.reminders.services import reminder_schedule_refresh


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
                messages.success(request, "Your tracked joints are saved.")
                return redirect("accounts:profile")
        else:
            form = PatientProfileForm(request.POST, instance=patient)
            if form.is_valid():
                form.save()
                reminder_schedule_refresh(patient_id=patient.pk)
                messages.success(request, "Your profile is saved.")
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
        messages.success(request, "That physician can no longer see your diary.")
    return redirect("accounts:profile")


@patient_required
@require_POST
def invitation_create(request: HttpRequest) -> HttpResponse:
    invitation = services.invitation_create(patient=request.patient, now=timezone.now())
    messages.success(
        request,
        f"Give your physician the code {invitation.code}. "
        f"It works once, until {invitation.expires_at:%d %b %Y}.",
    )
    return redirect("accounts:profile")


@patient_required
@require_POST
def invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    if services.invitation_cancel(patient=request.patient, invitation_id=invitation_id):
        messages.success(request, "That invitation code no longer works.")
    return redirect("accounts:profile")


@patient_required
@require_GET
# The whole record in one file: the password again first (allauth's
# reauthentication, good for 5 minutes), so a borrowed session cannot take it.
@reauthentication_required
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
            "Your account, your diary with its history, your episodes and every "
            "physician's access to them have been erased.",
        )
        return redirect("account_login")
    status = 422 if form.errors else 200
    return render(
        request, "accounts/account_delete.html", {"form": form}, status=status
    )
