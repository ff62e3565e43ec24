"""Throughput of the migration detector: python -m bench.detector_speed.

Prints patient-years per second on one core: four tracked joints, one year each,
pure detect() only. Later sections (the DB recompute after a save) append to main().
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from apps.detector.detect import Reading, detect
from tests.detector.synthetic import START, generate_course


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
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


if __name__ == "__main__":
    main()
