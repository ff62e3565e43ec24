"""Throughput of the migration detector: python -m bench.detector_speed.

Prints patient-years per second on one core (four tracked joints, one year each,
pure detect() only), then the p50/p95 time of the after-save recompute,
episodes_refresh(), for one patient with two years of history on a scratch SQLite DB.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from apps.detector.detect import Reading, detect
from testkit.synthetic import START, generate_course


def one_year_four_joints(seed: int, n: int) -> list[tuple[list[Reading], list[date]]]:
    """n synthetic diaries cut to one year and four tracked joints (the sizing unit)."""
    rng = random.Random(seed)
    end = START + timedelta(days=365)
    diaries = []
    while len(diaries) < n:
        course = generate_course(rng, messy=rng.random() < 0.7)
        joints = sorted({r.joint for r in course.readings})[:4]
        readings = [r for r in course.readings if r.day < end and r.joint in joints]
        logged = [d for d in course.logged_days if d < end]
        # Patients logging only painful joints produce fewer readings; the sizing
        # unit is four joints logged every logged day, so fill in the quiet ones.
        have = {(r.day, r.joint) for r in readings}
        readings += [
            Reading(d, j, 0, 0) for d in logged for j in joints if (d, j) not in have
        ]
        diaries.append((readings, logged))
    return diaries


def detect_throughput(
    diaries: list[tuple[list[Reading], list[date]]], repeat: int
) -> tuple[float, float]:
    """Best-of-`repeat` patient-years per second for pure detect(): (CPU time, wall clock)."""
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        for readings, logged in diaries:
            detect(readings, logged)
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    return len(diaries) / best_cpu, len(diaries) / best_wall


def reference_loop_seconds() -> float:
    """CPU seconds for 10 million integer additions in a Python loop: a yardstick
    for this machine, so figures from a busy or slow box can be scaled."""
    c0 = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - c0


def two_years_four_joints(seed: int) -> tuple[list[Reading], list[date]]:
    """One synthetic chain course cut to two years and four tracked joints, every joint logged."""
    rng = random.Random(seed)
    end = START + timedelta(days=730)
    while True:
        course = generate_course(rng, messy=False)
        if course.migrations and course.logged_days[-1] >= end - timedelta(days=30):
            break
    joints = sorted({r.joint for r in course.readings})[:4]
    readings = [r for r in course.readings if r.day < end and r.joint in joints]
    logged = [d for d in course.logged_days if d < end]
    have = {(r.day, r.joint) for r in readings}
    readings += [
        Reading(d, j, 0, 0) for d in logged for j in joints if (d, j) not in have
    ]
    return readings, logged


def recompute_times(seed: int, runs: int) -> tuple[int, list[float]]:
    """Milliseconds per episodes_refresh() for one two-year patient; returns (entries, times)."""
    from bench._django import django_setup

    django_setup("detector-speed")
    from apps.accounts.models import User
    from apps.accounts.services import patient_create
    from apps.detector.services import episodes_refresh
    from apps.diary.models import CheckIn, DiaryEntry, Joint

    email = "speed@bench.invalid"
    # A fresh patient each run, so repeated benches measure the same amount of data.
    User.objects.filter(email=email).delete()
    patient = patient_create(email=email, password=None)
    readings, logged = two_years_four_joints(seed)
    joints = dict(Joint.objects.values_list("code", "pk"))
    CheckIn.objects.bulk_create(CheckIn(patient=patient, date=d) for d in logged)
    DiaryEntry.objects.bulk_create(
        (
            DiaryEntry(
                patient=patient,
                joint_id=joints[r.joint],
                date=r.day,
                pain=r.pain,
                swelling=r.swelling,
            )
            for r in readings
        ),
        batch_size=500,
    )
    # The first run stores the episodes and migrations; later ones find them stored,
    # as after an ordinary save.
    episodes_refresh(patient=patient)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        episodes_refresh(patient=patient)
        times.append((time.perf_counter() - t0) * 1000)
    return len(readings), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--recomputes", type=int, default=50)
    args = parser.parse_args()

    diaries = one_year_four_joints(args.seed, args.patients)
    readings = sum(len(r) for r, _ in diaries)
    logged = sum(len(d) for _, d in diaries)
    print("== pure detect() ==")
    print(f"diaries             {len(diaries)} x 1 year, 4 tracked joints")
    print(f"readings            {readings}  ({readings / len(diaries):.0f} per diary)")
    print(f"logged days         {logged}  ({logged / len(diaries):.0f} per diary)")
    cpu_rate, wall_rate = detect_throughput(diaries, args.repeat)
    print(
        f"throughput          {cpu_rate:,.0f} patient-years/s of CPU time (one core, best of {args.repeat})"
    )
    print(f"                    {wall_rate:,.0f} patient-years/s of wall clock")
    print(
        f"yardstick           {reference_loop_seconds():.2f} s CPU for 1e7 Python integer adds"
    )

    print("== after-save recompute: episodes_refresh() ==")
    entries, times = recompute_times(args.seed, args.recomputes)
    times.sort()
    p50 = times[len(times) // 2]
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"patient             2 years, 4 joints, {entries} diary entries (SQLite)")
    print(
        f"recompute           p50 {p50:.1f} ms, p95 {p95:.1f} ms  ({len(times)} runs)"
    )


if __name__ == "__main__":
    main()
