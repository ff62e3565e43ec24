"""Every word the drawings show, passed in translated: the figures stay free of Django."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from apps.core.vocabulary import SWELLING_LABELS
from apps.dashboard.figures.course import PHASE_LABELS
from apps.diary.anatomy import JOINTS


@dataclass(frozen=True)
class FigureText:
    """Every word the drawings show, in the reader's language.

    Templates with %(name)s placeholders; month and day names for the date
    axis (Plotly's own locale format) and for the printed SVG.
    """

    joints: Mapping[str, str] = field(
        default_factory=lambda: {c: j.label for c, j in JOINTS.items()}
    )
    phases: Mapping[str, str] = field(default_factory=lambda: dict(PHASE_LABELS))
    swelling: Sequence[str] = SWELLING_LABELS
    lower_limbs: str = "Lower limbs"
    upper_limbs: str = "Upper limbs"
    pain_hover: str = "Pain %(value)s/10"
    swelling_hover: str = "Swelling %(level)s"
    swelling_trace: str = "Swelling: %(level)s"
    moved: str = "moved %(date)s"
    nothing_logged: str = "Nothing logged yet: your days will appear here."
    # Range buttons: 1 month, 3 months, 6 months, 1 year, everything.
    ranges: Sequence[str] = ("1m", "3m", "6m", "1y", "All")
    svg_title: str = "Pain per joint from %(start)s to %(end)s"
    locale: str = "en"
    months: Sequence[str] = tuple(calendar.month_name[1:])
    short_months: Sequence[str] = tuple(calendar.month_abbr[1:])
    days: Sequence[str] = (
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    )
    short_days: Sequence[str] = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")

    def day_month(self, day: dt.date) -> str:
        """E.g. "5 Nov" / "5 nov." for the migration arrow."""
        return f"{day.day} {self.short_months[day.month - 1]}"

    def day_month_year(self, day: dt.date) -> str:
        return f"{day.day} {self.short_months[day.month - 1]} {day.year}"

    def plotly_locale(self) -> dict:
        """config.locales entry: Plotly formats the date axis and hovers with these names."""
        return {
            "format": {
                "months": list(self.months),
                "shortMonths": list(self.short_months),
                "days": list(self.days),
                "shortDays": list(self.short_days),
            }
        }


ENGLISH = FigureText()
