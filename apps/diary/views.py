from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.contrib import messages
from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts.decorators import patient_required
from apps.accounts.middleware import one_tap_allowed
from apps.accounts.models import PatientProfile
from apps.core.http import HtmxHttpRequest
from apps.diary import anatomy, api, selectors, services
from apps.diary.forms import DayForm
from apps.diary.models import Joint, joint_label

UNPROCESSABLE = 422  # htmx is configured (base.html) to swap 422 responses
RETRY_MESSAGE = api.RETRY_MESSAGE
log = logging.getLogger(__name__)


@one_tap_allowed
@patient_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def log_day(request: HtmxHttpRequest, day: dt.date | None = None) -> HttpResponse:
    """The day's log: a form to GET and POST, or with a JSON body the API (api.py)."""
    patient = request.patient
    today = patient.local_date(timezone.now())
    day = day or today
    if request.method == "POST" and request.content_type == "application/json":
        return api.log_day_json(request, day=day, today=today)
    refusal = services.day_refusal(patient=patient, day=day, today=today)
    if refusal and request.method == "POST":
        return HttpResponse(refusal, status=400, content_type="text/plain")
    if refusal:
        messages.error(request, refusal)
        return redirect("diary:today")
    joints = selectors.tracked_joints(patient=patient)
    if request.method == "POST":
        return _log_day_post(request, day=day, today=today, joints=joints)
    return _render_log(request, day=day, today=today, joints=joints)


def _log_day_post(
    request: HtmxHttpRequest, *, day: dt.date, today: dt.date, joints: list[Joint]
) -> HttpResponse:
    form = DayForm(request.POST, joints=joints)
    page = partial(_render_log, request, day=day, today=today, joints=joints)
    if not form.is_valid():
        return page(form=form, status=UNPROCESSABLE)
    scores, note = form.scores(), form.cleaned_data["note"]
    try:
        services.day_record(patient=request.patient, day=day, scores=scores, note=note)
    except DatabaseError:
        # The transaction rolled back whole, so nothing is half-saved and
        # the form still holds the patient's choices: saving again is safe.
        log.warning("saving a day failed", exc_info=True)
        form.add_error(None, RETRY_MESSAGE)
        return page(form=form, status=503)
    if not request.htmx:
        messages.success(request, _saved_message(day, today))
        return redirect(_day_url(day, today))
    # Re-read so the page shows exactly what is stored.
    return page(saved=True)


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
        form = DayForm(initial=_initial(state, joints, carried), joints=joints)
    context = _log_context(
        patient=request.patient, day=day, today=today, joints=joints, state=state
    )
    context.update(form=form, saved=saved)
    template = "diary/log.html"
    if request.htmx and request.method == "POST":
        template += "#day-form"
    return render(request, template, context, status=status)


def _initial(
    state: selectors.DayState, joints: list[Joint], carried: dict | None
) -> dict:
    """The form's starting values: what is stored (0 for a joint not scored),
    then whatever unsaved choices the page carried over."""
    initial = {"note": state.checkin.note if state.checkin else ""}
    for j in joints:
        score = state.scores.get(j.pk)
        initial[f"pain_{j.code}"] = score.pain if score else 0
        initial[f"swelling_{j.code}"] = score.swelling if score else 0
    initial.update(carried or {})
    return initial


def _log_context(
    *,
    patient: PatientProfile,
    day: dt.date,
    today: dt.date,
    joints: list[Joint],
    state: selectors.DayState,
) -> dict:
    """The log page around its form: the day, its neighbours and the joints to add
    (those next to a tracked one first, as the likely next ones)."""
    untracked = selectors.untracked_joint_codes(tracked=joints)
    likely = {n for j in joints for n in anatomy.neighbours(j.code)}
    return {
        "state": state,
        "day": day,
        "today": today,
        "is_today": day == today,
        "prev_day": (
            day - dt.timedelta(days=1) if day > patient.first_loggable_day() else None
        ),
        "next_day": day + dt.timedelta(days=1) if day < today else None,
        "version": api.format_version(state.version),
        "action": _day_url(day, today),
        "likely_joints": [(c, joint_label(c)) for c in untracked if c in likely],
        "other_joints": [(c, joint_label(c)) for c in untracked if c not in likely],
    }


def _day_url(day: dt.date, today: dt.date) -> str:
    return reverse("diary:today") if day == today else reverse("diary:day", args=[day])


def _saved_message(day: dt.date, today: dt.date) -> str:
    if day == today:
        return _("Today is saved.")
    return _("%(day)s is saved.") % {"day": date_format(day, "D j M")}
