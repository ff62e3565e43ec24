"""The front-view body map: joints coloured by pain, the path the trouble took,
and the joints it usually moves to next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.dashboard.figures.course import Course
from apps.dashboard.figures.text import ENGLISH, FigureText
from apps.diary.anatomy import JOINT_ORDER, neighbours

# Front view, viewBox 0 0 200 400: the patient's left is on the viewer's right.
JOINT_XY: dict[str, tuple[int, int]] = {
    "right_shoulder": (68, 86),
    "left_shoulder": (132, 86),
    "right_elbow": (56, 146),
    "left_elbow": (144, 146),
    "right_wrist": (48, 198),
    "left_wrist": (152, 198),
    "right_hand": (44, 220),
    "left_hand": (156, 220),
    "right_hip": (85, 200),
    "left_hip": (115, 200),
    "right_knee": (83, 284),
    "left_knee": (117, 284),
    "right_ankle": (81, 358),
    "left_ankle": (119, 358),
    "right_foot": (76, 380),
    "left_foot": (124, 380),
}


def pain_colour(pain: int | None) -> str:
    """Fill for a pain score: grey when unknown, then green → yellow → orange → red."""
    if pain is None:
        return "#d8dee6"
    if pain == 0:
        return "#9cc5a8"
    if pain <= 3:
        return "#e3c15a"
    if pain <= 6:
        return "#e08a3c"
    return "#c0392b"


@dataclass(frozen=True)
class BodyJoint:
    code: str
    label: str
    x: int
    y: int
    pain: int | None
    fill: str
    active: bool  # part of an active episode
    likely_next: bool  # adjacent/contralateral of an active episode, itself quiet
    order: int | None  # 1-based position in the path the trouble took


@dataclass(frozen=True)
class BodyMap:
    joints: list[BodyJoint]
    path: str  # SVG polyline points through the episodes in onset order
    as_of: dt.date | None  # the logged day whose pain is shown
    likely_labels: list[str]


def body_map(course: Course, *, text: FigureText = ENGLISH) -> BodyMap:
    """Joints coloured by the latest logged day's pain, the migration path, and likely next joints."""
    as_of = max((d for d in course.logged if d <= course.today), default=None)
    order: dict[str, int] = {}
    path_points = []
    for episode in sorted(course.episodes, key=lambda e: e.onset):
        if episode.joint not in order:
            order[episode.joint] = len(order) + 1
        x, y = JOINT_XY[episode.joint]
        if not path_points or path_points[-1] != (x, y):
            path_points.append((x, y))
    active = {e.joint for e in course.active_episodes}
    likely = {n for j in active for n in neighbours(j)} - active
    shown = set(course.joints) | set(order)
    joints = []
    for code in JOINT_ORDER:
        pain = None
        if as_of is not None and code in shown:
            pain = course.readings.get((as_of, code), (0, 0))[0]
        x, y = JOINT_XY[code]
        joints.append(
            BodyJoint(
                code=code,
                label=text.joints[code],
                x=x,
                y=y,
                pain=pain,
                fill=pain_colour(pain),
                active=code in active,
                likely_next=code in likely,
                order=order.get(code),
            )
        )
    return BodyMap(
        joints=joints,
        path=" ".join(f"{x},{y}" for x, y in path_points),
        as_of=as_of,
        likely_labels=[text.joints[c] for c in JOINT_ORDER if c in likely],
    )
