from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts import selectors, services
from apps.accounts.decorators import patient_required, public
from apps.accounts.forms import TIMEZONE_NAMES, PatientProfileForm, TrackedJointsForm
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
