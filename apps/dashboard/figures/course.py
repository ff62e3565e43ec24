"""The course as plain data: what every figure draws, and the calendar arithmetic
of an episode's 3–9 month course. Pure: no Django, no clock (`today` is data)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

PHASE_COLOURS = {
    "rising": "rgba(201, 98, 43, 0.22)",
    "peak": "rgba(179, 38, 30, 0.26)",
    "improving": "rgba(176, 138, 30, 0.18)",
    "resolved": "rgba(47, 125, 79, 0.18)",
}
PHASE_LABELS = {
    "rising": "Rising",
    "peak": "At its peak",
    "improving": "Improving",
    "resolved": "Resolved",
}
# The plateau after the peak day is not stored, so a finished peak is drawn this long.
PEAK_SHADE_DAYS = 14
# The detector needs this many near-baseline days to call an episode healed
# (detect.RESOLVE_DAYS); that healed stretch is what the "resolved" shade shows.
HEALED_STRETCH_DAYS = 21
# Typical recovery window of one episode (docs/clinical.md): 3 to 9 months after onset.
RECOVERY_MONTHS = (3, 9)


@dataclass(frozen=True)
class EpisodeSpan:
    joint: str
    onset: dt.date
    peak: dt.date
    phase: str  # "rising" | "peak" | "improving" | "resolved"
    resolved_on: dt.date | None = None
    peak_pain: int = 0


@dataclass(frozen=True)
class MigrationMark:
    from_joint: str
    to_joint: str
    to_onset: dt.date
    detected_on: dt.date


@dataclass(frozen=True)
class EventMark:
    day: dt.date
    label: str  # short text on the marker, e.g. "MRI L hip"
    title: str = ""  # longer hover text
    joint: str | None = None


@dataclass(frozen=True)
class Course:
    """One patient's diary and findings from `start` to `today`, both inclusive."""

    start: dt.date
    today: dt.date
    joints: tuple[str, ...]  # anatomy codes, in JOINT_ORDER
    logged: frozenset[dt.date]
    # (day, joint) → (pain 0-10, swelling 0-3); a logged day without a key is 0/0.
    readings: dict[tuple[dt.date, str], tuple[int, int]] = field(default_factory=dict)
    episodes: tuple[EpisodeSpan, ...] = ()
    migrations: tuple[MigrationMark, ...] = ()
    events: tuple[EventMark, ...] = ()

    @property
    def days(self) -> list[dt.date]:
        n = (self.today - self.start).days + 1
        return [self.start + dt.timedelta(days=i) for i in range(max(n, 0))]

    def pain(self, joint: str) -> list[int | None]:
        """Daily pain from start to today; None on days the patient did not log."""
        return [
            self.readings.get((d, joint), (0, 0))[0] if d in self.logged else None
            for d in self.days
        ]

    def swelling(self, joint: str) -> list[int | None]:
        return [
            self.readings.get((d, joint), (0, 0))[1] if d in self.logged else None
            for d in self.days
        ]

    @property
    def active_episodes(self) -> list[EpisodeSpan]:
        return [e for e in self.episodes if e.phase != "resolved"]


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; 31 Jan + 1 month is the last day of February."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start to end (0 in the first month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def recovery_window(onset: dt.date) -> tuple[dt.date, dt.date]:
    """When an episode starting on onset usually heals: onset+3 to onset+9 months."""
    return add_months(onset, RECOVERY_MONTHS[0]), add_months(onset, RECOVERY_MONTHS[1])


def phase_spans(
    episode: EpisodeSpan, today: dt.date
) -> list[tuple[str, dt.date, dt.date]]:
    """(phase, first day, day after last) of the stretches one episode went through."""
    spans: list[tuple[str, dt.date, dt.date]] = []
    end_of_episode = episode.resolved_on or today + dt.timedelta(days=1)
    peak = min(episode.peak, end_of_episode)
    if episode.phase == "rising":
        return [("rising", episode.onset, end_of_episode)]
    if peak > episode.onset:
        spans.append(("rising", episode.onset, peak))
    if episode.phase == "peak":
        spans.append(("peak", peak, end_of_episode))
        return spans
    peak_end = min(peak + dt.timedelta(days=PEAK_SHADE_DAYS), end_of_episode)
    spans.append(("peak", peak, peak_end))
    if end_of_episode > peak_end:
        spans.append(("improving", peak_end, end_of_episode))
    if episode.phase == "resolved" and episode.resolved_on is not None:
        healed_end = min(
            episode.resolved_on + dt.timedelta(days=HEALED_STRETCH_DAYS),
            today + dt.timedelta(days=1),
        )
        spans.append(("resolved", episode.resolved_on, healed_end))
    return [s for s in spans if s[2] > s[1]]
