"""Writes to bookings: create (with Idempotency-Key), dry-run check, cancel, complete,
interpreter cancellation and the reopen after a register change (the documented exception path
is `booking.dispatch.services.exception_path`, the assignment insert
`booking.dispatch.services.assignments`).

Every state change goes through the lifecycle (`booking.dispatch.lifecycle.booking_transition`),
which refuses a move its table does not list and writes the audit entry, the `booking.changed`
event and, for final states, the `booking_finished` signal, all inside the transaction of the
change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.dispatch.lifecycle import (
    assignment_end,
    booking_can,
    booking_created,
    booking_transition,
    offers_withdraw,
)
from booking.dispatch.locks import lock_booking
from booking.dispatch.selectors import (
    booking_candidates_ranked,
    guideline_in_force,
)
from booking.dispatch.services.waves import assignment_reopen, offers_send_wave_locked
from booking.models import (
    Assignment,
    AssignmentStatus,
    Booking,
    BookingStatus,
    CancelledBy,
    Gender,
    IdempotencyRecord,
    Modality,
    Organisation,
    ProviderAgreement,
    Role,
    Sector,
    User,
)
from booking.rules import cancellation, rule_set_for, rules_in_force, times
from booking.rules import checks as rules
from tolk.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from tolk.reference.languages import AMBIGUOUS_LANGUAGE, language_resolve
from tolk.reference.validators import is_valid_municipality
from tolk.times import instant


@dataclass(frozen=True)
class BookingInput:
    """A booking request as the API (or another caller) hands it to the service."""

    language: str
    modality: str
    start: dt.datetime
    end: dt.datetime
    duty_basis: str
    sector: str = ""
    municipality: str = ""
    address: str = ""
    platform: str = ""
    dialect: str = ""
    assessment_note: str = ""
    topic_notes: str = ""
    terminology_notes: str = ""
    case_reference: str = ""
    preferred_gender: str = ""
    min_category: str = ""
    police_certificate_required: bool = False
    provider: str = ""  # organisation number; empty: the customer's default provider

    def fingerprint(self) -> str:
        data = asdict(self)
        # Stored fingerprints were made when the input still had an (always empty) `extra`: kept
        # in the hash, so a retry of a request stored before still matches its record.
        data["extra"] = {}
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        raw = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(raw).hexdigest()


# --- create and check -------------------------------------------------------------------------


@dataclass
class Prepared:
    """What the rules decided for a request, before anything is saved."""

    values: dict[str, Any]
    rule_set: str
    on: dt.date
    guideline_version: int


def _choose_provider(customer: Organisation, org_number: str) -> Organisation:
    agreements = ProviderAgreement.objects.select_related("provider").filter(customer=customer)
    if org_number:
        agreement = agreements.filter(provider__org_number=org_number).first()
        if agreement is None:
            raise ValidationFailed.of(
                "no_agreement_with_provider",
                fields={"provider": ["No agreement with this provider."]},
            )
        return agreement.provider
    agreement = agreements.filter(is_default=True).first() or agreements.first()
    if agreement is None:
        raise ValidationFailed.of(
            "no_provider_agreement", fields={"provider": ["No provider agreement."]}
        )
    return agreement.provider


def booking_prepare(*, user: User, data: BookingInput, now: dt.datetime) -> Prepared:
    """Apply every rule to a request without saving: raises the first violation."""
    if not user.has_role(Role.BOOKER) or user.unit_id is None or user.organisation_id is None:
        raise PermissionDeniedError.of("not_a_booker")
    unit = user.unit
    assert unit is not None  # noqa: S101 - narrowed by the role check above
    customer = unit.organisation
    language = language_resolve(data.language)
    if language.error == AMBIGUOUS_LANGUAGE:
        raise ValidationFailed.of(
            "ambiguous_language", options=", ".join(language.candidates),
            fields={"language": [language.reason()]},
        )
    if language.code is None:
        raise ValidationFailed.of(
            "unknown_language", fields={"language": ["Not an ISO 639-3 code."]}
        )
    # Stored as the language table's code (`fas` and `per` are Persisk, `pes`).
    data = replace(data, language=language.code)
    if data.modality not in Modality.values:
        raise ValidationFailed.of(
            "modality_unknown",
            fields={"modality": [f"Must be one of {', '.join(Modality.values)}."]},
        )
    sector = data.sector or unit.sector
    if sector not in Sector.values:
        raise ValidationFailed.of(
            "sector_unknown", fields={"sector": [f"Must be one of {', '.join(Sector.values)}."]}
        )
    if data.preferred_gender and data.preferred_gender not in Gender.values:
        raise ValidationFailed.of(
            "gender_unknown",
            fields={"preferred_gender": [f"Must be one of {', '.join(Gender.values)}."]},
        )
    rules.check_category_value(field="min_category", value=data.min_category)
    times.check_booking_times(start=data.start, end=data.end, now=now)
    rules.check_duty_basis(duty_basis=data.duty_basis, assessment_note=data.assessment_note)

    today = timezone.localtime(now).date()
    guideline = guideline_in_force(organisation_id=customer.pk, on=today)
    rules.check_guideline_present(guideline_version=guideline.version if guideline else None)
    assert guideline is not None  # noqa: S101 - check_guideline_present raised otherwise

    onsite = data.modality == Modality.ONSITE
    municipality = data.municipality if onsite else (data.municipality or unit.municipality)
    if onsite and data.municipality and not is_valid_municipality(data.municipality):
        raise ValidationFailed.of(
            "municipality_unknown", fields={"municipality": ["Not a municipality number."]}
        )
    rules.check_modality(
        modality=data.modality,
        platform="" if onsite else data.platform,
        approved_platforms=guideline.remote_platforms,
        municipality=municipality,
        address=data.address if onsite else "x",
    )
    if not is_valid_municipality(municipality):
        raise ValidationFailed.of(
            "municipality_unknown", fields={"municipality": ["Not a municipality number."]}
        )
    provider = _choose_provider(customer, data.provider)
    on = timezone.localtime(data.start).date()
    # A later version already published for the assignment's day adds what it requires, as the
    # re-check of coming bookings would (booking.dispatch.services.recheck): dispatch under it from
    # the start. The booking records the version in force today.
    day_guideline = guideline_in_force(organisation_id=customer.pk, on=on) or guideline
    last_day = settings.TOLK_DISPENSATION_LAST_DAY
    values: dict[str, Any] = {
        "customer": customer,
        "unit": unit,
        "provider": provider,
        "created_by": user,
        "assessed_by": user,
        "language": data.language,
        "dialect": data.dialect.strip(),
        "modality": data.modality,
        # Stored and computed on as instants: a clock change never shifts a duration.
        "start": instant(data.start),
        "end": instant(data.end),
        "municipality": municipality,
        "address": data.address.strip() if onsite else "",
        "platform": "" if onsite else data.platform,
        "sector": sector,
        "duty_basis": data.duty_basis,
        "assessment_note": data.assessment_note.strip(),
        "topic_notes": data.topic_notes.strip(),
        "terminology_notes": data.terminology_notes.strip(),
        "case_reference": data.case_reference.strip(),
        "preferred_gender": data.preferred_gender,
        "min_category": rules.stricter_category(
            rules.stricter_category(data.min_category, guideline.min_category),
            day_guideline.min_category,
        ),
        "qualified_required": rules.qualified_required(duty_basis=data.duty_basis),
        "police_certificate_required": (
            data.police_certificate_required or guideline.police_certificate_required
            or day_guideline.police_certificate_required
        ),
        "guideline": guideline,
        "rule_set": rule_set_for(on=on, dispensation_last_day=last_day),
        "acute": times.is_acute(start=data.start, now=now, hours=settings.TOLK_ACUTE_HOURS),
    }
    return Prepared(values=values, rule_set=values["rule_set"], on=on,
                    guideline_version=guideline.version)


def booking_check(*, user: User, data: BookingInput, now: dt.datetime | None = None
                  ) -> dict[str, Any]:
    """Dry run for the booking form: apply the rules and count the free qualified interpreters.
    Nothing is saved."""
    now = now or timezone.now()
    prepared = booking_prepare(user=user, data=data, now=now)
    draft = Booking(**prepared.values)
    candidates = booking_candidates_ranked(booking=draft, now=now, limit=1)
    last_day = settings.TOLK_DISPENSATION_LAST_DAY
    remote = _remote_suggestion(prepared=prepared, draft=draft, onsite=candidates.total, now=now)
    return {
        "ok": True,
        "rule_set": prepared.rule_set,
        "date": prepared.on,
        "rules": [r.code for r in rules_in_force(on=prepared.on, dispensation_last_day=last_day)],
        "guideline_version": prepared.guideline_version,
        "provider": draft.provider.org_number,
        "min_category": draft.min_category,
        "qualified_required": draft.qualified_required,
        "police_certificate_required": draft.police_certificate_required,
        "acute": draft.acute,
        "free_qualified_interpreters": candidates.total,
        "by_category": candidates.by_category,
        "remote_suggestion": remote,
        "late_cancellation_hours": draft.late_cancellation_hours,
        # Made now, this close to the start: cancelling once an interpreter accepts is late.
        "late_cancellation_on_acceptance": cancellation.created_inside_late_window(
            start=draft.start, created_at=now, hours=draft.late_cancellation_hours,
        ),
    }


def _remote_suggestion(*, prepared: Prepared, draft: Booking, onsite: int, now: dt.datetime
                       ) -> dict[str, int] | None:
    """For an acute on-site booking with too few free interpreters to fill its first wave
    (TOLK_ACUTE_FIRST_WAVE): the free qualified interpreters over video and phone, when either
    adds to them and the organisation has approved a platform for remote interpreting (§ 8).
    IMDi recommends video when the need is urgent. None otherwise."""
    guideline = draft.guideline
    if (not draft.acute or draft.modality != Modality.ONSITE
            or onsite >= settings.TOLK_ACUTE_FIRST_WAVE
            or guideline is None or not guideline.remote_platforms):
        return None
    counts = {"onsite": onsite}
    for modality in (Modality.VIDEO, Modality.PHONE):
        remote = Booking(**{**prepared.values, "modality": modality, "address": "",
                            "platform": guideline.remote_platforms[0]})
        counts[str(modality)] = booking_candidates_ranked(booking=remote, now=now, limit=1).total
    if max(counts["video"], counts["phone"]) <= onsite:
        return None
    return counts


def _idempotent_result(*, user: User, key: str, fingerprint: str) -> Booking | None:
    record = IdempotencyRecord.objects.select_related("booking").filter(user=user, key=key).first()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise ConflictError.of("idempotency_key_other_request", fields={"idempotency_key": key})
    return record.booking


def booking_create(
    *, user: User, data: BookingInput, idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> tuple[Booking, bool]:
    """Create a booking. Returns (booking, created). With an Idempotency-Key, a retry of the same
    request returns the booking created the first time (created=False); the same key with another
    request is a 409 `idempotency_key_reused`."""
    now = now or timezone.now()
    key = idempotency_key.strip()
    if len(key) > 255:
        raise ValidationFailed.of(
            "idempotency_key_too_long", fields={"idempotency_key": ["At most 255 characters."]}
        )
    if not key.isprintable():
        raise ValidationFailed.of(
            "idempotency_key_invalid_character",
            fields={"idempotency_key": ["invalid_character"]},
        )
    fingerprint = data.fingerprint()
    if key:
        existing = _idempotent_result(user=user, key=key, fingerprint=fingerprint)
        if existing is not None:
            return existing, False
    prepared = booking_prepare(user=user, data=data, now=now)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(**prepared.values)
            if key:
                IdempotencyRecord.objects.create(
                    user=user, key=key, request_hash=fingerprint, booking=booking
                )
            booking_created(
                booking=booking, actor=user,
                details={
                    "rule_set": booking.rule_set,
                    "guideline_version": prepared.guideline_version,
                    "duty_basis": booking.duty_basis,
                    "qualified_required": booking.qualified_required,
                    "acute": booking.acute,
                },
            )
            if getattr(settings, "TOLK_AUTO_DISPATCH", False):
                # Automatic dispatch: the first wave goes out with the booking.
                offers_send_wave_locked(booking=lock_booking(booking_id=booking.pk), actor=None,
                                        limit=None, now=now)
    except IntegrityError:
        # A concurrent request with the same key won the race: answer as its retry.
        if key:
            existing = _idempotent_result(user=user, key=key, fingerprint=fingerprint)
            if existing is not None:
                return existing, False
        raise
    return booking, True


# --- cancel, complete -------------------------------------------------------------------------


def _require_customer_or_provider(user: User, booking: Booking) -> str:
    if user.has_role(Role.BOOKER) and user.organisation_id == booking.customer_id:
        return CancelledBy.CUSTOMER
    if user.has_role(Role.COORDINATOR) and user.organisation_id == booking.provider_id:
        return CancelledBy.PROVIDER
    if user.has_role(Role.ADMIN):
        return CancelledBy.PROVIDER
    raise NotFoundError.of("booking_not_found")


def _live_assignment_locked(booking: Booking) -> Assignment | None:
    return (
        Assignment.objects.select_for_update()
        .filter(booking=booking, status=AssignmentStatus.ACTIVE)
        .first()
    )


@transaction.atomic
def booking_cancel(
    *, booking_id: int, user: User, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    """Cancel by the customer (or the provider). Late (the flag is kept for billing and
    statistics) as `booking.rules.cancellation` decides: never before an interpreter has accepted,
    inside the guideline's window before the start, and for a booking made inside the window from
    the acceptance."""
    now = now or timezone.now()
    booking = lock_booking(booking_id=booking_id)
    by = _require_customer_or_provider(user, booking)
    if not booking_can(booking.status, BookingStatus.CANCELLED):
        raise ConflictError.of(
            "booking_final", booking_status=booking.status, fields={"status": booking.status}
        )
    hours = booking.late_cancellation_hours
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.cancelled_by_user = user
    booking.cancel_reason = reason[:500]
    offers_withdraw(booking=booking, reason="cancelled")
    assignment = _live_assignment_locked(booking)
    booking.late_cancellation = cancellation.cancellation_is_late(
        start=booking.start, created_at=booking.created_at,
        accepted_at=assignment.accepted_at if assignment else None,
        cancelled_at=now, hours=hours,
    )
    if assignment is not None:
        assignment_end(assignment=assignment, to_status=AssignmentStatus.CANCELLED, now=now,
                       reason=f"booking cancelled by {by}")
    booking_transition(
        booking=booking, to_status=BookingStatus.CANCELLED, actor=user, action="cancelled",
        reason=reason, details={"late": booking.late_cancellation, "by": by,
                                "window_hours": hours},
        update_fields=("late_cancellation", "cancelled_at", "cancelled_by",
                       "cancelled_by_user", "cancel_reason"),
    )
    return booking


@transaction.atomic
def booking_complete(
    *, booking_id: int, user: User, actual_start: dt.datetime, actual_end: dt.datetime,
    cost_nok: Decimal | None = None, now: dt.datetime | None = None,
) -> Booking:
    """Record that the assignment took place: actual start, end and cost (NOK)."""
    now = now or timezone.now()
    booking = lock_booking(booking_id=booking_id)
    _require_customer_or_provider(user, booking)
    if not booking_can(booking.status, BookingStatus.COMPLETED):
        raise ConflictError.of("booking_not_completable", fields={"status": booking.status})
    times.check_completion_times(actual_start=actual_start, actual_end=actual_end, now=now)
    actual_start, actual_end = instant(actual_start), instant(actual_end)
    if cost_nok is not None and (cost_nok < 0 or cost_nok >= Decimal("10000000000")):
        raise ValidationFailed.of(
            "completion_invalid", fields={"cost_nok": ["Must be between 0 and 9 999 999 999.99."]}
        )
    assignment = _live_assignment_locked(booking)
    if assignment is None:  # pragma: no cover - guarded by the unique constraint and status
        raise ConflictError.of("booking_not_assigned")
    assignment.actual_start = actual_start
    assignment.actual_end = actual_end
    assignment.cost_nok = cost_nok
    assignment_end(assignment=assignment, to_status=AssignmentStatus.COMPLETED, now=now,
                   update_fields=("actual_start", "actual_end", "cost_nok"))
    booking_transition(
        booking=booking, to_status=BookingStatus.COMPLETED, actor=user, action="completed",
        details={"actual_start": actual_start.isoformat(), "actual_end": actual_end.isoformat(),
                 "cost_nok": str(cost_nok) if cost_nok is not None else None},
    )
    return booking


# --- assignments ------------------------------------------------------------------------------


@transaction.atomic
def assignment_cancel_by_interpreter(
    *, booking_id: int, user: User, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    """The interpreter gives the assignment back: the booking reopens and the next wave of offers
    goes out automatically (the interpreter is not asked again)."""
    now = now or timezone.now()
    if not user.has_role(Role.INTERPRETER) or not user.interpreter_id:
        raise NotFoundError.of("booking_not_found")
    booking = lock_booking(booking_id=booking_id)
    assignment = (
        Assignment.objects.select_for_update()
        .filter(booking=booking, interpreter_id=user.interpreter_id,
                status=AssignmentStatus.ACTIVE)
        .first()
    )
    if assignment is None:
        raise NotFoundError.of("booking_not_found")
    if booking.start <= now:
        raise ConflictError.of("assignment_started")
    assignment_reopen(booking, assignment, status=AssignmentStatus.CANCELLED, actor=user,
                      reason=reason or "cancelled by the interpreter",
                      action="interpreter_cancelled", now=now)
    booking.refresh_from_db()
    return booking
