from __future__ import annotations

import datetime as dt


class IsoDateConverter:
    """`YYYY-MM-DD` in a URL; an impossible date (2026-02-30) is a 404, not a 500."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)  # ValueError → no match → 404

    def to_url(self, value: dt.date) -> str:
        return value.isoformat()
