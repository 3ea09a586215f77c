"""The booking app's constraints that concurrent requests can run into, and the 409 each one is
(registered with `tolk.db` when the app is ready). Every other database error is a bug."""

from __future__ import annotations

from collections.abc import Callable

from tolk.errors import ConflictError


def interpreter_busy_error() -> ConflictError:
    return ConflictError(
        code="interpreter_busy",
        message_nb="Tolken har et annet oppdrag i samme tidsrom (reisetid medregnet).",
        message_en="The interpreter has another assignment in the same period (travel "
        "included).",
    )


def booking_taken_error() -> ConflictError:
    return ConflictError(
        code="booking_already_assigned",
        message_nb="Oppdraget er allerede tildelt en annen tolk.",
        message_en="The assignment has already been given to another interpreter.",
    )


def block_exists_error() -> ConflictError:
    return ConflictError(
        code="block_exists",
        message_nb="Tolken er allerede sperret for dette.",
        message_en="The interpreter is already blocked for this.",
    )


def _conflict(code: str, message_nb: str, message_en: str) -> Callable[[], ConflictError]:
    return lambda: ConflictError(code=code, message_nb=message_nb, message_en=message_en)


CONFLICTS: dict[str, Callable[[], ConflictError]] = {
    "assignment_no_overlap": interpreter_busy_error,
    "assignment_one_per_booking": booking_taken_error,
    "interpreter_block_unique": block_exists_error,
    "offer_once_per_booking": _conflict(
        "offer_exists", "Tolken har allerede fått tilbud om dette oppdraget.",
        "The interpreter has already been offered this assignment.",
    ),
    "idempotency_key_unique": _conflict(
        "idempotency_key_reused", "Idempotency-Key er brukt før.",
        "The Idempotency-Key was used before.",
    ),
    "guideline_version_unique": _conflict(
        "guideline_version_exists",
        "En annen versjon av retningslinjene ble publisert samtidig. Prøv igjen.",
        "Another version of the guidelines was published at the same time. Try again.",
    ),
    "provider_agreement_unique": _conflict(
        "provider_agreement_exists", "Avtalen finnes allerede.", "The agreement already exists.",
    ),
    "provider_agreement_one_default": _conflict(
        "provider_agreement_exists", "Virksomheten har allerede en standardformidler.",
        "The organisation already has a default provider.",
    ),
    "unit_name_unique": _conflict(
        "unit_exists", "Enheten finnes allerede.", "The unit already exists.",
    ),
}
