"""Reads of an organisation's guideline versions (which one is in force on a day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from booking.models import Guideline


def guideline_in_force(*, organisation_id: int, on: dt.date) -> Guideline | None:
    """The newest guideline version of the organisation that is valid from `on` or earlier."""
    return (
        Guideline.objects.filter(organisation_id=organisation_id, valid_from__lte=on)
        .order_by("-valid_from", "-version")
        .first()
    )


def guidelines_in_force(
    *, wanted: Iterable[tuple[int, dt.date]]
) -> dict[tuple[int, dt.date], Guideline | None]:
    """`guideline_in_force` for many (organisation id, date) pairs in one query."""
    pairs = set(wanted)
    versions: dict[int, list[Guideline]] = {}
    for guideline in Guideline.objects.filter(
        organisation_id__in={org for org, _ in pairs}
    ).order_by("-valid_from", "-version"):
        versions.setdefault(guideline.organisation_id, []).append(guideline)
    return {
        (org, on): next((g for g in versions.get(org, []) if g.valid_from <= on), None)
        for org, on in pairs
    }
