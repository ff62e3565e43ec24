"""What a patient or physician downloads: the diary as CSV, a FHIR bundle, the
printable summary, and the patient's full data export."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from apps.accounts.models import AccessRecord, PatientProfile
from apps.accounts.selectors import care_links_for_patient
from apps.dashboard import fhir, figures, selectors
from apps.dashboard.models import ClinicalEvent
from apps.detector.models import Episode, JointMigration, PossibleJoint
from apps.diary.anatomy import JOINTS
from apps.diary.models import CheckIn, DiaryEntry, TrackedJoint


def patient_data_export(*, patient: PatientProfile) -> dict:
    """Everything stored about a patient, as plain JSON-ready data (GDPR-style export)."""

    def iso(value):
        return value.isoformat() if value is not None else None

    user = patient.user
    return {
        "format": "tmo-tracker-export/1",
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "joined": iso(user.date_joined),
        },
        "profile": {
            "timezone": patient.timezone,
            "reminders_enabled": patient.reminders_enabled,
            "reminder_time": patient.reminder_time.strftime("%H:%M"),
            "reminder_weekdays": patient.reminder_weekdays,
            "sex": patient.sex,
            "birth_year": patient.birth_year,
            "due_date": iso(patient.due_date),
            "diagnosis_date": iso(patient.diagnosis_date),
        },
        "tracked_joints": list(
            TrackedJoint.objects.filter(patient=patient).values_list(
                "joint__code", flat=True
            )
        ),
        "check_ins": [
            {"date": iso(d), "note": note}
            for d, note in CheckIn.objects.filter(patient=patient)
            .order_by("date")
            .values_list("date", "note")
        ],
        "entries": [
            {"date": iso(d), "joint": j, "pain": p, "swelling": s}
            for d, j, p, s in DiaryEntry.objects.filter(patient=patient)
            .order_by("date", "joint__sort_order")
            .values_list("date", "joint__code", "pain", "swelling")
        ],
        "episodes": [
            {
                "joint": e.joint.code,
                "onset": iso(e.onset),
                "peak": iso(e.peak),
                "peak_pain": e.peak_pain,
                "phase": e.phase,
                "resolved_on": iso(e.resolved_on),
                "explanation": e.explanation,
            }
            for e in Episode.objects.filter(patient=patient).select_related("joint")
        ],
        "migrations": [
            {
                "from": m.from_joint.code,
                "to": m.to_joint.code,
                "relation": m.relation,
                "kind": m.kind,
                "to_onset": iso(m.to_onset),
                "detected_on": iso(m.detected_on),
                "explanation": m.explanation,
            }
            for m in JointMigration.objects.filter(patient=patient).select_related(
                "from_joint", "to_joint"
            )
        ],
        # Joints raised for days, not yet told apart from an ache (never emailed).
        "possible_joints": [
            {
                "joint": p.joint.code,
                "onset": iso(p.onset),
                "last_raised": iso(p.last_raised),
                "peak_pain": p.peak_pain,
                "explanation": p.explanation,
            }
            for p in PossibleJoint.objects.filter(patient=patient).select_related(
                "joint"
            )
        ],
        "clinical_events": [
            {
                "kind": e.kind,
                "date": iso(e.date),
                "joint": e.joint.code if e.joint else None,
                "oedema": e.oedema,
                "detail": e.detail,
            }
            for e in ClinicalEvent.objects.filter(patient=patient).select_related(
                "joint"
            )
        ],
        "physicians_with_access": [
            {"physician": link.physician.user.email, "since": iso(link.created_at)}
            for link in care_links_for_patient(patient=patient)
        ],
        "access_log": [
            {
                "who": r.viewer.email if r.viewer else None,
                "what": r.what,
                "at": iso(r.at),
            }
            for r in AccessRecord.objects.filter(patient=patient).select_related(
                "viewer"
            )
        ],
    }


def export_response(
    request: HttpRequest, *, patient: PatientProfile, fmt: str
) -> HttpResponse:
    """diary.csv, fhir.json or the printable summary of one patient's diary."""
    build = _FORMATS.get(fmt)
    if build is None:
        raise Http404("No such export.")
    today = patient.local_date(timezone.now())
    bundle = selectors.course_bundle(patient=patient, today=today)
    return build(request, patient, bundle, f"tmo-diary-{today:%Y%m%d}")


def _csv(request, patient, bundle, stamp: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stamp}.csv"'
    _write_csv(response, bundle)
    return response


def _fhir(request, patient, bundle, stamp: str) -> HttpResponse:
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


def _summary(request, patient, bundle, stamp: str) -> HttpResponse:
    course = bundle.course
    text = selectors.figure_text()
    context = {
        "patient": patient,
        "today": course.today,
        "bundle": bundle,
        "print": figures.print_course(course, text=text),
        "episode_rows": selectors.episode_rows(
            episodes=bundle.episodes, today=course.today
        ),
        "phase_colours": selectors.phase_key(text),
        "body": figures.body_map(course, text=text),
    }
    return render(request, "dashboard/summary_print.html", context)


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
                [day.isoformat(), info.kind, info.side, pain, swelling, csv_text(note)]
            )
            note = ""  # once per day is enough


# A spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(...) in a patient's note would be live in the physician's sheet).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A free-text CSV cell that a spreadsheet shows as text: OWASP's leading '."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


_FORMATS = {"diary.csv": _csv, "fhir.json": _fhir, "summary": _summary}
