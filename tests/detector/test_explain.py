"""explain.py reads back every explanation detect.py writes; wording.py says it again."""

from __future__ import annotations

import random

import pytest
from django.utils import translation

from apps.detector import explain, wording
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


def test_every_explanation_the_detector_writes_is_read_back():
    seen = {"episode": 0, "migration": 0, "possible": 0}
    for result in _detections():
        for e in result.episodes:
            assert explain.rise_facts(e.explanation)["joint"] == e.joint, e.explanation
            seen["episode"] += 1
        for m in result.migrations:
            facts = explain.migration_facts(m.explanation)
            assert (facts["source"], facts["joint"]) == (m.from_joint, m.to_joint)
            seen["migration"] += 1
        for p in result.possible:
            facts = explain.possible_facts(p.explanation)
            assert facts["joint"] == p.joint, p.explanation
            assert facts["pain"] == p.peak_pain
            seen["possible"] += 1
    assert all(seen.values()), seen


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        (
            "right hip: pain up from 0 to 5 over 9 days with moderate swelling, "
            "while the left hip improves",
            {
                "joint": "right_hip",
                "censored": False,
                "from_pain": 0,
                "to_pain": 5,
                "days": 9,
                "swelling": 2,
                "source": "left_hip",
                "source_state": "improving",
                "far": False,
            },
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
def test_migration_facts(text, facts):
    assert explain.migration_facts(text) == facts


def test_an_unknown_sentence_gives_no_facts_and_is_shown_in_english():
    text = "left hip: something new the detector learnt to say"
    assert explain.migration_facts(text) == {}
    assert wording.migration_sentence({}, fallback=text) == (
        "Left hip: something new the detector learnt to say"
    )


def test_the_migration_sentence_in_german():
    facts = explain.migration_facts(
        "right hip: pain up from 0 to 5 over 9 days with moderate swelling, "
        "while the left hip improves"
    )
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
