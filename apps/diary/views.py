from __future__ import annotations

import datetime as dt
import json
import logging

from django.contrib import messages
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts.decorators import patient_required
from apps.accounts.middleware import one_tap_allowed
from apps.core.http import HtmxHttpRequest
from apps.diary import anatomy, selectors, services
from apps.diary.forms import DayForm
from apps.diary.models import Joint, joint_label

UNPROCESSABLE = 422  # htmx is configured (base.html) to swap 422 responses
CONFLICT = 409
RETRY_MESSAGE = gettext_lazy(
    "We could not save just now (our database did not answer). Nothing was "
    "stored; your choices are still here, so please tap Save again."
)
log = logging.getLogger(__name__)


@one_tap_allowed
@patient_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def log_day(request: HtmxHttpRequest, day: dt.date | None = None) -> HttpResponse:
    patient = request.patient
    today = patient.local_date(timezone.now())
    day = day or today
    is_json = request.content_type == "application/json"
    first = patient.first_loggable_day()
    if day > today or day < first:
        if day > today:
            msg = _("%(day)s is in the future; you can log up to today.") % {
                "day": date_format(day, "j M Y")
            }
        else:
            msg = _(
                "Your diary starts on %(first)s (two years before you joined, or "
                "your diagnosis date if earlier), so %(day)s cannot be logged."
            ) % {
                "first": date_format(first, "j M Y"),
                "day": date_format(day, "j M Y"),
            }
        if request.method == "POST":
            if is_json:
                return JsonResponse({"errors": {"date": [msg]}}, status=400)
            return HttpResponse(msg, status=400, content_type="text/plain")
        messages.error(request, msg)
        return redirect("diary:today")

    joints = selectors.tracked_joints(patient=patient)
    if request.method == "POST":
        if is_json:
            return _log_day_json(request, day=day, joints=joints)
        form = DayForm(request.POST, joints=joints)
        if form.is_valid():
            try:
                services.day_record(
                    patient=patient,
                    day=day,
                    scores=form.scores(),
                    note=form.cleaned_data["note"],
                )
            except DatabaseError:
                # The transaction rolled back whole, so nothing is half-saved and
                # the form still holds the patient's choices: saving again is safe.
                log.warning("saving a day failed", exc_info=True)
                form.add_error(None, RETRY_MESSAGE)
                return _render_log(
                    request, day=day, today=today, joints=joints, form=form, status=503
                )
            if not request.htmx:
                messages.success(request, _saved_message(day, today))
                return redirect(_day_url(day, today))
            # Re-read so the page shows exactly what is stored.
            return _render_log(request, day=day, today=today, joints=joints, saved=True)
        return _render_log(
            request,
            day=day,
            today=today,
            joints=joints,
            form=form,
            status=UNPROCESSABLE,
        )
    return _render_log(request, day=day, today=today, joints=joints)


@one_tap_allowed
@patient_required
@require_POST
@vary_on_headers("HX-Request")
def joint_add(request: HtmxHttpRequest, day: dt.date) -> HttpResponse:
    """Add a painful joint in one tap, keeping whatever the form already holds."""
    patient = request.patient
    code = request.POST.get("add_joint", "")
    if code not in anatomy.JOINTS:
        return HttpResponse(_("Unknown joint."), status=400, content_type="text/plain")
    today = patient.local_date(timezone.now())
    services.joint_track(patient=patient, joint=get_object_or_404(Joint, code=code))
    joints = selectors.tracked_joints(patient=patient)
    # Unsaved choices travel in the POST; carry them over as the new form's values.
    carried = {
        k: v
        for k, v in request.POST.items()
        if k.startswith(("pain_", "swelling_", "note"))
    }
    day = max(min(day, today), patient.first_loggable_day())
    return _render_log(request, day=day, today=today, joints=joints, carried=carried)


def _render_log(
    request: HtmxHttpRequest,
    *,
    day: dt.date,
    today: dt.date,
    joints: list[Joint],
    form: DayForm | None = None,
    carried: dict | None = None,
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    state = selectors.day_state(patient=request.patient, day=day)
    if form is None:
        initial = {"note": state.checkin.note if state.checkin else ""}
        for j in joints:
            score = state.scores.get(j.pk)
            initial[f"pain_{j.code}"] = score.pain if score else 0
            initial[f"swelling_{j.code}"] = score.swelling if score else 0
        initial.update(carried or {})
        form = DayForm(initial=initial, joints=joints)
    untracked = selectors.untracked_joint_codes(tracked=joints)
    likely = {n for j in joints for n in anatomy.neighbours(j.code)}
    context = {
        "form": form,
        "state": state,
        "day": day,
        "today": today,
        "is_today": day == today,
        "prev_day": (
            day - dt.timedelta(days=1)
            if day > request.patient.first_loggable_day()
            else None
        ),
        "next_day": day + dt.timedelta(days=1) if day < today else None,
        "saved": saved,
        "version": format_version(state.version),
        "action": _day_url(day, today),
        "likely_joints": [(c, joint_label(c)) for c in untracked if c in likely],
        "other_joints": [(c, joint_label(c)) for c in untracked if c not in likely],
    }
    template = "diary/log.html"
    if request.htmx and request.method == "POST":
        template += "#day-form"
    return render(request, template, context, status=status)


def _log_day_json(
    request: HtmxHttpRequest, *, day: dt.date, joints: list[Joint]
) -> JsonResponse:
    """`{"entries": [{"joint", "pain", "swelling"}], "note", "based_on"}`; unmentioned tracked joints are 0.

    `based_on` (optional) is the `version` of the copy the save was made from, or
    null for a day that copy did not have logged: a phone sending a day it kept
    offline gets 409 with what is stored instead of overwriting a newer save.
    """
    bad_shape = JsonResponse(
        {
            "errors": {
                "__all__": [
                    'Send {"entries": [{"joint": …, "pain": …, "swelling": …}], "note": …}.'
                ]
            }
        },
        status=400,
    )
    try:
        payload = json.loads(request.body)
        entries = payload["entries"]
        data = {"note": payload.get("note", "")}
        for j in joints:
            data[f"pain_{j.code}"] = data[f"swelling_{j.code}"] = 0
        for e in entries:
            data[f"pain_{e['joint']}"] = e["pain"]
            data[f"swelling_{e['joint']}"] = e["swelling"]
    except (ValueError, KeyError, TypeError):
        return bad_shape
    based_on = None
    if "based_on" in payload:
        try:
            based_on = services.DayBase(version=parse_version(payload["based_on"]))
        except (ValueError, TypeError):
            return JsonResponse(
                {
                    "errors": {
                        "based_on": [
                            "based_on must be the version the page gave, or null."
                        ]
                    }
                },
                status=400,
            )
    form = DayForm(
        {k: str(v) if not isinstance(v, (dict, list)) else "" for k, v in data.items()},
        joints=joints,
    )
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    try:
        recorded = services.day_record(
            patient=request.patient,
            day=day,
            scores=form.scores(),
            note=form.cleaned_data["note"],
            based_on=based_on,
        )
    except DatabaseError:
        # As for the form: nothing was stored, sending the same body again is safe.
        log.warning("saving a day failed", exc_info=True)
        return JsonResponse({"errors": {"__all__": [RETRY_MESSAGE]}}, status=503)
    except services.DayConflict as conflict:
        stored = conflict.stored
        zero = services.Score(pain=0, swelling=0)
        return JsonResponse(
            {
                "errors": {
                    "__all__": [
                        _(
                            "This day was saved again elsewhere after your copy "
                            "was loaded; nothing was overwritten."
                        )
                    ]
                },
                "stored": {
                    "version": format_version(stored.version),
                    "entries": [
                        {
                            "joint": j.code,
                            "pain": stored.scores.get(j.pk, zero).pain,
                            "swelling": stored.scores.get(j.pk, zero).swelling,
                        }
                        for j in joints
                    ],
                    "note": stored.note,
                },
            },
            status=CONFLICT,
        )
    state = selectors.day_state(patient=request.patient, day=day)
    return JsonResponse(
        {
            "date": day.isoformat(),
            "created": recorded.created,
            "updated": recorded.updated,
            "version": format_version(state.version),
            "entries": [
                {"joint": j.code, "pain": s.pain, "swelling": s.swelling}
                for j, s in form.scores().items()
            ],
        }
    )


def format_version(version: dt.datetime | None) -> str | None:
    """A day's version as the page and the phone's queue carry it (UTC, microseconds)."""
    if version is None:
        return None
    return version.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_version(value: str | None) -> dt.datetime | None:
    """The inverse of format_version; ValueError/TypeError on anything else."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("version must be a string")
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("version must carry its time zone")
    return parsed


def _day_url(day: dt.date, today: dt.date) -> str:
    return reverse("diary:today") if day == today else reverse("diary:day", args=[day])


def _saved_message(day: dt.date, today: dt.date) -> str:
    if day == today:
        return _("Today is saved.")
    return _("%(day)s is saved.") % {"day": date_format(day, "D j M")}
