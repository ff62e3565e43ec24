"""Words and ranges every screen and email shares, so they never disagree. Pure Python."""

from __future__ import annotations

PAIN_MAX = 10  # 0 = no pain … 10 = worst imaginable, as patients rate it
SWELLING_MAX = 3
SWELLING_LABELS = ("none", "mild", "moderate", "severe")  # index = swelling grade 0–3

# The diary table's ranges in days, on the patient's and the physician's pages alike.
DIARY_RANGES = (28, 91, 182, 365)


def diary_range(value: str | None) -> int:
    """A `days` query parameter as one of DIARY_RANGES; anything else gives the first."""
    try:
        days = int(value or "")
    except ValueError:
        return DIARY_RANGES[0]
    return days if days in DIARY_RANGES else DIARY_RANGES[0]
