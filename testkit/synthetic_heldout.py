"""A third generator of synthetic TMO diaries, kept for held-out scoring only.

The detector is tuned on `synthetic.py` and `synthetic_habits.py`; this one was
written before that tuning, from assumptions neither of them makes, and is never
used to choose a constant. If the detector only learned our generators' quirks,
it shows here:

- an episode is a smooth pulse: a gamma-shaped build-up to the peak in 3-8 weeks
  (slow-starting for some, quick for others) and a stretched-exponential healing
  tail, 3-9 months in all; swelling follows the oedema a few days late;
- a patient turns what they feel into a score through their own curve (some
  compress high pain, some stretch it), anchor on yesterday's score, and slip by
  one or two points on some days rather than by a fixed ±1;
- logging depends on how the patient feels: nearly every day while something
  hurts, much less often while well (25-60 % of days in messy diaries), in bursts,
  with holidays; so a patient coming back after weeks away often comes back
  because a joint started hurting;
- aches arrive as a Poisson process in any of the 16 joints (0-6 a year), last
  1-4 days, and the patient adds the joint to the diary only while it is sore;
- arthritic joints wander around their own level and flare for 2-12 days, and sit
  beside a migrating joint half the time;
- the next joint is drawn from proportions in the spirit of the literature (distal
  neighbour first, then the other side, rarely a skip or another limb), starting
  while the last one heals or up to eighteen months after it healed.

Ground truth uses `synthetic`'s dataclasses, so the bench scores it the same way.
Its tags name the four confounder classes where they happen here (aches,
"chronic_flare" for an arthritic neighbour flaring within a week of an onset,
"gap_return" for an onset inside an unlogged stretch of two weeks or more,
"holiday_onset" for a holiday starting within a week of an onset). Pure (no Django).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta

from apps.detector.detect import Reading
from apps.diary.anatomy import JOINTS, LIMBS, relation
from testkit.synthetic import (
    SIGNAL_EXCESS,
    START,
    Course,
    TrueEpisode,
    TrueMigration,
)


@dataclass
class _Pulse:
    """One episode's felt excess (0-10 points) over day index t."""

    onset: int
    to_peak: int  # days from onset to the peak
    sharpness: float  # gamma shape of the build-up: 1.2 quick start, 4 slow start
    peak: float
    heal_scale: float  # days
    heal_power: float
    swell_max: int
    swell_lag: int  # days the oedema (swelling) trails the pain

    def felt(self, t: int) -> float:
        x = t - self.onset
        if x <= 0:
            return 0.0
        if x <= self.to_peak:
            u = x / self.to_peak
            return self.peak * (u**self.sharpness) * math.exp(self.sharpness * (1 - u))
        level = self.peak * math.exp(
            -(((x - self.to_peak) / self.heal_scale) ** self.heal_power)
        )
        return level if level >= 0.2 else 0.0

    @property
    def end(self) -> int:
        # Where the tail drops under 0.2 points.
        rest = self.heal_scale * math.log(self.peak / 0.2) ** (1 / self.heal_power)
        return self.onset + self.to_peak + int(rest) + 1

    def swelling(self, t: int) -> float:
        return self.swell_max * min(
            1.0, self.felt(t - self.swell_lag) / self.peak * 1.3
        )

    def first_day_at(self, excess: float) -> int:
        t = self.onset + 1
        while t < self.end and self.felt(t) < excess:
            t += 1
        return t


def _pulse(rng: random.Random, onset: int, mild: bool) -> _Pulse:
    to_peak = rng.randint(21, 56)
    peak = rng.uniform(3.0, 4.0) if mild else rng.triangular(4.5, 9.5, 7.0)
    total = rng.randint(90, 270)
    heal_power = rng.uniform(0.8, 2.0)
    rest = max(40, total - to_peak)
    # Pick the scale so the tail reaches 0.2 points at about `total` days.
    heal_scale = rest / math.log(peak / 0.2) ** (1 / heal_power)
    return _Pulse(
        onset=onset,
        to_peak=to_peak,
        sharpness=rng.choice((1.2, 1.6, 2.0, 2.5, 3.0, 4.0)),
        peak=peak,
        heal_scale=heal_scale,
        heal_power=heal_power,
        swell_max=rng.choice((1, 2)) if mild else rng.choice((0, 1, 1, 2, 2, 3)),
        swell_lag=rng.randint(0, 10),
    )


def _next_joint(rng: random.Random, joint: str, used: set[str]) -> str:
    info = JOINTS[joint]
    kinds = LIMBS[info.limb]
    roll = rng.random()
    options: list[str] = []
    if roll < 0.45 and info.position < len(kinds):
        options = [f"{info.side}_{kinds[info.position]}"]  # the next joint down
    elif roll < 0.55 and info.position > 1:
        options = [f"{info.side}_{kinds[info.position - 2]}"]  # the one above
    elif roll < 0.85:
        options = [f"{'right' if info.side == 'left' else 'left'}_{info.kind}"]
    options = [j for j in options if j not in used]
    if not options:
        options = [j for j in JOINTS if j not in used and j != joint]
        lower = [j for j in options if JOINTS[j].limb == "lower"]
        # Another limb is rare; most skips stay on the lower limbs.
        if lower and rng.random() < 0.85:
            options = lower
    return rng.choice(options)


def _scorer(rng: random.Random, messy: bool):
    """The patient's curve from felt level to a 0-10 score, slips and anchoring."""
    bend = rng.uniform(0.75, 1.3) if messy else rng.uniform(0.9, 1.1)
    lift = rng.choice((0, 0, 0, 0, 1, 1, 2)) if messy else 0
    slip = rng.uniform(0.15, 0.5) if messy else rng.uniform(0.1, 0.3)
    anchor = rng.uniform(0.0, 0.5) if messy else 0.1
    last: dict[str, int] = {}

    def score(joint: str, felt: float) -> int:
        value = lift + 10 * (min(felt, 10.0) / 10) ** bend
        roll = rng.random()
        if roll < slip / 5:
            value += rng.choice((-2, 2))
        elif roll < slip:
            value += rng.choice((-1, 1))
        out = min(10, max(0, round(value)))
        before = last.get(joint)
        if before is not None and abs(before - out) <= 1 and rng.random() < anchor:
            out = before
        last[joint] = out
        return out

    return score, lift


def generate_heldout_course(
    rng: random.Random, *, messy: bool = True, name: str = "x"
) -> Course:
    """One patient's diary and ground truth, drawn from this module's assumptions."""
    tags: set[str] = set()
    scenario = rng.choices(
        ("chain", "single", "control", "recurrence"), weights=(55, 15, 15, 15)
    )[0]
    tags.add(scenario)
    pulses: list[tuple[str, _Pulse]] = []
    truths: list[TrueMigration] = []
    if scenario != "control":
        limb = "lower" if rng.random() < 0.95 else "upper"
        joint = f"{rng.choice(('left', 'right'))}_{rng.choice(LIMBS[limb][:3])}"
        onset = rng.randint(10, 120)
        if rng.random() < 0.3:
            onset = rng.randint(-40, 5)  # the diary starts because it already hurts
            tags.add("censored")
        used = {joint}
        count = {"chain": rng.randint(2, 4), "single": 1, "recurrence": 2}[scenario]
        for k in range(count):
            pulse = _pulse(rng, onset, mild=k > 0 and rng.random() < 0.15)
            if pulses:
                src_joint, src = pulses[-1]
                truths.append(
                    TrueMigration(
                        src_joint,
                        joint,
                        relation(src_joint, joint),
                        "overlap" if onset < src.end else "sequential",
                        START + timedelta(onset),
                    )
                )
            pulses.append((joint, pulse))
            if rng.random() < 0.45:
                onset = pulse.onset + pulse.to_peak + rng.randint(10, 90)
            else:
                onset = pulse.end + int(rng.expovariate(1 / 120)) + 14
                onset = min(onset, pulse.end + 540)
            joint = _next_joint(rng, joint, used)
            used.add(joint)
        if scenario == "recurrence":
            first_joint, first = pulses[0]
            last_joint, last = pulses[-1]
            again = max(
                first.end + rng.randint(200, 500), last.end + rng.randint(20, 120)
            )
            truths.append(
                TrueMigration(
                    last_joint,
                    first_joint,
                    relation(last_joint, first_joint),
                    "sequential",
                    START + timedelta(again),
                )
            )
            pulses.append((first_joint, _pulse(rng, again, mild=False)))

    end = max([p.end for _, p in pulses], default=0) + rng.randint(20, 150)
    end = max(end, 240)
    tracked = {j for j, _ in pulses}
    while len(tracked) < 3:
        tracked.add(rng.choice(("left_hip", "right_hip", "left_knee", "right_knee")))

    # Arthritic joints: their own wandering level and flares of 2-12 days.
    arthritic: dict[str, tuple[float, list[tuple[int, int, float]]]] = {}
    for _ in range(
        rng.choice((0, 0, 0, 1, 1, 2)) if messy else rng.choice((0, 0, 0, 0, 1))
    ):
        near = [
            j
            for chain_joint, _ in pulses
            for j in JOINTS
            if relation(chain_joint, j) != "other" and j not in tracked
        ]
        far = [
            j
            for j in ("left_knee", "right_knee", "left_hip", "right_hip")
            if j not in tracked
        ]
        pool = near if near and rng.random() < 0.5 else far
        if not pool:
            continue
        joint = rng.choice(pool)
        flares = []
        t = rng.randint(0, 30)
        while t < end:
            flares.append((t, t + rng.randint(2, 12), rng.uniform(1.5, 4.5)))
            t += rng.randint(15, 60)
        arthritic[joint] = (rng.uniform(1.5, 4.0), flares)
        tracked.add(joint)
        if any(
            abs(f0 - p.onset) <= 7 and relation(j, joint) != "other"
            for j, p in pulses
            for f0, _, _ in flares
        ):
            tags.add("chronic_flare")
    if arthritic:
        tags.add("chronic")

    # Aches anywhere, at a patient-specific rate; the joint appears only while sore.
    aches: dict[tuple[str, int], float] = {}
    rate = rng.uniform(0, 6) / 365
    t = 0.0
    while rate:
        t += rng.expovariate(rate)
        if t >= end:
            break
        joint = rng.choice(sorted(JOINTS))
        if joint in arthritic or any(
            j == joint and p.onset - 5 <= t <= p.end for j, p in pulses
        ):
            continue
        level = rng.uniform(2, 6)
        length = 1
        while length < 4 and rng.random() < 0.5:
            length += 1
        for k in range(length):
            aches[(joint, int(t) + k)] = level
        tags.add("ache")

    score, lift = _scorer(rng, messy)
    if lift:
        tags.add("never_zero")
    well_rate = rng.uniform(0.25, 0.6) if messy else rng.uniform(0.85, 0.98)
    sore_rate = rng.uniform(0.8, 1.0) if messy else rng.uniform(0.92, 1.0)
    holidays: list[tuple[int, int]] = []
    for _ in range(rng.choice((0, 1, 1, 2)) if messy else rng.choice((0, 0, 0, 1))):
        h0 = rng.randint(0, end)
        holidays.append((h0, h0 + rng.randint(7, 28)))
    if messy and pulses and rng.random() < 0.12:
        # A holiday that starts within a week of a new joint's onset.
        _, p = rng.choice(pulses[1:] or pulses)
        h0 = p.onset + rng.randint(-7, 3)
        holidays.append((h0, h0 + rng.randint(18, 30)))
    stick = rng.uniform(0.3, 0.7) if messy else 0.2
    if messy and well_rate < 0.4:
        tags.add("poor_compliance")
    if holidays:
        tags.add("holidays")

    readings: list[Reading] = []
    logged = []
    logging = True  # bursts: today's logging leans on yesterday's
    for t in range(end):
        felt_by_joint = {}
        for joint in tracked | {j for j, d in aches if d == t}:
            felt = sum(p.felt(t) for j, p in pulses if j == joint)
            if joint in arthritic:
                level, flares = arthritic[joint]
                level += 0.5 * math.sin(t / 23 + len(joint))
                felt = max(felt, level) + max(
                    (a for f0, f1, a in flares if f0 <= t <= f1), default=0.0
                )
            felt += aches.get((joint, t), 0.0)
            felt_by_joint[joint] = felt
        sore = any(f >= 2 for f in felt_by_joint.values())
        rate_now = sore_rate if sore else well_rate
        # A two-state chain whose long-run share of logged days is rate_now.
        chance = (
            rate_now + stick * (1 - rate_now) if logging else rate_now * (1 - stick)
        )
        logging = rng.random() < chance and not any(a <= t < b for a, b in holidays)
        if not logging:
            continue
        day = START + timedelta(t)
        logged.append(day)
        for joint in sorted(felt_by_joint):
            felt = felt_by_joint[joint]
            swell = max((p.swelling(t) for j, p in pulses if j == joint), default=0.0)
            if joint in arthritic and felt > arthritic[joint][0] + 1.5:
                swell = max(swell, rng.choice((0.0, 0.0, 1.0)))
            if (joint, t) in aches and rng.random() < 0.1:
                swell = max(swell, 1.0)
            s = min(3, max(0, round(swell + rng.gauss(0, 0.25))))
            readings.append(Reading(day, joint, score(joint, felt), s))

    logged_set = set(logged)
    for tm in truths:
        at = (tm.onset - START).days
        back = at
        while back < end and START + timedelta(back) not in logged_set:
            back += 1
        before = at
        while before > 0 and START + timedelta(before) not in logged_set:
            before -= 1
        if back - before >= 14:
            tags.add("gap_return")
        if any(-7 <= a - at <= 7 for a, _ in holidays):
            tags.add("holiday_onset")

    episodes = [
        TrueEpisode(
            joint,
            f"gamma{p.sharpness:g}",
            p.to_peak,
            START + timedelta(p.onset),
            round(p.peak),
            START + timedelta(p.end),
            START + timedelta(p.first_day_at(SIGNAL_EXCESS)),
        )
        for joint, p in pulses
    ]
    return Course(name, readings, logged, truths, episodes, tags)


def generate_heldout_cohort(
    n: int, seed: int = 0, *, messy_share: float = 0.5
) -> list[Course]:
    """n seeded courses from this generator; messy_share of them messy."""
    rng = random.Random(seed)
    return [
        generate_heldout_course(
            rng, messy=rng.random() < messy_share, name=f"x{seed}-{i}"
        )
        for i in range(n)
    ]
