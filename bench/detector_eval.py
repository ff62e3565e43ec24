"""Accuracy of the migration detector on synthetic diaries: python -m bench.detector_eval.

Prints precision, recall and latency (days from the new joint's true onset to the
flag), plus how often running on a truncated diary disagrees with the full run.
The "signal floor" is how long each matched rise took to reach 1.5 pain points
above baseline, where it starts to stand out of ±1 rating noise: latency cannot
go far below it without flagging ordinary days. The "yardstick" is the latency of
a detector that is told each joint's true baseline (see yardstick_latency).

Three generators: `tmo` (testkit/synthetic.py), `habits`
(synthetic_habits.py) and `heldout` (synthetic_heldout.py, written before the
detector was tuned and never used to tune it). The first two carry the four
confounders of issue 11, each with its own probability (--ache, --chronic-flare,
--gap-return, --holiday-onset; default: the generators' clean and messy settings),
and the figures are broken down by class. --seeds 101-105 pools several cohorts;
--show-false prints every false flag with the diary behind it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from apps.detector.detect import MigrationFinding, detect
from testkit.synthetic import (
    CONFOUNDER_CLASSES,
    Confounders,
    Course,
    TrueMigration,
    generate_cohort,
)
from testkit.synthetic_habits import generate_habits_cohort
from testkit.synthetic_heldout import generate_heldout_cohort

ONSET_TOLERANCE_DAYS = 21


def match(
    truth: list[TrueMigration], found: list[MigrationFinding]
) -> list[tuple[TrueMigration, MigrationFinding]]:
    """Pair each true migration with at most one detected one: same joints, onset within 21 days."""
    pairs = []
    used: set[int] = set()
    for t in sorted(truth, key=lambda t: t.onset):
        best = None
        for idx, m in enumerate(found):
            if idx in used or m.from_joint != t.from_joint or m.to_joint != t.to_joint:
                continue
            err = abs((m.to_onset - t.onset).days)
            if err <= ONSET_TOLERANCE_DAYS and (best is None or err < best[0]):
                best = (err, idx)
        if best is not None:
            used.add(best[1])
            pairs.append((t, found[best[1]]))
    return pairs


def truncated(course: Course, cut: date) -> tuple[list, list]:
    return (
        [r for r in course.readings if r.day <= cut],
        [d for d in course.logged_days if d <= cut],
    )


def causality_violations(
    course: Course, full: list[MigrationFinding], rng: random.Random
) -> tuple[int, int]:
    """Truncate at every flag day, the day before, and random days; count mismatches."""
    if not course.logged_days:
        return 0, 0
    first, last = course.logged_days[0], course.logged_days[-1]
    cuts = {m.detected_on for m in full}
    cuts |= {date.fromordinal(m.detected_on.toordinal() - 1) for m in full}
    cuts |= {
        date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))
        for _ in range(4)
    }
    bad = 0
    for cut in sorted(cuts):
        readings, logged = truncated(course, cut)
        got = detect(readings, logged).migrations
        want = [m for m in full if m.detected_on <= cut]
        if sorted(got, key=repr) != sorted(want, key=repr):
            bad += 1
    return bad, len(cuts)


def yardstick_latency(course: Course, truth: TrueMigration) -> int | None:
    """Days from onset to the flag of a detector that is told the joint's true baseline.

    It flags on the first day the last 7 days' readings (pain + 1.5 x swelling)
    average a point above that baseline with 70 % of them raised: about the
    earliest a rise stands out of ±1 rating noise. No real detector knows the
    baseline so well, or may flag that early without false alarms on ordinary
    wobbles; it shows how much of the latency the courses themselves impose.
    """
    joint, onset = truth.to_joint, truth.onset
    score = {
        r.day: r.pain + 1.5 * r.swelling for r in course.readings if r.joint == joint
    }
    days = course.logged_days
    start = bisect_left(days, onset - timedelta(60))
    at = bisect_left(days, onset)
    before = sorted(score.get(d, 0) for d in days[start:at])
    if len(before) < 5:
        return None
    base = before[len(before) // 2]
    for i in range(at, len(days)):
        week = [
            score.get(d, 0) - base
            for d in days[bisect_left(days, days[i] - timedelta(6)) : i + 1]
        ]
        raised = sum(x >= 1 for x in week)
        if len(week) >= 4 and sum(week) >= len(week) and raised >= 0.7 * len(week):
            return (days[i] - onset).days
    return None


def percentile(values: list[int], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(q * len(ordered)))])


@dataclass
class _Tally:
    """Counts for one group of courses (all of them, or one confounder class)."""

    courses: int = 0
    true: int = 0
    found: int = 0
    matched: int = 0
    latencies: list[int] = field(default_factory=list)

    def add(self, truth: int, found: int, latencies: list[int]) -> None:
        self.courses += 1
        self.true += truth
        self.found += found
        self.matched += len(latencies)
        self.latencies += latencies

    def row(self, name: str) -> str:
        precision = self.matched / self.found if self.found else 1.0
        recall = self.matched / self.true if self.true else 1.0
        if self.latencies:
            lat = f"{statistics.median(self.latencies):>5.1f} {percentile(self.latencies, 0.9):>5.1f}"
        else:
            lat = f"{'-':>5} {'-':>5}"
        return (
            f"  {name:<15}{self.courses:>8}{self.true:>6}{self.found:>8}{self.matched:>8}"
            f"{precision:>10.3f}{recall:>8.3f}  {lat}"
        )


TALLY_HEADER = (
    f"  {'class':<15}{'courses':>8}{'true':>6}{'flagged':>8}{'matched':>8}"
    f"{'precision':>10}{'recall':>8}  {'med':>5} {'p90':>5}"
)


def evaluate(
    courses: list[Course], seed: int, verbose: bool = False, show_false: bool = False
) -> dict:
    rng = random.Random(seed)
    n_true = n_found = n_match = 0
    latencies: list[int] = []
    onset_err: list[int] = []
    kind_ok = 0
    violations = checks = 0
    misses: Counter[str] = Counter()
    false_alarms: Counter[str] = Counter()
    by_shape: dict[str, list[int]] = {}
    floor: list[int] = []
    after_signal: list[int] = []
    yardstick: list[int] = []
    # Per confounder class: the courses that have it, and the migrations it sits on.
    by_class = {name: _Tally() for name in ("none", *CONFOUNDER_CLASSES)}
    on_migration = {name: _Tally() for name in CONFOUNDER_CLASSES}
    false_flags: list[str] = []
    for course in courses:
        found = detect(course.readings, course.logged_days).migrations
        pairs = match(course.migrations, found)
        n_true += len(course.migrations)
        n_found += len(found)
        n_match += len(pairs)
        episodes = {(e.joint, e.onset): e for e in course.episodes}
        for t in course.migrations:
            days = yardstick_latency(course, t)
            if days is not None:
                yardstick.append(days)
        course_latencies = []
        for t, m in pairs:
            latencies.append((m.detected_on - t.onset).days)
            course_latencies.append(latencies[-1])
            episode = episodes[(t.to_joint, t.onset)]
            by_shape.setdefault(episode.shape, []).append(latencies[-1])
            floor.append((episode.signal - t.onset).days)
            after_signal.append((m.detected_on - episode.signal).days)
            onset_err.append((m.to_onset - t.onset).days)
            kind_ok += t.kind == m.kind
        classes = [c for c in CONFOUNDER_CLASSES if c in course.tags] or ["none"]
        for name in classes:
            by_class[name].add(len(course.migrations), len(found), course_latencies)
        matched_truth = {id(t): m for t, m in pairs}
        for t in course.migrations:
            if t.confounder:
                m = matched_truth.get(id(t))
                lat = [(m.detected_on - t.onset).days] if m else []
                on_migration[t.confounder].add(1, 1 if m else 0, lat)
        if len(pairs) < len(course.migrations):
            misses.update(course.tags)
        if len(pairs) < len(found):
            false_alarms.update(course.tags)
            if show_false:
                matched_found = {id(m) for _, m in pairs}
                false_flags += [
                    describe_false_flag(course, m)
                    for m in found
                    if id(m) not in matched_found
                ]
        if verbose and (len(pairs) < len(course.migrations) or len(pairs) < len(found)):
            print(course.patient, sorted(course.tags))
            print(
                "   truth:",
                [
                    (t.from_joint, t.to_joint, str(t.onset), t.kind, t.confounder)
                    for t in course.migrations
                ],
            )
            print(
                "   found:",
                [
                    (m.from_joint, m.to_joint, str(m.to_onset), str(m.detected_on))
                    for m in found
                ],
            )
        bad, n = causality_violations(course, found, rng)
        violations += bad
        checks += n
    return {
        "patients": len(courses),
        "true": n_true,
        "found": n_found,
        "matched": n_match,
        "precision": n_match / n_found if n_found else 1.0,
        "recall": n_match / n_true if n_true else 1.0,
        "median_latency": statistics.median(latencies) if latencies else float("nan"),
        "p90_latency": percentile(latencies, 0.9),
        "max_latency": max(latencies, default=0),
        "median_onset_error": statistics.median(onset_err)
        if onset_err
        else float("nan"),
        "kind_agreement": kind_ok / n_match if n_match else 1.0,
        "causality_violations": violations,
        "causality_checks": checks,
        "signal_floor": (statistics.median(floor), percentile(floor, 0.9))
        if floor
        else (float("nan"), float("nan")),
        "after_signal": (statistics.median(after_signal), percentile(after_signal, 0.9))
        if after_signal
        else (float("nan"), float("nan")),
        "yardstick": (statistics.median(yardstick), percentile(yardstick, 0.9))
        if yardstick
        else (float("nan"), float("nan")),
        "latency_by_shape": {
            shape: (statistics.median(v), percentile(v, 0.9), len(v))
            for shape, v in sorted(by_shape.items())
        },
        "misses_by_tag": dict(misses),
        "false_alarms_by_tag": dict(false_alarms),
        "by_class": by_class,
        "on_migration": on_migration,
        "false_flags": false_flags,
    }


def describe_false_flag(course: Course, m: MigrationFinding) -> str:
    """The false flag, the truth, and both joints' diary from 3 weeks before the
    flagged onset to the flag day: what the detector saw."""
    lines = [
        f"{course.patient} {sorted(course.tags)}",
        f"  flagged {m.from_joint} -> {m.to_joint} onset {m.to_onset} on {m.detected_on}",
        "  truth   "
        + (
            "; ".join(
                f"{t.from_joint} -> {t.to_joint} onset {t.onset} {t.kind}"
                + (f" [{t.confounder}]" if t.confounder else "")
                for t in course.migrations
            )
            or "(no migration)"
        ),
    ]
    lo = m.to_onset - timedelta(days=21)
    scores = {(r.day, r.joint): (r.pain, r.swelling) for r in course.readings}
    days = [d for d in course.logged_days if lo <= d <= m.detected_on]
    for joint in (m.to_joint, m.from_joint):
        cells = " ".join(
            "{}:{}/{}".format(d.strftime("%m-%d"), *scores.get((d, joint), (0, 0)))
            for d in days
        )
        lines.append(f"  {joint:<12} {cells}")
    return "\n".join(lines)


def parse_seeds(text: str) -> list[int]:
    """ "101-105" or "1,2,3" (or a mix) as a list of seeds."""
    seeds: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds += range(int(lo), int(hi or lo) + 1)
    return seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=400, help="per seed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--seeds", help="several cohorts pooled, e.g. 101-105 (overrides --seed)"
    )
    parser.add_argument("--messy-share", type=float, default=0.7)
    parser.add_argument(
        "--generator",
        choices=("tmo", "habits", "heldout"),
        default="tmo",
        help="tmo: the courses the detector was first tuned on; habits: an independent "
        "generator whose messy courses have patients' own rating and logging habits; "
        "heldout: a third one, never used for tuning",
    )
    for name in CONFOUNDER_CLASSES:
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=float,
            metavar="P",
            help=f"probability of the {name} confounder per course (tmo, habits)",
        )
    parser.add_argument(
        "--no-confounders", action="store_true", help="all four probabilities 0"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="print every course with an error"
    )
    parser.add_argument(
        "--show-false",
        action="store_true",
        help="print every false flag with the diary behind it",
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    seeds = parse_seeds(args.seeds) if args.seeds else [args.seed]
    chosen = {
        name: getattr(args, name)
        for name in CONFOUNDER_CLASSES
        if getattr(args, name) is not None
    }
    confounders = None
    if args.no_confounders or chosen:
        confounders = Confounders(**chosen)
    courses: list[Course] = []
    for seed in seeds:
        if args.generator == "heldout":
            courses += generate_heldout_cohort(
                args.patients, seed, messy_share=args.messy_share
            )
        else:
            generate = (
                generate_habits_cohort
                if args.generator == "habits"
                else generate_cohort
            )
            courses += generate(
                args.patients,
                seed,
                messy_share=args.messy_share,
                confounders=confounders,
            )
    if args.generator == "heldout":
        setting = "its own confounders"
    elif confounders is None:
        setting = "default confounders"
    else:
        setting = "confounders " + ", ".join(
            f"{name} {getattr(confounders, name):g}" for name in CONFOUNDER_CLASSES
        )
    seed_text = args.seeds if args.seeds else str(args.seed)
    cohort = (
        f"{args.generator} generator, messy share {args.messy_share:.0%}, "
        f"seed {seed_text}, {setting}"
    )
    result = evaluate(courses, seeds[0], args.verbose, args.show_false)
    print(f"patients            {result['patients']}  ({cohort})")
    print(f"true migrations     {result['true']}")
    print(f"flagged             {result['found']}")
    print(f"matched             {result['matched']}")
    print(f"precision           {result['precision']:.3f}")
    print(f"recall              {result['recall']:.3f}")
    print(f"latency median      {result['median_latency']:.1f} d")
    print(f"latency p90         {result['p90_latency']:.1f} d")
    print(f"latency max         {result['max_latency']} d")
    for shape, (med, p90, n) in result["latency_by_shape"].items():
        print(f"  {shape:<8} rise     median {med:.1f} d, p90 {p90:.1f} d  (n={n})")
    med, p90 = result["signal_floor"]
    print(
        f"signal floor        median {med:.1f} d, p90 {p90:.1f} d  (true onset to +1.5 pain points)"
    )
    med, p90 = result["after_signal"]
    print(f"flag after signal   median {med:+.1f} d, p90 {p90:+.1f} d")
    med, p90 = result["yardstick"]
    print(
        f"yardstick           median {med:.1f} d, p90 {p90:.1f} d  (told the true baseline: 7-day mean +1 point)"
    )
    print(f"onset error median  {result['median_onset_error']:+.1f} d")
    print(f"kind agreement      {result['kind_agreement']:.3f}")
    print(
        f"causality           {result['causality_violations']} violations in {result['causality_checks']} truncations"
    )
    print("by confounder class (courses that have it; latency in days):")
    print(TALLY_HEADER)
    for name, tally in result["by_class"].items():
        print(tally.row(name))
    if any(t.courses for t in result["on_migration"].values()):
        print("the migration each class sits on (its recall and latency):")
        print(TALLY_HEADER)
        for name, tally in result["on_migration"].items():
            if tally.courses:
                print(tally.row(name))
    print(f"courses with a miss, by tag         {result['misses_by_tag']}")
    print(f"courses with a false flag, by tag   {result['false_alarms_by_tag']}")
    for text in result["false_flags"]:
        print(text)
    print(f"elapsed             {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
