"""The booking request's fingerprint, which an Idempotency-Key's record keeps: the same request
must give the same fingerprint in every release, or a retry after an upgrade is refused as
`idempotency_key_reused`."""

from __future__ import annotations

import datetime as dt

from booking.dispatch.services.bookings import BookingInput


def test_fingerprint_of_a_request_is_the_one_stored_by_earlier_releases() -> None:
    data = BookingInput(
        language="ara", modality="video",
        start=dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC),
        end=dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC),
        duty_basis="other_law", sector="health", case_reference="K-1",
    )
    assert data.fingerprint() == (
        "8b80648951ad6e153a2287e398dd46498edb2134bb4d2e5bab8a9967523dd126"
    )
