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

CONFLICT = 409
RETRY_MESSAGE = gettext_lazy(
    "We could not save just now (our database did not answer). Nothing was "
    "stored; your choices are still here, so please tap Save again."
)
log = logging.getLogger(__name__)


def log_day_json(
    request: HtmxHttpRequest, *, day: dt.date, today: dt.date
) -> JsonResponse:
    """`{"entries": [{"joint", "pain", "swelling"}], "note", "based_on"}`; unmentioned tracked joints are 0.

    `based_on` (optional) is the `version` of the copy the save was made from, or
    null for a day that copy did not have logged: a phone sending a day it kept
    offline gets 409 with what is stored instead of overwriting a newer save.
    """
    refusal = services.day_refusal(patient=request.patient, day=day, today=today)
    if refusal:
        return JsonResponse({"errors": {"date": [refusal]}}, status=400)
    joints = selectors.tracked_joints(patient=request.patient)
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
