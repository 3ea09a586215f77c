"""Re-checking work already handed out when what it rests on changes (tolkeloven §§ 7, 9, 10, 17,
21): a rule that held at booking must keep holding on the assignment's date.

What can change after an offer went out or an assignment was made:
- the register (§ 17, § 21): a qualification's category, its validity period or status, a
  suspension, exclusion or revocation, the police certificate's end date;
- the organisation's guidelines (§ 9, § 10): a new version with a stricter minimum category or a
  police-certificate requirement, valid from a given day;
- time itself: a qualification or certificate that ends between booking and job.

Every pending offer and future assignment in scope is checked against the rules in force on its
date, with the same selector and rule functions as the candidate list and the accept path
(`qualifications_valid_on`, `booking.rules.checks`). What is no longer allowed is withdrawn
(offers) or reopened and offered again (assignments, through the same reopen path as register
status changes and § 16 blocks), with the rule code as the reason in the audit trail and outbox
events to the interpreter and the organisations. A booking whose date now falls under a stricter
guideline takes over its requirements, so the next wave asks only interpreters who meet them.

Callers: the register import and the admin (per interpreter), guideline publication (per
organisation) and the daily pass (`recheck_daily_due`, the coming `TOLK_RECHECK_DAYS` days).

Locks follow `booking.dispatch.locks`: Booking → Interpreter → Offer / Assignment. A caller that
already holds interpreter locks (the register import) locks the affected bookings first
(`recheck_lock_bookings`); a booking that only turns up later is taken with NOWAIT and, if another
transaction holds it, left to that transaction's own checks (accepting re-checks the register) and
to the next daily pass.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from booking.dispatch.lifecycle import audit_record, offer_close
from booking.dispatch.locks import lock_booking, lock_booking_nowait
from booking.dispatch.selectors import guidelines_in_force
from booking.dispatch.services.waves import assignment_reopen, next_wave_if_exhausted
from booking.models import (
    Assignment,
    AssignmentStatus,
    Booking,
    BookingStatus,
    DailyJobRun,
    Guideline,
    Offer,
    OfferStatus,
    RegisterStatusEvent,
    User,
)
from booking.realtime.outbox import event_record
from booking.register.selectors import qualifications_valid_on, status_events_blocking
from booking.rules import checks as rules
from booking.rules.checks import ExceptionRecord
from booking.rules.status import blocking_event
from tolk.errors import ValidationFailed

logger = logging.getLogger(__name__)

DAILY_JOB = "rules_recheck"
DEFAULT_RECHECK_DAYS = 28
# A daily run whose process died is taken over by another process after this long.
STALE_RUN = dt.timedelta(hours=1)
LIVE_BOOKING_STATUSES = (BookingStatus.OPEN, BookingStatus.OFFERED, BookingStatus.ASSIGNED)


@dataclass
class RecheckResult:
    reopened_assignments: int = 0
    withdrawn_offers: int = 0
    # Bookings whose minimum category or police-certificate requirement a guideline tightened.
    tightened_bookings: int = 0
    # Bookings another transaction held (NOWAIT): left for its own checks and the next pass.
    skipped_bookings: int = 0
    booking_ids: list[int] = field(default_factory=list)

    def add(self, other: RecheckResult) -> None:
        self.reopened_assignments += other.reopened_assignments
        self.withdrawn_offers += other.withdrawn_offers
        self.tightened_bookings += other.tightened_bookings
        self.skipped_bookings += other.skipped_bookings
        self.booking_ids += other.booking_ids

    @property
    def changed(self) -> bool:
        return bool(self.reopened_assignments or self.withdrawn_offers or self.tightened_bookings)


@dataclass(frozen=True)
class Requirement:
    """What a booking requires on its date: its own request, made stricter by the guideline
    version in force that day."""

    min_category: str
    police_certificate_required: bool
    guideline_version: int | None


@dataclass(frozen=True)
class _Scope:
    interpreter_ids: frozenset[int] | None = None
    organisation_id: int | None = None
    until: dt.datetime | None = None


def recheck_days() -> int:
    return int(getattr(settings, "TOLK_RECHECK_DAYS", DEFAULT_RECHECK_DAYS))


# --- facts and rules --------------------------------------------------------------------------


class BookingView(NamedTuple):
    """What the rules look at in a booking (a row of `.values_list`, or taken from a model)."""

    pk: int
    day: dt.date  # booking_date: the local (Europe/Oslo) day it starts
    language: str
    customer_id: int
    min_category: str
    police_certificate_required: bool
    qualified_required: bool


class WorkView(NamedTuple):
    """An offer or assignment as the rules look at it. `basis` is empty for an offer."""

    booking_id: int
    interpreter_id: int | None
    police_valid_until: dt.date | None
    basis: str = ""
    exception_ground: str = ""
    exception_justification: str = ""
    exception_decided_by: str = ""
    # A personal offer on the exception path stands on its documented exception, not on a
    # register entry for the language.
    personal: bool = False


_BOOKING_COLUMNS = ("pk", "start", "language", "customer_id", "min_category",
                    "police_certificate_required", "qualified_required")
_WORK_COLUMNS = ("booking_id", "interpreter_id", "interpreter__police_certificate_valid_until")
_ASSIGNMENT_COLUMNS = (*_WORK_COLUMNS, "basis", "exception_ground", "exception_justification",
                       "exception_decided_by")


class _Zone:
    """booking_date's conversion with the zone looked up once: the daily pass converts tens of
    thousands of rows."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()

    def booking(self, row: tuple[Any, ...]) -> BookingView:
        pk, start, *rest = row
        return BookingView(pk, start.astimezone(self.zone).date(), *rest)


def booking_view(booking: Booking) -> BookingView:
    return _Zone().booking(tuple(getattr(booking, c) for c in _BOOKING_COLUMNS))


def offer_view(offer: Offer) -> WorkView:
    return WorkView(offer.booking_id, offer.interpreter_id,
                    offer.interpreter.police_certificate_valid_until)


def assignment_view(assignment: Assignment) -> WorkView:
    interpreter = assignment.interpreter
    return WorkView(
        assignment.booking_id, assignment.interpreter_id,
        interpreter.police_certificate_valid_until if interpreter is not None else None,
        assignment.basis, assignment.exception_ground, assignment.exception_justification,
        assignment.exception_decided_by,
    )


def requirement_for(*, booking: BookingView, guideline: Guideline | None) -> Requirement:
    if guideline is None:
        return Requirement(booking.min_category, booking.police_certificate_required, None)
    return Requirement(
        min_category=rules.stricter_category(booking.min_category, guideline.min_category),
        police_certificate_required=(
            booking.police_certificate_required or guideline.police_certificate_required
        ),
        guideline_version=guideline.version,
    )


def _tightens(booking: BookingView, requirement: Requirement) -> bool:
    return (
        requirement.min_category != booking.min_category
        or requirement.police_certificate_required != booking.police_certificate_required
    )


@dataclass
class _Facts:
    """The register on each day that matters: the valid category per (interpreter, language,
    day) and the suspensions, exclusions and revocations covering a day."""

    categories: dict[tuple[int, str, dt.date], str] = field(default_factory=dict)
    status_events: dict[tuple[int, dt.date], list[RegisterStatusEvent]] = field(
        default_factory=dict
    )
    guidelines: dict[tuple[int, dt.date], Guideline | None] = field(default_factory=dict)

    def category(self, interpreter_id: int, language: str, on: dt.date) -> str | None:
        return self.categories.get((interpreter_id, language, on))

    def status_blocked(self, interpreter_id: int, language: str, on: dt.date) -> bool:
        events = self.status_events.get((interpreter_id, on), ())
        return blocking_event(events, language=language, on=on) is not None

    def requirement(self, booking: BookingView) -> Requirement:
        return requirement_for(
            booking=booking, guideline=self.guidelines.get((booking.customer_id, booking.day))
        )


def _gather(bookings: Collection[BookingView], work: Iterable[WorkView]) -> _Facts:
    """Read the facts for `work` and `bookings`: one query per distinct day for the register
    (through `qualifications_valid_on`, the rule the candidate list uses), one for the status
    events that take entries out of use per day (`status_events_blocking`), one for the
    guidelines."""
    facts = _Facts()
    day_of = {b.pk: b.day for b in bookings}
    by_day: dict[dt.date, set[int]] = {}
    for item in work:
        if item.interpreter_id is not None:
            by_day.setdefault(day_of[item.booking_id], set()).add(item.interpreter_id)
    for on, ids in by_day.items():
        for interpreter_id, language, category in (
            qualifications_valid_on(on=on).filter(interpreter_id__in=ids)
            .values_list("interpreter_id", "language", "category")
        ):
            facts.categories[(interpreter_id, language, on)] = category
        for event in status_events_blocking(first=on).filter(interpreter_id__in=ids).only(
            "interpreter_id", "kind", "language", "valid_from", "valid_to"
        ):
            facts.status_events.setdefault((event.interpreter_id, on), []).append(event)
    facts.guidelines = guidelines_in_force(wanted={(b.customer_id, b.day) for b in bookings})
    return facts


def _not_qualified(*, language: str, on: dt.date, blocked: bool) -> ValidationFailed:
    return rules.refuse(
        "not_qualified_entry_blocked" if blocked else "not_qualified_no_entry",
        language=language, date=on,
        fields={"language": language, "date": on.isoformat()},
    )


def offer_violation(
    *, offer: WorkView, booking: BookingView, facts: _Facts, requirement: Requirement
) -> ValidationFailed | None:
    """Why a pending offer may no longer be accepted on the booking's day (the accept path's
    checks), or None."""
    on, interpreter_id = booking.day, offer.interpreter_id or 0
    category = facts.category(interpreter_id, booking.language, on)
    blocked = facts.status_blocked(interpreter_id, booking.language, on)
    try:
        if blocked or (category is None and not offer.personal):
            raise _not_qualified(language=booking.language, on=on, blocked=blocked)
        if offer.personal:
            # As at accept: the documented exception (or the transitional dispensation) carries
            # an interpreter without a valid entry for the language.
            exception = None
            if offer.exception_ground:
                exception = ExceptionRecord(
                    ground=offer.exception_ground,
                    justification=offer.exception_justification,
                    decided_by=offer.exception_decided_by,
                )
            rules.qualification_basis(
                on=on, dispensation_last_day=settings.TOLK_DISPENSATION_LAST_DAY,
                required=booking.qualified_required, category=category, exception=exception,
            )
        if category and requirement.min_category:
            rules.check_category(category=category, min_category=requirement.min_category)
        rules.check_police_certificate(
            required=requirement.police_certificate_required,
            valid_until=offer.police_valid_until, on=on,
        )
    except ValidationFailed as exc:
        return exc
    return None


def assignment_violation(
    *, assignment: WorkView, booking: BookingView, facts: _Facts, requirement: Requirement
) -> ValidationFailed | None:
    """Why a future assignment is no longer allowed on its date, or None. The footing it was made
    on (qualified, dispensation, documented exception, not required) is checked again with
    `qualification_basis`; a suspension, exclusion or revocation always takes a registered
    interpreter off; the minimum category and the police certificate as at accept (an
    interpreter outside the register has no certificate on record)."""
    on, interpreter_id = booking.day, assignment.interpreter_id
    category = (
        facts.category(interpreter_id, booking.language, on) if interpreter_id else None
    )
    blocked = bool(interpreter_id) and facts.status_blocked(
        interpreter_id or 0, booking.language, on
    )
    try:
        if blocked:
            raise _not_qualified(language=booking.language, on=on, blocked=True)
        exception = None
        if assignment.basis == rules.BASIS_EXCEPTION:
            exception = ExceptionRecord(
                ground=assignment.exception_ground,
                justification=assignment.exception_justification,
                decided_by=assignment.exception_decided_by,
            )
        basis = rules.qualification_basis(
            on=on, dispensation_last_day=settings.TOLK_DISPENSATION_LAST_DAY,
            required=booking.qualified_required,
            category=category if assignment.basis == rules.BASIS_QUALIFIED else None,
            exception=exception,
        )
        if assignment.basis == rules.BASIS_QUALIFIED and basis != rules.BASIS_QUALIFIED:
            # Made as qualified (category snapshot): on the day they no longer are.
            raise _not_qualified(language=booking.language, on=on, blocked=False)
        if category and requirement.min_category:
            rules.check_category(category=category, min_category=requirement.min_category)
        rules.check_police_certificate(
            required=requirement.police_certificate_required,
            valid_until=assignment.police_valid_until, on=on,
        )
    except ValidationFailed as exc:
        return exc
    return None


# --- what is in scope -------------------------------------------------------------------------


def _assignments(scope: _Scope, now: dt.datetime) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(status=AssignmentStatus.ACTIVE, start__gt=now)
    if scope.interpreter_ids is not None:
        qs = qs.filter(interpreter_id__in=scope.interpreter_ids)
    if scope.organisation_id is not None:
        qs = qs.filter(booking__customer_id=scope.organisation_id)
    if scope.until is not None:
        qs = qs.filter(start__lte=scope.until)
    return qs


def _offers(scope: _Scope, now: dt.datetime) -> QuerySet[Offer]:
    qs = Offer.objects.filter(status=OfferStatus.PENDING, booking__start__gt=now)
    if scope.interpreter_ids is not None:
        qs = qs.filter(interpreter_id__in=scope.interpreter_ids)
    if scope.organisation_id is not None:
        qs = qs.filter(booking__customer_id=scope.organisation_id)
    if scope.until is not None:
        qs = qs.filter(booking__start__lte=scope.until)
    return qs


def _bookings(scope: _Scope, now: dt.datetime) -> QuerySet[Booking]:
    """Bookings whose own requirements a guideline may have to tighten: only when the scope is
    not one set of interpreters (a register change does not touch guidelines)."""
    if scope.interpreter_ids is not None:
        return Booking.objects.none()
    qs = Booking.objects.filter(start__gt=now, status__in=LIVE_BOOKING_STATUSES)
    if scope.organisation_id is not None:
        qs = qs.filter(customer_id=scope.organisation_id)
    if scope.until is not None:
        qs = qs.filter(start__lte=scope.until)
    return qs


def _screen(scope: _Scope, now: dt.datetime) -> list[int]:
    """The bookings that need a change, read without locks and as plain rows (the daily pass
    reads every assignment of the coming weeks): a handful of queries when nothing changed.
    Each is checked again under its lock."""
    zone = _Zone()
    bookings = {
        row[0]: zone.booking(row)
        for row in _bookings(scope, now).values_list(*_BOOKING_COLUMNS)
    }
    assignments = [WorkView(*row) for row in
                   _assignments(scope, now).values_list(*_ASSIGNMENT_COLUMNS)]
    offers = [
        WorkView(booking_id, interpreter_id, police, "", ground, justification, decided_by,
                 personal)
        for booking_id, interpreter_id, police, ground, justification, decided_by, personal
        in _offers(scope, now).values_list(
            *_WORK_COLUMNS, "exception_ground", "exception_justification",
            "exception_decided_by", "personal",
        )
    ]
    missing = {w.booking_id for w in (*assignments, *offers)} - set(bookings)
    if missing:
        bookings.update({
            row[0]: zone.booking(row) for row in
            Booking.objects.filter(pk__in=missing).values_list(*_BOOKING_COLUMNS)
        })
    facts = _gather(list(bookings.values()), (*assignments, *offers))
    requirements = {pk: facts.requirement(b) for pk, b in bookings.items()}
    # A guideline change tightens bookings; a register change only where it acts anyway.
    flagged = set() if scope.interpreter_ids is not None else {
        pk for pk, b in bookings.items() if _tightens(b, requirements[pk])
    }
    flagged |= {
        a.booking_id for a in assignments
        if assignment_violation(assignment=a, booking=bookings[a.booking_id], facts=facts,
                                requirement=requirements[a.booking_id])
    }
    flagged |= {
        o.booking_id for o in offers
        if offer_violation(offer=o, booking=bookings[o.booking_id], facts=facts,
                           requirement=requirements[o.booking_id])
    }
    return sorted(flagged)


# --- acting on one booking --------------------------------------------------------------------


@dataclass(frozen=True)
class _Cause:
    text: str
    actor: User | None
    actor_role: str
    action: str


def _reason(exc: ValidationFailed, cause: _Cause) -> str:
    return f"{exc.code} ({exc.section}): {exc.message_en} [{cause.text}]"[:500]


def _rule_details(exc: ValidationFailed, cause: _Cause, on: dt.date) -> dict[str, Any]:
    return {"rule": exc.code, "section": exc.section, "cause": cause.text,
            "date": on.isoformat()}


def _recheck_booking(
    *, booking_id: int, scope: _Scope, now: dt.datetime, cause: _Cause, nowait: bool
) -> RecheckResult:
    """Re-check one booking under its lock and act. Call inside transaction.atomic."""
    result = RecheckResult()
    if nowait:
        locked = lock_booking_nowait(booking_id=booking_id)
        if locked is None:
            result.skipped_bookings = 1
            logger.info("recheck: booking %s is locked elsewhere; left for the next pass",
                        booking_id)
            return result
        booking = locked
    else:
        booking = lock_booking(booking_id=booking_id)
    if booking.status not in LIVE_BOOKING_STATUSES or booking.start <= now:
        return result
    view = booking_view(booking)
    on = view.day
    # Only the offer and assignment rows: the joined interpreters are read, not locked.
    offers = Offer.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "interpreter"
    ).filter(booking=booking, status=OfferStatus.PENDING)
    assignments = Assignment.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "interpreter"
    ).filter(booking=booking, status=AssignmentStatus.ACTIVE)
    if scope.interpreter_ids is not None:
        offers = offers.filter(interpreter_id__in=scope.interpreter_ids)
        assignments = assignments.filter(interpreter_id__in=scope.interpreter_ids)
    pending = [(offer, offer_view(offer)) for offer in offers]
    live = [(assignment, assignment_view(assignment)) for assignment in assignments]
    facts = _gather([view], [w for _, w in (*pending, *live)])
    requirement = facts.requirement(view)
    if _tightens(view, requirement):
        audit_record(
            booking=booking, actor=cause.actor, actor_role=cause.actor_role,
            action="requirements_tightened", from_status=booking.status,
            to_status=booking.status,
            reason=f"guideline version {requirement.guideline_version} in force on "
            f"{on.isoformat()} [{cause.text}]",
            details={
                "guideline_version": requirement.guideline_version,
                "min_category": [booking.min_category, requirement.min_category],
                "police_certificate_required": [booking.police_certificate_required,
                                                requirement.police_certificate_required],
            },
        )
        booking.min_category = requirement.min_category
        booking.police_certificate_required = requirement.police_certificate_required
        booking.save(update_fields=["min_category", "police_certificate_required",
                                    "updated_at"])
        result.tightened_bookings = 1
    for offer, offer_facts in pending:
        exc = offer_violation(offer=offer_facts, booking=view, facts=facts,
                              requirement=requirement)
        if exc is None:
            continue
        offer_close(offer=offer, booking=booking, reason="rules", now=now,
                    extra={"rule": exc.code, "section": exc.section})
        details = _rule_details(exc, cause, on)
        event_record(
            kind="booking.rechecked",
            payload={"booking_id": booking.pk, "status": booking.status,
                     "change": "offer_withdrawn", "offer_id": offer.pk, "rule": exc.code,
                     "section": exc.section},
            organisation_ids=[booking.customer_id, booking.provider_id],
        )
        audit_record(
            booking=booking, actor=cause.actor, actor_role=cause.actor_role,
            action="offer_withdrawn", from_status=booking.status, to_status=booking.status,
            reason=_reason(exc, cause),
            details={**details, "offer_id": offer.pk,
                     "interpreter": offer.interpreter.register_number},
        )
        result.withdrawn_offers += 1
    for assignment, assignment_facts in live:
        exc = assignment_violation(assignment=assignment_facts, booking=view, facts=facts,
                                   requirement=requirement)
        if exc is None:
            continue
        assignment_reopen(booking, assignment, status=AssignmentStatus.REOPENED,
                          actor=cause.actor, reason=_reason(exc, cause), action=cause.action,
                          actor_role=cause.actor_role, now=now,
                          details=_rule_details(exc, cause, on))
        result.reopened_assignments += 1
    if result.withdrawn_offers and not result.reopened_assignments:
        # The wave may have no pending offer left: the next one goes out (or unfilled).
        next_wave_if_exhausted(booking, now=now)
    if result.changed:
        result.booking_ids.append(booking.pk)
    return result


def _run(
    *, scope: _Scope, now: dt.datetime, cause: _Cause,
    locked_booking_ids: Collection[int] | None = None,
) -> RecheckResult:
    """Screen, then re-check each flagged booking in its own savepoint (or transaction). With
    `locked_booking_ids` the caller holds interpreter locks: other bookings are taken NOWAIT."""
    total = RecheckResult()
    for booking_id in _screen(scope, now):
        nowait = locked_booking_ids is not None and booking_id not in locked_booking_ids
        with transaction.atomic():
            total.add(_recheck_booking(booking_id=booking_id, scope=scope, now=now,
                                       cause=cause, nowait=nowait))
    return total


# --- entry points -----------------------------------------------------------------------------


def recheck_work_exists(*, register_numbers: Collection[str], now: dt.datetime) -> bool:
    """Whether any of these interpreters has a future assignment or a pending offer: when none
    has, a register change has nothing to re-check (one query, for large imports)."""
    return (
        Assignment.objects.filter(status=AssignmentStatus.ACTIVE, start__gt=now,
                                  interpreter__register_number__in=register_numbers).exists()
        or Offer.objects.filter(status=OfferStatus.PENDING, booking__start__gt=now,
                                interpreter__register_number__in=register_numbers).exists()
    )


def recheck_lock_bookings(*, interpreter_ids: Collection[int], now: dt.datetime) -> set[int]:
    """Lock (in id order) the bookings where these interpreters have a future assignment or a
    pending offer. A caller about to lock the interpreters takes these first, to keep the lock
    order. Call inside transaction.atomic."""
    if not interpreter_ids:
        return set()
    scope = _Scope(interpreter_ids=frozenset(interpreter_ids))
    ids = set(_assignments(scope, now).values_list("booking_id", flat=True))
    ids |= set(_offers(scope, now).values_list("booking_id", flat=True))
    for booking_id in sorted(ids):
        lock_booking(booking_id=booking_id)
    return ids


def recheck_interpreters(
    *, interpreter_ids: Collection[int], cause: str, now: dt.datetime | None = None,
    actor: User | None = None, actor_role: str = "register",
    locked_booking_ids: Collection[int] | None = None,
) -> RecheckResult:
    """After a change to these interpreters or their register entries: re-check their pending
    offers and future assignments. Call inside the transaction of the change. A caller holding
    the interpreters' locks passes the bookings it locked first (`recheck_lock_bookings`)."""
    if not interpreter_ids:
        return RecheckResult()
    return _run(
        scope=_Scope(interpreter_ids=frozenset(interpreter_ids)), now=now or timezone.now(),
        cause=_Cause(cause, actor, actor_role, "register_reopened"),
        locked_booking_ids=locked_booking_ids,
    )


def recheck_organisation(
    *, organisation_id: int, cause: str, actor: User | None = None,
    now: dt.datetime | None = None,
) -> RecheckResult:
    """After a guideline change: re-check the organisation's coming bookings (requirements,
    pending offers, assignments). Call inside the transaction of the change."""
    return _run(
        scope=_Scope(organisation_id=organisation_id), now=now or timezone.now(),
        cause=_Cause(cause, actor, "" if actor else "system", "guideline_reopened"),
    )


def recheck_upcoming(*, now: dt.datetime | None = None, days: int | None = None
                     ) -> RecheckResult:
    """Re-check everything in the coming `days` (default `TOLK_RECHECK_DAYS`): catches the
    qualification or certificate that ends by itself between booking and job."""
    now = now or timezone.now()
    days = recheck_days() if days is None else days
    return _run(
        scope=_Scope(until=now + dt.timedelta(days=days)), now=now,
        cause=_Cause(f"daily check of the coming {days} days", None, "system",
                     "register_reopened"),
    )


# In-process memory of the day already done, so each job round costs nothing after the first.
_done_day: dt.date | None = None


def _claim_day(*, day: dt.date, now: dt.datetime) -> DailyJobRun | None:
    """Insert the day's run row, or take over one that went stale unfinished; None if another
    process has it (or had it and finished)."""
    existing = DailyJobRun.objects.filter(job=DAILY_JOB, day=day).first()
    if existing is None:
        try:
            with transaction.atomic():
                return DailyJobRun.objects.create(job=DAILY_JOB, day=day, started_at=now)
        except IntegrityError:
            return None  # another process inserted it first
    if existing.finished_at is not None:
        return None
    taken = DailyJobRun.objects.filter(
        pk=existing.pk, finished_at__isnull=True, started_at__lt=now - STALE_RUN
    ).update(started_at=now)
    return DailyJobRun.objects.get(pk=existing.pk) if taken else None


def recheck_daily_due(*, now: dt.datetime | None = None) -> RecheckResult | None:
    """The daily pass, called from every job loop round (server relay, `run_jobs`): runs
    `recheck_upcoming` at most once per day (Europe/Oslo) per installation, whichever process
    claims the day in the database first. None when today's pass is done or taken; 0 days
    (`TOLK_RECHECK_DAYS=0`) switches it off."""
    global _done_day
    now = now or timezone.now()
    today = timezone.localdate(now)
    if _done_day == today or recheck_days() <= 0:
        return None
    run = _claim_day(day=today, now=now)
    if run is None:
        if DailyJobRun.objects.filter(job=DAILY_JOB, day=today,
                                      finished_at__isnull=False).exists():
            _done_day = today
        return None
    result = recheck_upcoming(now=now)
    run.finished_at = timezone.now()
    run.reopened_assignments = result.reopened_assignments
    run.withdrawn_offers = result.withdrawn_offers
    run.tightened_bookings = result.tightened_bookings
    run.save(update_fields=["finished_at", "reopened_assignments", "withdrawn_offers",
                            "tightened_bookings"])
    _done_day = today
    if result.changed:
        logger.info(
            "daily recheck %s: %s assignments reopened, %s offers withdrawn, %s bookings "
            "tightened", today, result.reopened_assignments, result.withdrawn_offers,
            result.tightened_bookings,
        )
    return result
