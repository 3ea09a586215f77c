"""Serializer fields shared by the APIs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from tolk.times import UTC, local_instant


class InstantField(serializers.DateTimeField):
    """An ISO 8601 date and time, read as an instant in UTC. With an offset (`+01:00`, `Z`) it is
    exact; without one it is Oslo time, refused with `nonexistent_local_time` or
    `ambiguous_local_time` where Oslo clocks skip or repeat that time. Output is unchanged
    (local time with its offset)."""

    def to_internal_value(self, value: Any) -> dt.datetime:
        if isinstance(value, dt.datetime):
            parsed: dt.datetime | None = value
        elif isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except (ValueError, OverflowError):
                parsed = None
        else:
            parsed = None
        if parsed is None:
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM|Z]")
        assert parsed is not None  # noqa: S101 - self.fail raised otherwise
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            return local_instant(parsed, field=self.field_name or "datetime")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            self.fail("overflow")
        raise AssertionError("unreachable")


class InstantOutputField(serializers.DateTimeField):
    """A date and time in an answer, as the UTC instant (`2027-10-31T01:30:00Z`). A value that is
    already text (a service's `isoformat()`) is passed on as it is."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(**kwargs)


class BlankAsNullCharField(serializers.CharField):
    """Text that the model stores as "" when absent, answered as null."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        text = super().to_representation(value)
        return text or None
