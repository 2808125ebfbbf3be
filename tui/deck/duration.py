"""Durations as presenters write them: 90s, 2m, 1m30s, 1h."""

from __future__ import annotations

import math
import re

_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?")
EXPECTED = "a duration like 90s, 2m or 1m30s"


def parse_duration(text: str) -> float | None:
    """Seconds, or None when `text` is not a duration with a unit."""
    match = _DURATION.fullmatch(text.strip().replace(" ", ""))
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    return total if math.isfinite(total) else None  # 400 digits overflow to inf, which no clock can show
