"""Blocking an interpreter (tolkeloven § 16): an organisation that must not use an interpreter, for
one case (its case reference) or for all its bookings, records it with a reason. The interpreter
is then no candidate for those bookings, pending offers to them are withdrawn, and future
assignments they hold there are taken off them and offered again, all in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from booking.dispatch.lifecycle import offers_withdraw
from booking.dispatch.locks import lock_booking
from booking.dispatch.selectors import interpreter_blocks_visible_to
from booking.dispatch.services.waves import assignment_reopen, next_wave_if_exhausted
from booking.models import (
    Assignment,
    AssignmentStatus,
    Interpreter,
    InterpreterBlock,
    Offer,
    OfferStatus,
    Organisation,
    Role,
    User,
)
from tolk.db import constraint_name
from tolk.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed

REASON_MIN_LENGTH = 10


@dataclass(frozen=True)
class BlockResult:
    block: InterpreterBlock
    withdrawn_offers: int
    reopened_assignments: int


def _organisation_for(*, user: User, organisation_number: str) -> Organisation:
    if user.has_role(Role.BOOKER) and user.organisation is not None:
        if organisation_number and organisation_number != user.organisation.org_number:
            raise NotFoundError.of(
                "organisation_not_found", fields={"organisation": [organisation_number]}
            )
        return user.organisation
    if user.has_role(Role.ADMIN):
        if not organisation_number:
            raise ValidationFailed.of(
                "organisation_required", fields={"organisation": ["required"]}
            )
        found = Organisation.objects.filter(org_number=organisation_number).first()
        if found is None:
            raise NotFoundError.of(
                "organisation_not_found", fields={"organisation": [organisation_number]}
            )
        return found
    raise PermissionDeniedError.of("block_not_allowed")


def _affected_bookings(*, block: InterpreterBlock, now: dt.datetime) -> list[int]:
    case = Q(booking__case_reference=block.case_reference) if block.case_reference else Q()
    where = case & Q(booking__customer_id=block.organisation_id,
                     interpreter_id=block.interpreter_id)
    assigned = Assignment.objects.filter(
        where, status=AssignmentStatus.ACTIVE, start__gt=now
    ).values_list("booking_id", flat=True)
    offered = Offer.objects.filter(where, status=OfferStatus.PENDING).values_list(
        "booking_id", flat=True
    )
    return sorted(set(assigned) | set(offered))


@transaction.atomic
def interpreter_block_create(
    *, user: User, register_number: str, reason: str, case_reference: str = "",
    organisation_number: str = "", now: dt.datetime | None = None,
) -> BlockResult:
    """Block the interpreter for the caller's organisation (a booker's own; an administrator
    names it), for `case_reference` or, when empty, for every booking of the organisation."""
    now = now or timezone.now()
    organisation = _organisation_for(user=user, organisation_number=organisation_number.strip())
    reason = reason.strip()
    case_reference = case_reference.strip()
    if len(reason) < REASON_MIN_LENGTH or len(reason) > 500:
        raise ValidationFailed.of(
            "block_reason_required", min_length=REASON_MIN_LENGTH, fields={"reason": ["length"]}
        )
    if len(case_reference) > 64:
        raise ValidationFailed.of(
            "case_reference_too_long", fields={"case_reference": ["max_length"]}
        )
    interpreter = Interpreter.objects.filter(register_number=register_number.strip()).first()
    if interpreter is None:
        raise NotFoundError.of(
            "interpreter_not_found", fields={"register_number": [register_number]}
        )
    try:
        with transaction.atomic():
            block = InterpreterBlock.objects.create(
                organisation=organisation, interpreter=interpreter,
                case_reference=case_reference, reason=reason, created_by=user,
            )
    except IntegrityError as exc:
        if constraint_name(exc) != "interpreter_block_unique":
            raise
        raise ConflictError.of(
            "block_exists",
            fields={"register_number": [interpreter.register_number],
                    "case_reference": [case_reference]},
        ) from None
    withdrawn = reopened = 0
    audit_reason = f"§ 16: {reason}"
    for booking_id in _affected_bookings(block=block, now=now):
        booking = lock_booking(booking_id=booking_id)
        withdrawn += offers_withdraw(booking=booking, reason="blocked",
                                     interpreter_ids=[interpreter.pk])
        # The wave may now have no pending offer left: the next one goes out (or unfilled).
        next_wave_if_exhausted(booking, now=now)
        assignment = (
            Assignment.objects.select_for_update()
            .filter(booking=booking, interpreter=interpreter, status=AssignmentStatus.ACTIVE,
                    start__gt=now)
            .first()
        )
        if assignment is not None:
            assignment_reopen(booking, assignment, status=AssignmentStatus.REOPENED, actor=user,
                              reason=audit_reason, action="blocked_reopened", now=now)
            reopened += 1
    return BlockResult(block=block, withdrawn_offers=withdrawn, reopened_assignments=reopened)


@transaction.atomic
def interpreter_block_delete(*, user: User, block_id: int) -> None:
    """Lift a block (a booker of the organisation, or an administrator). Assignments taken off
    while it stood are not given back."""
    block = interpreter_blocks_visible_to(user=user).select_for_update(of=("self",)).filter(
        pk=block_id
    ).first()
    if block is None:
        raise NotFoundError.of("block_not_found")
    block.delete()
