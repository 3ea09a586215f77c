"""Row locks for booking writes, in one fixed order to avoid deadlocks:

    Booking  →  Interpreter  →  Offer / Assignment rows of that booking

Every helper must be called inside `transaction.atomic`. On SQLite `select_for_update` is a no-op;
there the IMMEDIATE transaction mode (tolk.env) serialises writers, which gives the same effect.

The locks are `FOR NO KEY UPDATE`: they serialise the lockers just the same, but do not conflict
with the `FOR KEY SHARE` locks PostgreSQL takes for foreign-key checks, which Django defers to
COMMIT. With plain `FOR UPDATE`, a transaction inserting offers or events for an interpreter
deadlocks at COMMIT against one holding that interpreter's lock (seen under load).
"""

from __future__ import annotations

from django.db import OperationalError, transaction

from booking.models import Booking, Interpreter, Offer
from tolk.errors import NotFoundError

LOCK_NOT_AVAILABLE = "55P03"


def _require_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("row locks must be taken inside transaction.atomic")


def lock_booking(*, booking_id: int) -> Booking:
    """SELECT ... FOR UPDATE on one booking (first in the lock order)."""
    _require_atomic()
    booking = Booking.objects.select_for_update(no_key=True).filter(pk=booking_id).first()
    if booking is None:
        raise NotFoundError.of("booking_not_found")
    return booking


def lock_booking_nowait(*, booking_id: int) -> Booking | None:
    """SELECT ... FOR UPDATE NOWAIT on one booking, for a caller that already holds a lock later
    in the order (an interpreter): waiting there could deadlock, so a booking another transaction
    holds is None (as is one that does not exist). The failed attempt rolls back only its own
    savepoint."""
    _require_atomic()
    try:
        with transaction.atomic():
            return (
                Booking.objects.select_for_update(no_key=True, nowait=True)
                .filter(pk=booking_id).first()
            )
    except OperationalError as exc:
        # Only "lock not available" (SQLSTATE 55P03) means someone else holds it.
        if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        return None


def lock_interpreter(*, interpreter_id: int) -> Interpreter:
    """SELECT ... FOR UPDATE on an interpreter (after the booking): serialises everything that
    gives this interpreter work, so the free-time re-check sees committed assignments."""
    _require_atomic()
    return Interpreter.objects.select_for_update(no_key=True).get(pk=interpreter_id)


def lock_offer(*, offer_id: int) -> Offer:
    """SELECT ... FOR UPDATE on an offer (after its booking)."""
    _require_atomic()
    return Offer.objects.select_for_update(no_key=True).get(pk=offer_id)
