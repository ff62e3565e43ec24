"""Every finding carries its facts; wording.py says them in the reader's language."""

from __future__ import annotations

import random

import pytest
from django.utils import translation
from django.utils.text import capfirst

from apps.detector import wording
from apps.detector.detect import detect
from testkit.synthetic import generate_course


def _detections(n: int = 120):
    rng = random.Random(11)
    for _ in range(n):
        c = generate_course(rng, messy=True)
        days = sorted(c.logged_days)
        cut = days[rng.randrange(len(days))]
        yield detect(
            [r for r in c.readings if r.day <= cut], [d for d in days if d <= cut]
        )


def test_every_finding_carries_its_facts_and_the_english_is_the_wording_of_them():
    seen = {"episode": 0, "migration": 0, "possible": 0}
    with translation.override("en"):
        for result in _detections():
            for e in result.episodes:
                assert e.facts["joint"] == e.joint
                assert wording.rise_sentence(e.facts) == capfirst(e.explanation) + "."
                seen["episode"] += 1
            for m in result.migrations:
                assert (m.facts["source"], m.facts["joint"]) == (
                    m.from_joint,
                    m.to_joint,
                )
                assert m.facts["far"] is (m.relation == "other")
                assert wording.migration_sentence(m.facts) == (
                    capfirst(m.explanation) + "."
                )
                seen["migration"] += 1
            for p in result.possible:
                assert (p.facts["joint"], p.facts["pain"]) == (p.joint, p.peak_pain)
                assert wording.possible_sentence(p.facts) == (
                    capfirst(p.explanation) + "."
                )
                seen["possible"] += 1
    assert all(seen.values()), seen


# The issue's own example: the right hip rising while the left hip improves.
RIGHT_HIP_FROM_LEFT = {
    "joint": "right_hip",
    "censored": False,
    "from_pain": 0,
    "to_pain": 5,
    "days": 9,
    "swelling": 2,
    "source": "left_hip",
    "source_state": "improving",
    "far": False,
}


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        (
            "right hip: pain up from 0 to 5 over 9 days with moderate swelling, "
            "while the left hip improves",
            RIGHT_HIP_FROM_LEFT,
        ),
        (
            "left ankle: pain up from 1 to 4 over 1 day with mild swelling (first "
            "logged after 12 days without a diary), 6 weeks after the right shoulder "
            "settled; not a neighbour of the right shoulder, so flagged only once "
            "the rise was beyond doubt",
            {
                "joint": "left_ankle",
                "censored": False,
                "from_pain": 1,
                "to_pain": 4,
                "days": 1,
                "swelling": 1,
                "gap": 12,
                "source": "right_shoulder",
                "source_state": "settled",
                "weeks": 6,
                "far": True,
            },
        ),
    ],
)
def test_migration_facts_worded_in_english(text, facts):
    with translation.override("en"):
        assert wording.migration_sentence(facts) == capfirst(text) + "."


def test_a_row_stored_without_facts_is_shown_in_english():
    text = "left hip: something the detector said before it gave facts"
    assert wording.migration_sentence({}, fallback=text) == (
        "Left hip: something the detector said before it gave facts"
    )


def test_the_migration_sentence_in_german():
    facts = RIGHT_HIP_FROM_LEFT
    with translation.override("de"):
        assert wording.migration_sentence(facts) == (
            "Rechte Hüfte: Schmerz binnen 9 Tagen von 0 auf 5 gestiegen, mit mäßiger "
            "Schwellung, während sich die linke Hüfte bessert."
        )
    with translation.override("en"):
        assert wording.migration_sentence(facts) == (
            "Right hip: pain up from 0 to 5 over 9 days with moderate swelling, "
            "while the left hip improves."
        )
