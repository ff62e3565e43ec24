"""Demo TMO courses for `seed_demo`: plain data, no Django.

Each scenario is a clinically shaped story (see docs/clinical.md): an episode
rises over weeks, peaks, heals over 3–9 months, and the trouble migrates to the
next joint on the limb or to the other side. Times are relative to `today` so a
fresh demo always has something happening now.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Flare:
    joint: str
    onset: int  # days before today the pain starts rising
    peak_pain: float  # 0–10
    rise: int = 35  # days from onset to peak
    plateau: int = 14
    heal: int = 150  # days from end of plateau to pain-free


@dataclass
class DemoCourse:
    scenario: str
    flares: list[Flare]
    tracked: list[str]
    compliance: float = 0.9  # share of days logged
    stopped_days_ago: int = 0  # the patient stopped logging this many days ago
    chronic: dict[str, float] = field(default_factory=dict)  # joint → background pain
    # joint → its exact (pain, swelling) on the last days, oldest first; those days
    # are always logged (a rise only days old, so noise must not hide or confirm it).
    recent: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    profile: dict = field(default_factory=dict)


def flare_pain(f: Flare, days_since_onset: int) -> float:
    """Pain 0–10 of one flare, days_since_onset after its onset (0 outside the flare)."""
    t = days_since_onset
    if t < 0:
        return 0.0
    if t < f.rise:
        # Build-up over weeks, slow at first: the way patients describe it.
        return f.peak_pain * (t / f.rise) ** 1.3
    t -= f.rise
    if t < f.plateau:
        return f.peak_pain
    t -= f.plateau
    if t < f.heal:
        return f.peak_pain * (1 - t / f.heal) ** 1.6
    return 0.0


def scenario_for(index: int, rng: random.Random) -> DemoCourse:
    """The index-th demo patient's story; the first eleven cover every dashboard flag."""
    stories = [
        _hip_to_contralateral_hip,
        _knee_ankle_foot_chain,
        _stopped_logging,
        _worsening_now,
        _chronic_arthritic_knee,
        _mild_partial_knee,
        _atypical_long_course,
        _single_resolving,
        _pregnancy_hip,
        _shoulder_to_elbow,
        _possible_new_joint,
    ]
    return stories[index % len(stories)](rng)


def _j(rng: random.Random, a: int, b: int) -> int:
    return rng.randint(a, b)


def _hip_to_contralateral_hip(rng):
    side, other = rng.choice([("left", "right"), ("right", "left")])
    return DemoCourse(
        "hip to contralateral hip",
        [
            Flare(
                f"{side}_hip", _j(rng, 200, 240), _j(rng, 7, 9), heal=_j(rng, 120, 150)
            ),
            Flare(f"{other}_hip", _j(rng, 28, 34), _j(rng, 6, 8), rise=28),
        ],
        [f"{side}_hip", f"{other}_hip"],
        profile={"sex": "male", "birth_year": _j(rng, 1966, 1980)},
    )


def _knee_ankle_foot_chain(rng):
    s = rng.choice(["left", "right"])
    return DemoCourse(
        "knee to ankle to foot, overlapping",
        [
            Flare(f"{s}_knee", 330, 8, rise=30, heal=160),
            Flare(f"{s}_ankle", 170, 7, rise=35, heal=130),
            Flare(f"{s}_foot", 40, 6, rise=40),
        ],
        [f"{s}_knee", f"{s}_ankle", f"{s}_foot"],
        compliance=0.8,
        profile={"sex": "male", "birth_year": _j(rng, 1962, 1978)},
    )


def _stopped_logging(rng):
    return DemoCourse(
        "stopped logging",
        [Flare("right_knee", _j(rng, 90, 120), 7)],
        ["right_knee", "left_knee"],
        stopped_days_ago=_j(rng, 6, 12),
        profile={"sex": "female", "birth_year": _j(rng, 1970, 1985)},
    )


def _worsening_now(rng):
    return DemoCourse(
        "currently worsening",
        [Flare("left_ankle", _j(rng, 12, 20), 8, rise=30)],
        ["left_ankle", "left_knee"],
        profile={"sex": "male", "birth_year": _j(rng, 1965, 1975)},
    )


def _chronic_arthritic_knee(rng):
    return DemoCourse(
        "chronic arthritic knee, no TMO",
        [],
        ["right_knee", "left_knee"],
        chronic={"right_knee": 3.0},
        profile={"sex": "female", "birth_year": _j(rng, 1950, 1960)},
    )


def _mild_partial_knee(rng):
    # Only one femoral condyle: swelling with pain of 3–4 is still an episode.
    return DemoCourse(
        "mild partial-joint episode",
        [Flare("left_knee", _j(rng, 60, 90), 3.6, rise=28, heal=100)],
        ["left_knee"],
        profile={"sex": "male", "birth_year": _j(rng, 1968, 1980)},
    )


def _atypical_long_course(rng):
    # Still rising three months in: osteonecrosis or infection must be ruled out.
    return DemoCourse(
        "atypical: still rising after 3 months",
        [Flare("right_hip", _j(rng, 100, 115), 9, rise=120, heal=200)],
        ["right_hip", "left_hip"],
        profile={"sex": "male", "birth_year": _j(rng, 1960, 1972)},
    )


def _single_resolving(rng):
    return DemoCourse(
        "single episode, healing",
        [
            Flare(
                rng.choice(["left_hip", "right_knee", "left_foot"]),
                _j(rng, 120, 180),
                7,
            )
        ],
        [],
        profile={"sex": "male", "birth_year": _j(rng, 1964, 1982)},
    )


def _pregnancy_hip(rng):
    return DemoCourse(
        "third trimester hip, then the other hip",
        [
            Flare("left_hip", _j(rng, 150, 170), 8, heal=110),
            Flare("right_hip", _j(rng, 40, 55), 7),
        ],
        ["left_hip", "right_hip"],
        profile={"sex": "female", "birth_year": _j(rng, 1988, 1995)},
    )


def _shoulder_to_elbow(rng):
    return DemoCourse(
        "upper limb: shoulder to elbow",
        [
            Flare("right_shoulder", _j(rng, 230, 260), 7, heal=120),
            Flare("right_elbow", _j(rng, 60, 80), 6),
        ],
        ["right_shoulder", "right_elbow"],
        profile={"sex": "male", "birth_year": _j(rng, 1963, 1977)},
    )


def _possible_new_joint(rng):
    # A hip healing, then the knee below it sore for the last three days: not yet
    # told apart from a short ache, so a possible new joint (shown, not emailed).
    s = rng.choice(["left", "right"])
    return DemoCourse(
        "possible new joint",
        [Flare(f"{s}_hip", _j(rng, 110, 130), _j(rng, 6, 8), heal=_j(rng, 140, 170))],
        [f"{s}_hip", f"{s}_knee"],
        recent={f"{s}_knee": [(3, 1), (4, 1), (5, 1)]},
        profile={"sex": "male", "birth_year": _j(rng, 1964, 1978)},
    )


def course_days(
    course: DemoCourse, *, today: dt.date, days: int, rng: random.Random
) -> dict[dt.date, dict[str, tuple[int, int]]]:
    """Logged days → {joint: (pain 0–10, swelling 0–3)} for the tracked joints."""
    tracked = course.tracked or sorted({f.joint for f in course.flares})
    course.tracked = tracked
    diary: dict[dt.date, dict[str, tuple[int, int]]] = {}
    gap = range(0)  # days (counted back from today) of a holiday or hospital stay
    for back in range(days - 1, -1, -1):
        if back < course.stopped_days_ago:
            break
        # An occasional week-long gap besides single missed days.
        if back not in gap and rng.random() < 0.004:
            gap = range(back - rng.randint(5, 12), back + 1)
        pinned = back < max(map(len, course.recent.values()), default=0)
        if not pinned and (back in gap or rng.random() > course.compliance):
            continue
        values = {}
        for joint in tracked:
            pain = sum(
                flare_pain(f, -back + f.onset)
                for f in course.flares
                if f.joint == joint
            )
            base = course.chronic.get(joint, 0.0)
            if base:
                # Arthritic background: 2–4 with short flares that settle in days.
                pain += base + (2 if (back // 9) % 7 == 3 else 0)
            pain = min(
                10, max(0, round(pain + rng.choice((-1, 0, 0, 0, 1)) * (pain > 0.5)))
            )
            swelling = min(
                3, round(pain / 3.2 + (0.4 if pain >= 3 and not base else 0))
            )
            values[joint] = (pain, swelling)
        for joint, days in course.recent.items():
            if back < len(days):
                values[joint] = days[len(days) - 1 - back]
        diary[today - dt.timedelta(days=back)] = values
    return diary
