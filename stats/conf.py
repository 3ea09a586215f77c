"""Settings of the statistics, with their defaults.

`TOLK_SUPPRESSION_THRESHOLD` (base settings, default 5): the small numbers of the cell key
protection (`stats.ptable`): counts under it are never published as themselves.
`TOLK_COVERAGE_CAPACITY`: assignments one qualified interpreter can take in a year under the low,
medium and high assumptions of the coverage (dekningsgrad) measure, as a dict or from the
environment as "low,medium,high" (default 250,500,1000: a part-time interpreter doing about one
assignment a working day, a main occupation of mostly phone work, and a full-time phone
interpreter).
"""

from __future__ import annotations

import os

from django.conf import settings

DEFAULT_CAPACITY = {"low": 250, "medium": 500, "high": 1000}


def suppression_threshold() -> int:
    return int(getattr(settings, "TOLK_SUPPRESSION_THRESHOLD", 5))


def coverage_capacity() -> dict[str, int]:
    configured = getattr(settings, "TOLK_COVERAGE_CAPACITY", None)
    if configured:
        return {level: int(configured[level]) for level in DEFAULT_CAPACITY}
    raw = os.environ.get("TOLK_COVERAGE_CAPACITY", "")
    if raw:
        parts = [int(p) for p in raw.split(",")]
        if len(parts) != 3 or not all(p > 0 for p in parts):
            raise ValueError(
                "TOLK_COVERAGE_CAPACITY must be three positive numbers: low,medium,high"
            )
        return dict(zip(DEFAULT_CAPACITY, parts, strict=True))
    return dict(DEFAULT_CAPACITY)
