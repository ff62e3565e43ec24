"""The facts behind the detector's plain-English explanations, for translated wording.

Pure module (no Django). detect.py writes what it saw as an English sentence
("right hip: pain up from 0 to 5 over 9 days with moderate swelling, while the
left hip improves"); the app speaks four languages, so the product stores the
facts read back from that sentence and words them again with gettext. A sentence
this parser does not recognise gives no facts and the English text is shown as it
is: a wording change in detect.py degrades to English, never to a wrong fact
(tests/detector/test_explain.py runs it over the detector's real output).
"""

from __future__ import annotations

import re
from typing import Any

from apps.diary.anatomy import JOINTS

SWELLING_WORDS = (
    "no swelling yet",
    "mild swelling",
    "moderate swelling",
    "marked swelling",
)
# The source joint's state when the new one was flagged.
SETTLED = "settled"  # healed `weeks` weeks before (weeks >= 2)
JUST_SETTLED = "just_settled"
SETTLING = "settling"
IMPROVING = "improving"
AT_WORST = "at_worst"

_LABELS = {info.label.lower(): code for code, info in JOINTS.items()}
_JOINT = "(?P<{}>" + "|".join(re.escape(label) for label in _LABELS) + ")"
_SWELLING = "(?P<swelling>" + "|".join(SWELLING_WORDS) + ")"

_RISE = (
    _JOINT.format("joint")
    + r": (?:pain (?P<level>\d+) with "
    + _SWELLING.replace("swelling>", "censored_swelling>")
    + r" since the diary began|pain up from (?P<from_pain>\d+) to (?P<to_pain>\d+)"
    r" over (?P<days>\d+) days? with "
    + _SWELLING
    + r"(?: \(first logged after (?P<gap>\d+) days without a diary\))?)"
)
_SOURCE = (
    r"(?:(?P<weeks>\d+) weeks after the "
    + _JOINT.format("settled")
    + r" settled|just after the "
    + _JOINT.format("just_settled")
    + r" settled|as the "
    + _JOINT.format("settling")
    + r" settles|while the "
    + _JOINT.format("improving")
    + r" improves|while the "
    + _JOINT.format("at_worst")
    + r" is still at its worst)"
)
_FAR = (
    r"; not a neighbour of the "
    + _JOINT.format("far")
    + (r", so flagged only once the rise was beyond doubt")
)
_RISE_RE = re.compile(_RISE + r"\Z")
_MIGRATION_RE = re.compile(_RISE + ", " + _SOURCE + f"(?:{_FAR})?" + r"\Z")
_POSSIBLE_RE = re.compile(
    _JOINT.format("joint")
    + r": sore for (?P<days>\d+) days?, pain up to (?P<pain>\d+), "
    + _SWELLING
    + "(?:, beside the "
    + _JOINT.format("beside")
    + r")?; not yet told apart from (?P<confounder>a flare|a short ache)\Z"
)


def rise_facts(text: str) -> dict[str, Any]:
    """A confirmed episode's rise: joint, from_pain/to_pain 0-10, days, swelling 0-3, gap days; {} if not recognised."""
    m = _RISE_RE.match(text)
    return _rise(m) if m else {}


def migration_facts(text: str) -> dict[str, Any]:
    """The new joint's rise plus the source joint, its state and weeks; {} if not recognised."""
    m = _MIGRATION_RE.match(text)
    if not m:
        return {}
    facts = _rise(m)
    for state in (SETTLED, JUST_SETTLED, SETTLING, IMPROVING, AT_WORST):
        if m[state]:
            facts["source"] = _LABELS[m[state]]
            facts["source_state"] = state
    if m["weeks"]:
        facts["weeks"] = int(m["weeks"])
    facts["far"] = m["far"] is not None
    return facts


def possible_facts(text: str) -> dict[str, Any]:
    """A possible new joint: joint, days sore, pain 0-10, swelling 0-3, beside, confounder ("flare" | "ache")."""
    m = _POSSIBLE_RE.match(text)
    if not m:
        return {}
    return {
        "joint": _LABELS[m["joint"]],
        "days": int(m["days"]),
        "pain": int(m["pain"]),
        "swelling": SWELLING_WORDS.index(m["swelling"]),
        "beside": _LABELS[m["beside"]] if m["beside"] else None,
        "confounder": "flare" if m["confounder"] == "a flare" else "ache",
    }


def _rise(m: re.Match) -> dict[str, Any]:
    facts: dict[str, Any] = {"joint": _LABELS[m["joint"]]}
    if m["level"] is not None:
        facts.update(
            censored=True,
            to_pain=int(m["level"]),
            swelling=SWELLING_WORDS.index(m["censored_swelling"]),
        )
        return facts
    facts.update(
        censored=False,
        from_pain=int(m["from_pain"]),
        to_pain=int(m["to_pain"]),
        days=int(m["days"]),
        swelling=SWELLING_WORDS.index(m["swelling"]),
    )
    if m["gap"]:
        facts["gap"] = int(m["gap"])
    return facts
