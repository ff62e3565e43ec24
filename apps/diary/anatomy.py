"""The joint catalogue as plain data: what "adjacent" and "contralateral" mean.

No Django imports: the detector and the figures use this directly, and the Joint
table is seeded from it by a data migration, so both always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

SIDES = ("left", "right")
# Proximal to distal along each limb: TMO migrates most often to the next joint on
# the same limb (hip -> knee -> ankle -> foot), so the order is clinical data.
LIMBS: dict[str, tuple[str, ...]] = {
    "lower": ("hip", "knee", "ankle", "foot"),
    "upper": ("shoulder", "elbow", "wrist", "hand"),
}

ADJACENT = "adjacent"
CONTRALATERAL = "contralateral"
OTHER = "other"


@dataclass(frozen=True)
class JointInfo:
    code: str  # stable slug, e.g. "left_knee"
    side: str  # "left" | "right"
    limb: str  # "lower" | "upper"
    kind: str  # "hip", "knee", ...
    position: int  # 1 = most proximal joint of the limb

    @property
    def label(self) -> str:
        return f"{self.side.capitalize()} {self.kind}"


def _build() -> dict[str, JointInfo]:
    joints = {}
    for limb, kinds in LIMBS.items():
        for position, kind in enumerate(kinds, start=1):
            for side in SIDES:
                code = f"{side}_{kind}"
                joints[code] = JointInfo(code, side, limb, kind, position)
    return joints


JOINTS: dict[str, JointInfo] = _build()
# Display order: lower limbs first (far more common in TMO), proximal to distal,
# left next to right.
JOINT_ORDER: tuple[str, ...] = tuple(
    f"{side}_{kind}"
    for limb in ("lower", "upper")
    for kind in LIMBS[limb]
    for side in SIDES
)


@cache
def relation(a: str, b: str) -> str:
    """How joint b relates to joint a: "adjacent", "contralateral" or "other"."""
    ja, jb = JOINTS[a], JOINTS[b]
    if (
        ja.limb == jb.limb
        and ja.side == jb.side
        and abs(ja.position - jb.position) == 1
    ):
        return ADJACENT
    if ja.limb == jb.limb and ja.kind == jb.kind and ja.side != jb.side:
        return CONTRALATERAL
    return OTHER


def neighbours(code: str) -> tuple[str, ...]:
    """Adjacent and contralateral joints of code: where TMO is most likely to go next."""
    return tuple(
        other
        for other in JOINT_ORDER
        if other != code and relation(code, other) != OTHER
    )
