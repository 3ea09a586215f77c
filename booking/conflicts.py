"""The booking app's constraints that concurrent requests can run into, and the 409 each one is
(registered with `tolk.db` when the app is ready). Every other database error is a bug."""

from __future__ import annotations

from collections.abc import Callable

from tolk.errors import ConflictError


def interpreter_busy_error() -> ConflictError:
    return ConflictError.of("interpreter_busy")


def booking_taken_error() -> ConflictError:
    return ConflictError.of("booking_already_assigned")


def block_exists_error() -> ConflictError:
    return ConflictError.of("block_exists")


def _conflict(name: str) -> Callable[[], ConflictError]:
    """The error of catalogue entry `name` (tolk.error_catalogue)."""
    return lambda: ConflictError.of(name)


CONFLICTS: dict[str, Callable[[], ConflictError]] = {
    "assignment_no_overlap": interpreter_busy_error,
    "assignment_one_per_booking": booking_taken_error,
    "interpreter_block_unique": block_exists_error,
    "offer_once_per_booking": _conflict("offer_exists"),
    "idempotency_key_unique": _conflict("idempotency_key_reused"),
    "guideline_version_unique": _conflict("guideline_version_exists"),
    "provider_agreement_unique": _conflict("provider_agreement_exists"),
    "provider_agreement_one_default": _conflict("provider_default_exists"),
    "unit_name_unique": _conflict("unit_exists"),
}
