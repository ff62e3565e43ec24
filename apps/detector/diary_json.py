"""The diary JSON contract in and out of the detector, and a plain-text table for humans.

Pure module (no Django). Input:
    {"logged_days": ["2026-01-05", ...],
     "entries": [{"joint": "left_hip", "date": "2026-01-05", "pain": 4, "swelling": 1}, ...]}
An optional "patient" key and any unknown keys are ignored; entries may come in any order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from apps.detector.detect import Detection, MigrationFinding, Reading
from apps.diary.anatomy import JOINT_ORDER, JOINTS

PAIN_MAX = 10
SWELLING_MAX = 3


class DiaryFormatError(ValueError):
    """The diary JSON does not follow the contract; the message says where and why."""


def parse_diary(data: Any) -> tuple[list[Reading], list[date]]:
    """Readings and logged days from the decoded diary JSON (pain 0-10, swelling 0-3)."""
    if not isinstance(data, dict):
        raise DiaryFormatError(f"The diary must be a JSON object, not {_kind(data)}.")
    for key in ("logged_days", "entries"):
        if key not in data:
            raise DiaryFormatError(f'The diary has no "{key}" list.')
    logged_raw = data["logged_days"]
    entries_raw = data["entries"]
    if not isinstance(logged_raw, list):
        raise DiaryFormatError(
            f'"logged_days" must be a list of dates, not {_kind(logged_raw)}.'
        )
    if not isinstance(entries_raw, list):
        raise DiaryFormatError(
            f'"entries" must be a list of objects, not {_kind(entries_raw)}.'
        )
    # A day listed twice is harmless: it is still one check-in.
    logged = sorted(
        {_parse_date(v, f"logged_days[{i}]") for i, v in enumerate(logged_raw)}
    )
    seen: dict[tuple[str, date], tuple[int, int, int]] = {}
    readings: list[Reading] = []
    for i, entry in enumerate(entries_raw):
        where = f"entries[{i}]"
        if not isinstance(entry, dict):
            raise DiaryFormatError(f"{where} must be an object, not {_kind(entry)}.")
        for key in ("joint", "date", "pain", "swelling"):
            if key not in entry:
                raise DiaryFormatError(f'{where} has no "{key}".')
        joint = entry["joint"]
        if not isinstance(joint, str) or joint not in JOINTS:
            raise DiaryFormatError(
                f"{where}: unknown joint {joint!r}; expected one of "
                f"{', '.join(JOINT_ORDER)}."
            )
        day = _parse_date(entry["date"], f"{where}.date")
        pain = _parse_score(entry["pain"], f"{where}.pain", PAIN_MAX)
        swelling = _parse_score(entry["swelling"], f"{where}.swelling", SWELLING_MAX)
        earlier = seen.get((joint, day))
        if earlier is not None:
            if earlier[1:] != (pain, swelling):
                raise DiaryFormatError(
                    f"{where} and entries[{earlier[0]}] both give {joint} on "
                    f"{day.isoformat()} but disagree (pain {earlier[1]} vs {pain}, "
                    f"swelling {earlier[2]} vs {swelling})."
                )
            # An exact repeat (a double-submitted form) is the same reading.
            continue
        seen[(joint, day)] = (i, pain, swelling)
        readings.append(Reading(day=day, joint=joint, pain=pain, swelling=swelling))
    readings.sort(key=lambda r: (r.day, JOINT_ORDER.index(r.joint)))
    return readings, logged


def migrations_to_json(migrations: Iterable[MigrationFinding]) -> list[dict[str, str]]:
    """Migrations as contract dicts: from, to, relation, kind, to_onset, detected_on (ISO dates)."""
    return [
        {
            "from": m.from_joint,
            "to": m.to_joint,
            "relation": m.relation,
            "kind": m.kind,
            "to_onset": m.to_onset.isoformat(),
            "detected_on": m.detected_on.isoformat(),
        }
        for m in migrations
    ]


def format_table(detection: Detection) -> str:
    """Migrations, episodes and possible new joints as aligned plain-text tables."""
    lines = ["Migrations"]
    if detection.migrations:
        rows = [("from", "to", "relation", "kind", "onset", "flagged on")]
        rows += [
            (
                _label(m.from_joint),
                _label(m.to_joint),
                m.relation,
                m.kind,
                m.to_onset.isoformat(),
                m.detected_on.isoformat(),
            )
            for m in detection.migrations
        ]
        lines += _align(rows)
    else:
        lines.append("  (none)")
    lines += ["", "Episodes"]
    if detection.episodes:
        rows = [("joint", "onset", "peak", "peak pain", "phase", "resolved", "seen on")]
        rows += [
            (
                _label(e.joint),
                e.onset.isoformat(),
                e.peak.isoformat(),
                str(e.peak_pain),
                e.phase,
                e.resolved_on.isoformat() if e.resolved_on else "-",
                e.detected_on.isoformat(),
            )
            for e in detection.episodes
        ]
        lines += _align(rows)
    else:
        lines.append("  (none)")
    if detection.possible:
        # Never part of the JSON contract: not yet told apart from an ache.
        lines += ["", "Possible new joints (not confirmed)"]
        rows = [("tier", "joint", "since", "last raised", "pain", "seen")]
        rows += [
            (
                p.tier,
                _label(p.joint),
                p.onset.isoformat(),
                p.detected_on.isoformat(),
                str(p.peak_pain),
                p.explanation,
            )
            for p in detection.possible
        ]
        lines += _align(rows)
    return "\n".join(lines)


def _parse_date(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise DiaryFormatError(
            f'{where} must be a date string like "2026-01-05", not {_kind(value)}.'
        )
    try:
        # fromisoformat also accepts "20260105" and week dates; the contract is
        # strictly YYYY-MM-DD, so check the shape first.
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise DiaryFormatError(
            f"{where}: {value!r} is not a date in the form YYYY-MM-DD."
        ) from None


def _parse_score(value: Any, where: str, top: int) -> int:
    # bool is a subclass of int: true/false in JSON is a form bug, not a score.
    if isinstance(value, bool) or not isinstance(value, int):
        raise DiaryFormatError(
            f"{where} must be a whole number from 0 to {top}, not {_kind(value)}."
        )
    if not 0 <= value <= top:
        raise DiaryFormatError(f"{where} must be from 0 to {top}, not {value}.")
    return value


def _kind(value: Any) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a decimal number",
        type(None): "null",
    }
    name = names.get(type(value), type(value).__name__)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return f"{name} ({value!r})"
    return name


def _label(joint: str) -> str:
    info = JOINTS.get(joint)
    return info.label if info else joint


def _align(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return [
        "  "
        + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
