"""Plain course data in, drawings out: one module per figure, the course model apart.

Pure package: no Django, no clock (`today` is part of the data). Everything the
patient page, the physician detail page and the printable summary draw is built
here, so tests check the drawings as data.
"""

from __future__ import annotations

from apps.dashboard.figures.body_map import BodyJoint, BodyMap, body_map, pain_colour
from apps.dashboard.figures.course import (
    PHASE_COLOURS,
    PHASE_LABELS,
    Course,
    EpisodeSpan,
    EventMark,
    MigrationMark,
    add_months,
    months_between,
    phase_spans,
    recovery_window,
)
from apps.dashboard.figures.print_course import PrintCourse, print_course
from apps.dashboard.figures.sparkline import Sparkline, shift_series, sparkline
from apps.dashboard.figures.text import ENGLISH, FigureText
from apps.dashboard.figures.timeline import (
    BUNDLE_TRACE_TYPES,
    DAY_MS,
    ROW_GAP_PX,
    ROW_PX,
    SWELLING_COLOUR,
    timeline_figure,
    trace_types,
)
from apps.dashboard.figures.timeline_svg import (
    RANGE_BUTTONS,
    StaticTimeline,
    timeline_static,
)

__all__ = [
    "BUNDLE_TRACE_TYPES",
    "DAY_MS",
    "ENGLISH",
    "PHASE_COLOURS",
    "PHASE_LABELS",
    "RANGE_BUTTONS",
    "ROW_GAP_PX",
    "ROW_PX",
    "SWELLING_COLOUR",
    "BodyJoint",
    "BodyMap",
    "Course",
    "EpisodeSpan",
    "EventMark",
    "FigureText",
    "MigrationMark",
    "PrintCourse",
    "Sparkline",
    "StaticTimeline",
    "add_months",
    "body_map",
    "months_between",
    "pain_colour",
    "phase_spans",
    "print_course",
    "recovery_window",
    "shift_series",
    "sparkline",
    "timeline_figure",
    "timeline_static",
    "trace_types",
]
