from __future__ import annotations

import csv
import datetime as dt
import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts import services as account_services
from apps.accounts.decorators import patient_required, physician_required
from apps.accounts.http import HtmxHttpRequest
from apps.accounts.models import AccessRecord, PatientProfile
from apps.accounts.selectors import patient_for_physician_or_404
from apps.dashboard import fhir, figures, selectors, services
from apps.dashboard.forms import (
    ClinicalEventForm,
    InvitationAcceptForm,
    NoteForm,
    StoppedLoggingForm,
)
from apps.diary.anatomy import JOINTS
from apps.diary.models import joint_label

SORT_COLUMNS = (
    ("name", gettext_lazy("Patient")),
    ("urgency", gettext_lazy("Urgency")),
    ("last", gettext_lazy("Days since log")),
    ("joint", gettext_lazy("Worst joint")),
    ("phase", gettext_lazy("Phase")),
    ("month", gettext_lazy("Month")),
)


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
    current = sort.lstrip("-")
    columns = []
    for key, label in SORT_COLUMNS:
        # Clicking the current column flips it; a new column starts with its most useful end.
        if key == current:
            next_sort = key if sort.startswith("-") else f"-{key}"
        else:
            next_sort = f"-{key}" if key in ("urgency", "last", "month") else key
        columns.append(
            {
                "key": key,
                "label": label,
                "sort": next_sort,
                "active": key == current,
                "descending": sort.startswith("-"),
            }
        )
    return {
        "page": page,
        "rows": rows,
        "counts": counts,
        "flags": [(f, selectors.FLAG_NAMES[f], counts[f]) for f in selectors.FLAGS],
        "flag": flag if flag in selectors.FLAGS else "",
        "q": query,
        "sort": sort,
        "columns": columns,
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


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", selectors.DIARY_RANGES[0]))
    except ValueError:
        return selectors.DIARY_RANGES[0]
    return days if days in selectors.DIARY_RANGES else selectors.DIARY_RANGES[0]


@physician_required
@require_GET
@vary_on_headers("HX-Request")
def patient_detail(request: HtmxHttpRequest, patient_id: int) -> HttpResponse:
    patient = _linked(request, patient_id)
    today = _patient_today(patient)
    days = _days(request)
    if request.htmx:
        # Only the diary range changes; skip the figure.
        bundle = selectors.course_bundle(patient=patient, today=today)
        context = {
            "patient": patient,
            "bundle": bundle,
            "joint_labels": [joint_label(j) for j in bundle.course.joints],
            "diary": selectors.diary_rows(bundle=bundle, days=days),
            "days": days,
            "ranges": selectors.DIARY_RANGES,
            "diary_url": reverse("dashboard:patient", args=[patient.pk]),
        }
        return render(request, "dashboard/patient_detail.html#diary-table", context)
    account_services.access_record(
        patient=patient, viewer=request.user, what=AccessRecord.What.COURSE
    )
    context = selectors.course_page(patient=patient, today=today, days=days)
    context.update(
        {
            "notes": selectors.notes_for(physician=request.physician, patient=patient),
            "note_form": NoteForm(),
            "event_form": ClinicalEventForm(today=today),
            "event_action": reverse("dashboard:event-create", args=[patient.pk]),
            "diary_url": reverse("dashboard:patient", args=[patient.pk]),
        }
    )
    return render(request, "dashboard/patient_detail.html", context)


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
    if not services.clinical_event_delete(patient=patient, event_id=event_id):
        raise Http404("No such event.")
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
    response = export_response(request, patient=patient, fmt=fmt)
    account_services.access_record(
        patient=patient, viewer=request.user, what=AccessRecord.What.EXPORT, detail=fmt
    )
    return response


# Patient: own events and exports ------------------------------------------------


@patient_required
@require_POST
def patient_event_create(request: HttpRequest) -> HttpResponse:
    _event_create(request, patient=request.patient)
    return redirect(f"{reverse('diary:course')}#events")


@patient_required
@require_POST
def patient_event_delete(request: HttpRequest, event_id: int) -> HttpResponse:
    if not services.clinical_event_delete(patient=request.patient, event_id=event_id):
        raise Http404("No such event.")  # someone else's event looks like none at all
    return redirect(f"{reverse('diary:course')}#events")


@patient_required
@require_GET
def patient_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return export_response(request, patient=request.patient, fmt=fmt)


# Exports ----------------------------------------------------------------------


def export_response(
    request: HttpRequest, *, patient: PatientProfile, fmt: str
) -> HttpResponse:
    """diary.csv, fhir.json or the printable summary of one patient's diary."""
    today = _patient_today(patient)
    bundle = selectors.course_bundle(patient=patient, today=today)
    stamp = f"tmo-diary-{today:%Y%m%d}"
    if fmt == "diary.csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stamp}.csv"'
        _write_csv(response, bundle)
        return response
    if fmt == "fhir.json":
        data = fhir.diary_bundle(
            patient=fhir.PatientFacts(
                key=f"{patient.pk}:{patient.created_at:%Y%m%d%H%M%S}",
                name=patient.user.display_name,
            ),
            course=bundle.course,
            now=timezone.now(),
        )
        response = JsonResponse(data, content_type="application/fhir+json")
        response["Content-Disposition"] = f'attachment; filename="{stamp}.fhir.json"'
        return response
    if fmt == "summary":
        course = bundle.course
        text = selectors.figure_text()
        context = {
            "patient": patient,
            "today": today,
            "bundle": bundle,
            # course_svg escapes every text it writes; the rest is numbers we made.
            "svg": mark_safe(figures.course_svg(course, text=text)),
            "episode_rows": selectors.episode_rows(
                episodes=bundle.episodes, today=today
            ),
            "phase_colours": selectors.phase_key(text),
            "body": figures.body_map(course, text=text),
        }
        return render(request, "dashboard/summary_print.html", context)
    raise Http404("No such export.")


def _write_csv(response: HttpResponse, bundle: selectors.CourseBundle) -> None:
    """One row per joint per logged day; a logged day without an entry is 0/0."""
    course = bundle.course
    writer = csv.writer(response)
    writer.writerow(["date", "joint", "side", "pain_0_10", "swelling_0_3", "note"])
    for day in sorted(course.logged):
        note = bundle.notes.get(day, "")
        for joint in course.joints:
            pain, swelling = course.readings.get((day, joint), (0, 0))
            info = JOINTS[joint]
            writer.writerow(
                [day.isoformat(), info.kind, info.side, pain, swelling, note]
            )
            note = ""  # once per day is enough


def figure_json_size(figure: dict) -> int:
    """Bytes of the figure as json_script writes it (for the bench)."""
    return len(json.dumps(figure, separators=(",", ":")).encode())
