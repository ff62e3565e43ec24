"""The JSON body of /log/ (what the offline queue and other clients send):
`{"entries": [{"joint", "pain", "swelling"}], "note", "based_on"}` in, the
stored day or its errors out."""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.db import DatabaseError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.http import HtmxHttpRequest
from apps.diary import selectors, services
from apps.diary.forms import DayForm
from apps.diary.models import Joint

CONFLICT = 409
RETRY_MESSAGE = gettext_lazy(
    "We could not save just now (our database did not answer). Nothing was "
    "stored; your choices are still here, so please tap Save again."
)
log = logging.getLogger(__name__)


BAD_SHAPE = 'Send {"entries": [{"joint": …, "pain": …, "swelling": …}], "note": …}.'
BAD_BASE = "based_on must be the version the page gave, or null."


class PayloadError(Exception):
    """A body this API cannot read or the form refuses: `errors` is the 400 answer's."""

    def __init__(self, errors: dict[str, list]) -> None:
        super().__init__(errors)
        self.errors = errors


def log_day_json(
    request: HtmxHttpRequest, *, day: dt.date, today: dt.date
) -> JsonResponse:
    """`{"entries": [{"joint", "pain", "swelling"}], "note", "based_on"}`; unmentioned tracked joints are 0.

    `based_on` (optional) is the `version` of the copy the save was made from, or
    null for a day that copy did not have logged: a phone sending a day it kept
    offline gets 409 with what is stored instead of overwriting a newer save.
    """
    patient = request.patient
    refusal = services.day_refusal(patient=patient, day=day, today=today)
    if refusal:
        return _errors("date", refusal)
    joints = selectors.tracked_joints(patient=patient)
    try:
        form, based_on = day_form_bind(request.body, joints=joints)
    except PayloadError as error:
        return JsonResponse({"errors": error.errors}, status=400)
    scores, note = form.scores(), form.cleaned_data["note"]
    try:
        recorded = services.day_record(
            patient=patient, day=day, scores=scores, note=note, based_on=based_on
        )
    except DatabaseError:
        # As for the form: nothing was stored, sending the same body again is safe.
        log.warning("saving a day failed", exc_info=True)
        return _errors("__all__", RETRY_MESSAGE, status=503)
    except services.DayConflict as conflict:
        return JsonResponse(conflict_body(conflict.stored, joints), status=CONFLICT)
    version = selectors.day_state(patient=patient, day=day).version
    return JsonResponse(saved_body(day, recorded, version=version, scores=scores))


def _errors(field: str, message: str, *, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": {field: [message]}}, status=status)


def day_form_bind(
    body: bytes, *, joints: list[Joint]
) -> tuple[DayForm, services.DayBase | None]:
    """The valid DayForm a JSON body fills (every tracked joint 0 unless the body
    scores it) and the copy it was based on (None: not said); else PayloadError."""
    try:
        payload = json.loads(body)
        entries = payload["entries"]
        data = {"note": payload.get("note", "")}
        for j in joints:
            data[f"pain_{j.code}"] = data[f"swelling_{j.code}"] = 0
        for e in entries:
            data[f"pain_{e['joint']}"] = e["pain"]
            data[f"swelling_{e['joint']}"] = e["swelling"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PayloadError({"__all__": [BAD_SHAPE]}) from exc
    based_on = None
    if "based_on" in payload:
        try:
            based_on = services.DayBase(version=parse_version(payload["based_on"]))
        except (ValueError, TypeError) as exc:
            raise PayloadError({"based_on": [BAD_BASE]}) from exc
    form = DayForm(
        {k: str(v) if not isinstance(v, (dict, list)) else "" for k, v in data.items()},
        joints=joints,
    )
    if not form.is_valid():
        raise PayloadError(form.errors.get_json_data())
    return form, based_on


def conflict_body(stored: services.StoredDay, joints: list[Joint]) -> dict:
    """The 409 answer: nothing was overwritten, and here is what is stored."""
    zero = services.Score(pain=0, swelling=0)
    return {
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
    }


def saved_body(
    day: dt.date, recorded, *, version: dt.datetime | None, scores: dict
) -> dict:
    """The 200 answer: the day as stored, with the version to base the next save on."""
    return {
        "date": day.isoformat(),
        "created": recorded.created,
        "updated": recorded.updated,
        "version": format_version(version),
        "entries": [
            {"joint": j.code, "pain": s.pain, "swelling": s.swelling}
            for j, s in scores.items()
        ],
    }


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
