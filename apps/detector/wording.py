"""The detector's explanations said again in the reader's language.

detect.py explains itself in English and hands over the same facts as data
(`facts` on each finding); the models store both. These functions build the
sentence from the facts with gettext, so a physician reading German sees German.
A row without facts (stored before there were any) shows the English text.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext

from apps.detector import detect
from apps.diary.models import JOINT_NAMES_IN_SENTENCE, joint_label


def _in_sentence(code: str) -> str:
    return str(JOINT_NAMES_IN_SENTENCE[code])


def _with_swelling(level: int) -> str:
    # Whole phrases: the preposition governs the case of the adjective.
    return (
        pgettext("detector saw", "with no swelling yet"),
        pgettext("detector saw", "with mild swelling"),
        pgettext("detector saw", "with moderate swelling"),
        pgettext("detector saw", "with marked swelling"),
    )[min(3, max(0, int(level)))]


def _rise(facts: dict[str, Any]) -> str:
    joint = joint_label(facts["joint"])
    swelling = _with_swelling(facts["swelling"])
    if facts.get("censored"):
        return gettext("%(joint)s: pain %(now)s %(swelling)s since the diary began") % {
            "joint": joint,
            "now": facts["to_pain"],
            "swelling": swelling,
        }
    days = facts["days"]
    text = ngettext(
        "%(joint)s: pain up from %(start)s to %(now)s over %(days)s day %(swelling)s",
        "%(joint)s: pain up from %(start)s to %(now)s over %(days)s days %(swelling)s",
        days,
    ) % {
        "joint": joint,
        "start": facts["from_pain"],
        "now": facts["to_pain"],
        "days": days,
        "swelling": swelling,
    }
    if facts.get("gap"):
        text += " " + gettext("(first logged after %(gap)s days without a diary)") % {
            "gap": facts["gap"]
        }
    return text


def _source(facts: dict[str, Any]) -> str:
    joint = _in_sentence(facts["source"])
    state = facts["source_state"]
    if state == detect.SOURCE_SETTLED:
        weeks = facts["weeks"]
        return ngettext(
            "%(weeks)s week after the %(joint)s settled",
            "%(weeks)s weeks after the %(joint)s settled",
            weeks,
        ) % {"weeks": weeks, "joint": joint}
    phrase = {
        detect.SOURCE_JUST_SETTLED: gettext("just after the %(joint)s settled"),
        detect.SOURCE_SETTLING: gettext("as the %(joint)s settles"),
        detect.SOURCE_IMPROVING: gettext("while the %(joint)s improves"),
        detect.SOURCE_AT_WORST: gettext("while the %(joint)s is still at its worst"),
    }[state]
    return phrase % {"joint": joint}


def rise_sentence(facts: dict[str, Any], *, fallback: str = "") -> str:
    """'Right hip: pain up from 0 to 5 over 9 days with moderate swelling.'"""
    if not facts:
        return capfirst(fallback)
    return _rise(facts) + "."


def migration_sentence(facts: dict[str, Any], *, fallback: str = "") -> str:
    """The new joint's rise and how the joint it came from stood at the time."""
    if not facts:
        return capfirst(fallback)
    text = _rise(facts) + ", " + _source(facts)
    if facts.get("far"):
        text += gettext(
            "; not a neighbour of the %(joint)s, so flagged only once the rise was"
            " beyond doubt"
        ) % {"joint": _in_sentence(facts["source"])}
    return text + "."


def possible_sentence(facts: dict[str, Any], *, fallback: str = "") -> str:
    """For the physician: how long, how much, beside which joint, and why not yet confirmed."""
    if not facts:
        return capfirst(fallback)
    days = facts["days"]
    text = ngettext(
        "%(joint)s: sore for %(days)s day, pain up to %(pain)s %(swelling)s",
        "%(joint)s: sore for %(days)s days, pain up to %(pain)s %(swelling)s",
        days,
    ) % {
        "joint": joint_label(facts["joint"]),
        "days": days,
        "pain": facts["pain"],
        "swelling": _with_swelling(facts["swelling"]),
    }
    if facts.get("beside"):
        text += gettext(", beside the %(joint)s") % {
            "joint": _in_sentence(facts["beside"])
        }
    if facts.get("confounder") == "flare":
        text += gettext("; not yet told apart from a flare")
    else:
        text += gettext("; not yet told apart from a short ache")
    return text + "."


def possible_patient_sentence(joint: str, days: int) -> str:
    """For the patient: 'Your left ankle has been sore for 3 days — keep logging it.'"""
    return capfirst(
        ngettext(
            "Your %(joint)s has been sore for %(days)s day — keep logging it.",
            "Your %(joint)s has been sore for %(days)s days — keep logging it.",
            days,
        )
        % {"joint": _in_sentence(joint), "days": days}
    )
