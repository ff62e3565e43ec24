from __future__ import annotations

import datetime as dt

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts import services as account_services
from apps.accounts.decorators import patient_required, physician_required
from apps.accounts.forms import PatientProfileForm
from apps.accounts.middleware import one_tap_allowed
from apps.accounts.models import AccessRecord, PatientProfile
from apps.accounts.selectors import patient_for_physician_or_404
from apps.core.http import HtmxHttpRequest
from apps.core.vocabulary import diary_range
from apps.dashboard import exports, selectors, services
from apps.dashboard.forms import (
    ClinicalEventForm,
    InvitationAcceptForm,
    NoteForm,
    StoppedLoggingForm,
)
from apps.diary import selectors as diary_selectors
from apps.diary import services as diary_services
from apps.diary.forms import TrackedJointsForm


def _today() -> dt.date:
    return timezone.localdate()


def _patient_today(patient: PatientProfile) -> dt.date:
    # The patient's own calendar day: their diary is kept in their time zone.
    return patient.local_date(timezone.now())


# Physician: triage table ------------------------------------------------------


def _triage_context(request: HttpRequest) -> dict:
    flag = request.GET.get("flag", "")
    query = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    page, rows, counts = selectors.triage_page(
        physician=request.physician,
        today=_today(),
        flag=flag,
        query=query,
        sort=sort,
        page=request.GET.get("page", 1),
    )
    return {
        "page": page,
        "rows": rows,
        "counts": counts,
        "flags": [(f, selectors.FLAG_NAMES[f], counts[f]) for f in selectors.FLAGS],
        "flag": flag if flag in selectors.FLAGS else "",
        "q": query,
        "sort": sort,
        "columns": selectors.sort_columns(sort=sort),
    }


@physician_required
@require_GET
@vary_on_headers("HX-Request")
def index(request: HtmxHttpRequest) -> HttpResponse:
    context = _triage_context(request)
    template = "dashboard/index.html"
    if request.htmx:
        template += (
            "#patient-table"  # filter, search, sort and paging swap only the table
        )
    else:
        context["accept_form"] = InvitationAcceptForm()
        context["stopped_form"] = StoppedLoggingForm(
            initial={"stopped_logging_days": request.physician.stopped_logging_days}
        )
    return render(request, template, context)


@physician_required
@require_POST
@vary_on_headers("HX-Request")
def stopped_logging_set(request: HtmxHttpRequest) -> HttpResponse:
    form = StoppedLoggingForm(request.POST)
    if form.is_valid():
        services.stopped_logging_days_set(
            physician=request.physician,
            days=form.cleaned_data["stopped_logging_days"],
        )
    elif not request.htmx:
        messages.error(request, _("Choose between 1 and 60 days."))
    if request.htmx:
        return render(
            request, "dashboard/index.html#patient-table", _triage_context(request)
        )
    return redirect("dashboard:index")


@physician_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, code: str = "") -> HttpResponse:
    """GET shows the code to confirm (a link must never link by itself); POST links."""
    form = InvitationAcceptForm(request.POST or None, initial={"code": code})
    if request.method == "POST" and form.is_valid():
        try:
            link = account_services.invitation_accept(
                physician=request.physician,
                code=form.cleaned_data["code"],
                now=timezone.now(),
            )
        except account_services.InvitationError as e:
            form.add_error("code", str(e))
        else:
            messages.success(
                request,
                _("%(name)s shares their diary with you.")
                % {"name": link.patient.user.display_name},
            )
            return redirect("dashboard:patient", link.patient_id)
    status = 422 if form.errors else 200
    return render(
        request,
        "dashboard/invitation_accept.html",
        {"form": form, "code": code},
        status=status,
    )


# Physician: one patient -------------------------------------------------------


def _linked(request: HttpRequest, patient_id: int) -> PatientProfile:
    return patient_for_physician_or_404(
        physician=request.physician, patient_id=patient_id
    )


@physician_required
@require_GET
@vary_on_headers("HX-Request")
def patient_detail(request: HtmxHttpRequest, patient_id: int) -> HttpResponse:
    patient = _linked(request, patient_id)
    today = _patient_today(patient)
    days = diary_range(request.GET.get("days"))
    diary_url = reverse("dashboard:patient", args=[patient.pk])
    # htmx changes only the diary range and skips the figure. Still a read of
    # the diary, so the patient sees it among who looked.
    account_services.access_record(
        patient=patient,
        viewer=request.user,
        what=AccessRecord.What.COURSE,
        detail=f"diary, {days} days" if request.htmx else "",
    )
    if request.htmx:
        return _diary_table(
            request, patient=patient, today=today, days=days, url=diary_url
        )
    context = _patient_page(request.physician, request.user, patient, today, days)
    context["diary_url"] = diary_url
    return render(request, "dashboard/patient_detail.html", context)


def _patient_page(
    physician, viewer, patient: PatientProfile, today: dt.date, days: int
) -> dict:
    """The course (as the patient sees it) with the physician's own part: their
    notes, the clinical events with what `viewer` may do to each, and the forms."""
    context = selectors.course_page(patient=patient, today=today, days=days)
    events = context["bundle"].events
    context.update(
        {
            "notes": selectors.notes_for(physician=physician, patient=patient),
            "note_form": NoteForm(),
            "event_form": ClinicalEventForm(today=today),
            "event_action": reverse("dashboard:event-create", args=[patient.pk]),
            "event_rows": selectors.event_rows(
                events=events, patient=patient, viewer=viewer
            ),
        }
    )
    return context


@physician_required
@require_POST
@vary_on_headers("HX-Request")
def migration_acknowledge(
    request: HtmxHttpRequest, patient_id: int, migration_id: int
) -> HttpResponse:
    patient = _linked(request, patient_id)
    migration = selectors.migration_for_patient_or_none(
        patient=patient, migration_id=migration_id
    )
    if migration is None:
        raise Http404("No such migration.")
    migration = services.migration_acknowledge(
        migration=migration, user=request.user, today=_patient_today(patient)
    )
    if request.htmx:
        return render(
            request,
            "dashboard/patient_detail.html#migration-row",
            {"m": migration, "patient": patient},
        )
    return redirect("dashboard:patient", patient.pk)


@physician_required
@require_POST
def note_create(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _linked(request, patient_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.physician_note_create(
            physician=request.physician, patient=patient, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Note saved."))
    else:
        messages.error(request, _("A note needs some text (up to 5,000 characters)."))
    return redirect(f"{reverse('dashboard:patient', args=[patient.pk])}#notes")


@physician_required
@require_POST
def physician_event_create(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _linked(request, patient_id)
    _event_create(request, patient=patient)
    return redirect(f"{reverse('dashboard:patient', args=[patient.pk])}#events")


@physician_required
@require_POST
def physician_event_delete(
    request: HttpRequest, patient_id: int, event_id: int
) -> HttpResponse:
    patient = _linked(request, patient_id)
    if not services.clinical_event_delete(
        patient=patient, event_id=event_id, user=request.user
    ):
        raise Http404(
            "No such event."
        )  # or the patient's own: not the physician's to remove
    return redirect(f"{reverse('dashboard:patient', args=[patient.pk])}#events")


def _event_create(request: HttpRequest, *, patient: PatientProfile) -> None:
    form = ClinicalEventForm(request.POST, today=_patient_today(patient))
    if form.is_valid():
        data = form.cleaned_data
        services.clinical_event_create(
            patient=patient,
            user=request.user,
            kind=data["kind"],
            date=data["date"],
            joint_code=data["joint"],
            oedema=data["oedema"],
            detail=data["detail"],
        )
        messages.success(request, _("Added to the timeline."))
    else:
        errors = "; ".join(
            f"{form.fields[f].label or f}: {' '.join(e)}"
            if f != "__all__"
            else " ".join(e)
            for f, e in form.errors.items()
        )
        messages.error(request, _("Nothing was added. %(errors)s") % {"errors": errors})


@physician_required
@require_GET
def physician_export(request: HttpRequest, patient_id: int, fmt: str) -> HttpResponse:
    patient = _linked(request, patient_id)
    response = exports.export_response(request, patient=patient, fmt=fmt)
    account_services.access_record(
        patient=patient, viewer=request.user, what=AccessRecord.What.EXPORT, detail=fmt
    )
    return response


# Patient: own course, events and exports --------------------------------------


@one_tap_allowed
@patient_required
@require_GET
@vary_on_headers("HX-Request")
def course(request: HtmxHttpRequest) -> HttpResponse:
    """The patient's own course: timeline, body map, migrations, events, recent days."""
    patient = request.patient
    today = _patient_today(patient)
    days = diary_range(request.GET.get("days"))
    diary_url = reverse("patient:course")
    if request.htmx:
        # The range chips swap only the table; the chart stays as drawn.
        return _diary_table(
            request, patient=patient, today=today, days=days, url=diary_url
        )
    context = selectors.course_page(patient=patient, today=today, days=days)
    context |= {
        "event_form": ClinicalEventForm(today=today),
        "event_action": reverse("patient:event-create"),
        "event_rows": selectors.event_rows(
            events=context["bundle"].events, patient=patient, viewer=request.user
        ),
        "diary_url": diary_url,
        "day_links": True,  # the patient can open a day to correct it
    }
    return render(request, "dashboard/course.html", context)


def _diary_table(
    request: HttpRequest,
    *,
    patient: PatientProfile,
    today: dt.date,
    days: int,
    url: str,
) -> HttpResponse:
    bundle = selectors.course_bundle(patient=patient, today=today)
    context = selectors.diary_table(bundle=bundle, days=days) | {
        "diary_url": url,
        "day_links": request.user.is_patient,
    }
    return render(request, "components/diary_table.html#diary-table", context)


@patient_required
@require_POST
def patient_event_create(request: HttpRequest) -> HttpResponse:
    _event_create(request, patient=request.patient)
    return redirect(f"{reverse('patient:course')}#events")


@patient_required
@require_POST
def patient_event_delete(request: HttpRequest, event_id: int) -> HttpResponse:
    if not services.clinical_event_delete(
        patient=request.patient, event_id=event_id, user=request.user
    ):
        # Someone else's event, or one the physician entered: as if there were none.
        raise Http404("No such event.")
    return redirect(f"{reverse('patient:course')}#events")


@patient_required
@require_GET
def patient_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return exports.export_response(request, patient=request.patient, fmt=fmt)


# Patient: profile and full data export ------------------------------------------


@patient_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The patient's settings, tracked joints, and who can see the diary."""
    patient = request.patient
    form = PatientProfileForm(instance=patient)
    tracked = diary_selectors.tracked_joints(patient=patient)
    joints_form = TrackedJointsForm(initial={"joints": tracked})
    if request.method == "POST" and "save_joints" in request.POST:
        joints_form = TrackedJointsForm(request.POST)
        if joints_form.is_valid():
            joints = list(joints_form.cleaned_data["joints"])
            diary_services.joints_track_set(patient=patient, joints=joints)
            messages.success(request, _("Your tracked joints are saved."))
            return redirect("patient:profile")
    elif request.method == "POST":
        form = PatientProfileForm(request.POST, instance=patient)
        if form.is_valid():
            account_services.patient_settings_save(form=form)
            # The message below is already in the language just chosen.
            translation.activate(request.user.language or request.LANGUAGE_CODE)
            messages.success(request, _("Your profile is saved."))
            return redirect("patient:profile")
    context = selectors.profile_page(patient=patient, now=timezone.now())
    context |= {"form": form, "joints_form": joints_form}
    status = 422 if form.errors or joints_form.errors else 200
    return render(request, "dashboard/profile.html", context, status=status)


@patient_required
@require_GET
# The whole record in one file: the password again first (allauth's
# reauthentication, good for 5 minutes), so a borrowed session cannot take it.
@reauthentication_required
def data_export(request: HttpRequest) -> HttpResponse:
    """Everything we hold about the patient, as one JSON file."""
    data = exports.patient_data_export(patient=request.patient)
    response = JsonResponse(data, json_dumps_params={"indent": 1})
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="tmo-tracker-{stamp}.json"'
    return response
