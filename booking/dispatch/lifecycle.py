"""The booking lifecycle: which status may follow which for bookings, offers and assignments, and
the one place each change is written – the status, the audit entry, the outbox event and, for a
booking's final states, the signal the statistics listen to.

Every service moves a status through the functions here; a move the tables do not list is refused
with `IllegalTransition` (409 `illegal_transition`), never written. This module imports no service
(`[tool.importlinter]` in pyproject.toml keeps it so), so every service can build on it.

The tables are small explicit dictionaries rather than a state-machine library (django-fsm-2):
the moves are few, every move already runs under the booking lock inside one transaction, and a
table keeps the models free of mixins and protected fields that bulk updates and migrations would
have to work around.

Bookings (who moves them):
- open → offered (a wave or a personal offer), assigned (the exception path), unfilled (nobody
  left, or the start passed), cancelled (customer or provider);
- offered → assigned (an interpreter accepts), unfilled, cancelled;
- assigned → completed (customer or provider records it), cancelled, open (the interpreter gives
  it back, a § 16 block, a register or guideline change: the booking is offered again);
- unfilled → offered, assigned (the documented exception path reopens a final booking);
- completed and cancelled are final.

Offers: pending → accepted, declined, withdrawn (taken, cancelled, rules), expired; a withdrawn,
declined or expired offer is issued again (pending) in a later wave or as a personal offer.

Assignments: active → completed, cancelled (booking cancelled or the interpreter gives it back),
reopened (taken off by a block or a register/guideline change); the others are final.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from booking.models import (
    FINAL_BOOKING_STATUSES,
    Assignment,
    AssignmentStatus,
    AuditEntry,
    Booking,
    BookingStatus,
    Modality,
    Offer,
    OfferStatus,
    User,
)
from booking.realtime.outbox import event_record
from booking.signals import booking_finished, booking_reopened
from tolk.errors import ConflictError
from tolk.reference.languages import language_name
from tolk.times import seconds_between

B, OS, A = BookingStatus, OfferStatus, AssignmentStatus

BOOKING_INITIAL = B.OPEN
BOOKING_TRANSITIONS: Mapping[str, frozenset[str]] = {
    B.OPEN: frozenset({B.OFFERED, B.ASSIGNED, B.UNFILLED, B.CANCELLED}),
    B.OFFERED: frozenset({B.ASSIGNED, B.UNFILLED, B.CANCELLED}),
    B.ASSIGNED: frozenset({B.COMPLETED, B.CANCELLED, B.OPEN}),
    B.UNFILLED: frozenset({B.OFFERED, B.ASSIGNED}),
    B.COMPLETED: frozenset(),
    B.CANCELLED: frozenset(),
}

OFFER_INITIAL = OS.PENDING
OFFER_TRANSITIONS: Mapping[str, frozenset[str]] = {
    OS.PENDING: frozenset({OS.ACCEPTED, OS.DECLINED, OS.WITHDRAWN, OS.EXPIRED}),
    OS.WITHDRAWN: frozenset({OS.PENDING}),
    OS.DECLINED: frozenset({OS.PENDING}),
    OS.EXPIRED: frozenset({OS.PENDING}),
    OS.ACCEPTED: frozenset(),
}

ASSIGNMENT_INITIAL = A.ACTIVE
ASSIGNMENT_TRANSITIONS: Mapping[str, frozenset[str]] = {
    A.ACTIVE: frozenset({A.COMPLETED, A.CANCELLED, A.REOPENED}),
    A.COMPLETED: frozenset(),
    A.CANCELLED: frozenset(),
    A.REOPENED: frozenset(),
}

_TABLES: Mapping[str, Mapping[str, frozenset[str]]] = {
    "booking": BOOKING_TRANSITIONS,
    "offer": OFFER_TRANSITIONS,
    "assignment": ASSIGNMENT_TRANSITIONS,
}
# Each entity's refusal reads in its own words in each language (tolk.error_catalogue).
_TRANSITION_ERRORS = {
    "booking": "booking_transition_illegal",
    "offer": "offer_transition_illegal",
    "assignment": "assignment_transition_illegal",
}


class IllegalTransition(ConflictError):
    """A status change the lifecycle does not allow (409). Nothing is written."""

    def __init__(self, *, entity: str, from_status: str, to_status: str) -> None:
        self.entity = entity
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(
            code=_TRANSITION_ERRORS[entity],
            params={"from_status": from_status, "to_status": to_status},
            fields={"status": from_status, "to_status": to_status},
        )


def transition_allowed(*, entity: str, from_status: str, to_status: str) -> bool:
    """Does the lifecycle table of `entity` ("booking", "offer", "assignment") list the move?"""
    return to_status in _TABLES[entity].get(from_status, frozenset())


def transition_require(*, entity: str, from_status: str, to_status: str) -> None:
    if not transition_allowed(entity=entity, from_status=from_status, to_status=to_status):
        raise IllegalTransition(entity=entity, from_status=from_status, to_status=to_status)


def booking_sources(to_status: str) -> frozenset[str]:
    """The statuses a booking may move to `to_status` from (e.g. what can still be cancelled)."""
    return frozenset(f for f, targets in BOOKING_TRANSITIONS.items() if to_status in targets)


# Where dispatch by waves may start: a booking still looking for an interpreter. An unfilled
# booking is offered again only on the documented exception path (a personal offer).
BOOKING_WAVE_STATUSES = frozenset({B.OPEN, B.OFFERED})


def booking_can(from_status: str, to_status: str) -> bool:
    return transition_allowed(entity="booking", from_status=from_status, to_status=to_status)


def offer_can(from_status: str, to_status: str) -> bool:
    return transition_allowed(entity="offer", from_status=from_status, to_status=to_status)


def assignment_can(from_status: str, to_status: str) -> bool:
    return transition_allowed(entity="assignment", from_status=from_status, to_status=to_status)


# --- audit -------------------------------------------------------------------------------------


def audit_record(
    *, booking: Booking, actor: User | None, action: str, from_status: str = "",
    to_status: str = "", reason: str = "", details: dict[str, Any] | None = None,
    actor_role: str = "",
) -> AuditEntry:
    """One entry in the booking's audit trail (also for changes that keep the status)."""
    return AuditEntry.objects.create(
        booking=booking,
        actor=actor,
        actor_role=actor_role or (actor.role if actor is not None else "system"),
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:500],
        details=details or {},
    )


# --- bookings ----------------------------------------------------------------------------------


def booking_event_payload(booking: Booking, *, from_status: str, to_status: str) -> dict[str, Any]:
    return {
        "booking_id": booking.pk,
        "status": booking.status,
        "from": from_status,
        "to": to_status,
        "language": booking.language,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
    }


def _booking_changed_event(booking: Booking, *, from_status: str, to_status: str) -> None:
    event_record(
        kind="booking.changed",
        payload=booking_event_payload(booking, from_status=from_status, to_status=to_status),
        organisation_ids=[booking.customer_id, booking.provider_id],
    )


def booking_created(*, booking: Booking, actor: User | None,
                    details: dict[str, Any] | None = None) -> None:
    """Record a new booking: the `created` audit entry and the `booking.changed` event. Call in
    the transaction that inserted it."""
    if booking.status != BOOKING_INITIAL:
        raise IllegalTransition(entity="booking", from_status="", to_status=booking.status)
    audit_record(booking=booking, actor=actor, action="created", to_status=booking.status,
                 details=details)
    _booking_changed_event(booking, from_status="", to_status=booking.status)


def booking_transition(
    *, booking: Booking, to_status: str, actor: User | None, action: str, reason: str = "",
    details: dict[str, Any] | None = None, actor_role: str = "",
    update_fields: tuple[str, ...] = (), accepted_at: dt.datetime | None = None,
) -> None:
    """Move `booking` to `to_status` and record it: the audit entry, the `booking.changed` event
    and, entering or leaving a final state, `booking_finished` or `booking_reopened`. A move
    `BOOKING_TRANSITIONS` does not list raises `IllegalTransition` before anything is written.
    Becoming assigned, `accepted_at` is the moment the interpreter took it (the services that
    assign always give it): the booking's time to fill is recorded from it. Call inside
    transaction.atomic holding SELECT ... FOR UPDATE on the booking row
    (`booking.dispatch.locks.lock_booking`)."""
    from_status = booking.status
    transition_require(entity="booking", from_status=from_status, to_status=to_status)
    booking.status = to_status
    fields = {"status", "updated_at", *update_fields}
    if to_status == BookingStatus.ASSIGNED and accepted_at is not None:
        booking.filled_at = accepted_at
        booking.time_to_fill_seconds = seconds_between(booking.created_at, accepted_at)
        fields |= {"filled_at", "time_to_fill_seconds"}
    if to_status in FINAL_BOOKING_STATUSES:
        booking.finished_at = timezone.now()
        fields.add("finished_at")
    elif from_status in FINAL_BOOKING_STATUSES:
        booking.finished_at = None
        fields.add("finished_at")
    booking.save(update_fields=sorted(fields))
    audit_record(
        booking=booking, actor=actor, action=action, from_status=from_status,
        to_status=to_status, reason=reason, details=details, actor_role=actor_role,
    )
    _booking_changed_event(booking, from_status=from_status, to_status=to_status)
    if to_status in FINAL_BOOKING_STATUSES:
        booking_finished.send(sender=Booking, booking=booking)
    elif from_status in FINAL_BOOKING_STATUSES:
        booking_reopened.send(sender=Booking, booking=booking)


# --- assignments -------------------------------------------------------------------------------


def assignment_event(assignment: Assignment, *, change: str,
                     extra: dict[str, Any] | None = None) -> None:
    """Tell the interpreter (`assignment.changed`); an ad hoc interpreter has no login."""
    if assignment.interpreter_id is None:
        return
    booking = assignment.booking
    event_record(
        kind="assignment.changed",
        payload={
            **(extra or {}),
            "assignment_id": assignment.pk,
            "booking_id": booking.pk,
            "change": change,
            "status": assignment.status,
            "language": booking.language,
            "language_name": language_name(booking.language),
            "modality": booking.modality,
            "start": assignment.start.isoformat(),
            "end": assignment.end.isoformat(),
        },
        interpreter_ids=[assignment.interpreter_id],
    )


def assignment_end(
    *, assignment: Assignment, to_status: str, now: dt.datetime, reason: str | None = None,
    update_fields: tuple[str, ...] = (), extra: dict[str, Any] | None = None,
) -> None:
    """End a live assignment (`completed`, `cancelled` or `reopened`) and tell the interpreter.
    Other fields the caller set (e.g. the actual times) go in `update_fields`. Call holding the
    booking lock and the assignment row."""
    transition_require(entity="assignment", from_status=assignment.status, to_status=to_status)
    assignment.status = to_status
    assignment.ended_at = now
    fields = ["status", "ended_at", *update_fields]
    if reason is not None:
        assignment.end_reason = reason[:500]
        fields.append("end_reason")
    assignment.save(update_fields=fields)
    assignment_event(assignment, change=to_status, extra=extra)


# --- offers ------------------------------------------------------------------------------------


def offer_payload(offer: Offer, booking: Booking) -> dict[str, object]:
    """What the interpreter needs to judge the offer (§ 14): never data about the person."""
    payload: dict[str, object] = {
        "offer_id": offer.pk,
        "booking_id": booking.pk,
        "language": booking.language,
        "language_name": language_name(booking.language),
        "dialect": booking.dialect,
        "modality": booking.modality,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "topic_notes": booking.topic_notes,
        "terminology_notes": booking.terminology_notes,
        "expires_at": offer.expires_at.isoformat(),
        "personal": offer.personal,
        "acute": booking.acute,
    }
    if booking.modality == Modality.ONSITE:
        payload["municipality"] = booking.municipality
        payload["address"] = booking.address
    else:
        payload["platform"] = booking.platform
    return payload


def offers_created(*, offers: Iterable[Offer], booking: Booking) -> None:
    """`offer.created` to each interpreter offered the booking."""
    for offer in offers:
        event_record(kind="offer.created", payload=offer_payload(offer, booking),
                     interpreter_ids=[offer.interpreter_id])


def offer_reissue(*, offer: Offer, values: dict[str, Any]) -> None:
    """Offer again on an existing row (one offer per interpreter and booking): a withdrawn,
    declined or expired offer becomes pending with `values` (wave, rank, deadline ...); a pending
    one keeps its status and takes the new values."""
    if offer.status != OFFER_INITIAL:
        transition_require(entity="offer", from_status=offer.status, to_status=OFFER_INITIAL)
    values = {**values, "status": OFFER_INITIAL}
    for name, value in values.items():
        setattr(offer, name, value)
    offer.save(update_fields=list(values))


@dataclass(frozen=True)
class CloseReason:
    """Why a pending offer closes: the status it gets and whether the interpreter is told
    (`offer.withdrawn` with `reason`)."""

    status: str
    notify: bool = True


OFFER_CLOSE_REASONS: Mapping[str, CloseReason] = {
    "taken": CloseReason(OS.WITHDRAWN),  # someone else took the booking, or it was assigned
    "cancelled": CloseReason(OS.WITHDRAWN),  # the booking was cancelled
    "blocked": CloseReason(OS.WITHDRAWN),  # a § 16 block on the interpreter; the booking stays open
    "rules": CloseReason(OS.WITHDRAWN),  # the re-check: a rule no longer holds
    "expired": CloseReason(OS.EXPIRED),  # the deadline passed
    "declined": CloseReason(OS.DECLINED, notify=False),  # the interpreter said no themselves
}


def _close_reason(reason: str) -> CloseReason:
    if reason not in OFFER_CLOSE_REASONS:
        raise ValueError(f"unknown offer close reason {reason!r}")
    return OFFER_CLOSE_REASONS[reason]


def _offer_closed_event(*, offer_id: int, interpreter_id: int, booking: Booking, reason: str,
                        extra: dict[str, Any] | None = None) -> None:
    event_record(
        kind="offer.withdrawn",
        payload={"offer_id": offer_id, "booking_id": booking.pk, "reason": reason,
                 **(extra or {})},
        interpreter_ids=[interpreter_id],
    )


def offer_transition(*, offer: Offer, to_status: str, now: dt.datetime,
                     update_fields: tuple[str, ...] = ()) -> None:
    """Answer a pending offer (`accepted`, `declined`) or close it; the caller writes the event
    (see `offer_close`). Call holding the offer row."""
    transition_require(entity="offer", from_status=offer.status, to_status=to_status)
    offer.status = to_status
    offer.responded_at = now
    offer.save(update_fields=["status", "responded_at", *update_fields])


def offer_close(*, offer: Offer, booking: Booking, reason: str, now: dt.datetime,
                extra: dict[str, Any] | None = None, decline_reason: str = "") -> None:
    """Close one pending offer for `reason` (see `OFFER_CLOSE_REASONS`) and tell the interpreter.
    `extra` goes into the event (e.g. the rule that no longer holds)."""
    close = _close_reason(reason)
    fields: tuple[str, ...] = ()
    if close.status == OS.DECLINED:
        offer.decline_reason = decline_reason.strip()[:500]
        fields = ("decline_reason",)
    offer_transition(offer=offer, to_status=close.status, now=now, update_fields=fields)
    if close.notify:
        _offer_closed_event(offer_id=offer.pk, interpreter_id=offer.interpreter_id,
                            booking=booking, reason=reason, extra=extra)


def offers_withdraw(
    *, booking: Booking, reason: str, exclude_offer_id: int | None = None,
    interpreter_ids: list[int] | None = None, now: dt.datetime | None = None,
) -> int:
    """Close the booking's pending offers for `reason` (see `OFFER_CLOSE_REASONS`), or
    only those to `interpreter_ids`, in one update, and tell each interpreter. Returns how many.
    Call holding the booking lock."""
    close = _close_reason(reason)
    transition_require(entity="offer", from_status=OS.PENDING, to_status=close.status)
    pending = Offer.objects.filter(booking=booking, status=OS.PENDING)
    if exclude_offer_id is not None:
        pending = pending.exclude(pk=exclude_offer_id)
    if interpreter_ids is not None:
        pending = pending.filter(interpreter_id__in=interpreter_ids)
    rows = list(pending.values_list("pk", "interpreter_id"))
    if not rows:
        return 0
    Offer.objects.filter(pk__in=[pk for pk, _ in rows], status=OS.PENDING).update(
        status=close.status, responded_at=now or timezone.now()
    )
    if close.notify:
        for offer_id, interpreter_id in rows:
            _offer_closed_event(offer_id=offer_id, interpreter_id=interpreter_id,
                                booking=booking, reason=reason)
    return len(rows)
