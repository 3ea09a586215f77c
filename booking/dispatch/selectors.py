"""Reads of bookings, offers and assignments: who may see what (tenant isolation: other
organisations' objects are simply not in the queryset, so they are 404), the ranked candidate list
with explanations, which guideline version is in force on a day, and the fields the statistics
take from a finished booking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from booking.models import (
    LIVE_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentStatus,
    AuditEntry,
    Booking,
    BookingStatus,
    Guideline,
    Interpreter,
    InterpreterBlock,
    Modality,
    Offer,
    OfferStatus,
    Qualification,
    Role,
    User,
)
from booking.register.selectors import qualification_on, qualifications_valid_on
from booking.rules import (
    TL7_QUALIFIED,
    TL9_GUIDELINES,
    TL10_POLICE_CERT,
    TL16_IMPARTIALITY,
    section_of,
)
from tolk.errors import NotFoundError
from tolk.reference import geo
from tolk.times import instant, minutes_between

FAIRNESS_DAYS = 90


def booking_date(booking: Booking) -> dt.date:
    """The assignment date: the local (Europe/Oslo) day the booking starts."""
    return timezone.localtime(booking.start).date()


# --- visibility -------------------------------------------------------------------------------


def bookings_visible_to(*, user: User) -> QuerySet[Booking]:
    """Bookers: their organisation's bookings. Coordinators: bookings their organisation
    dispatches. Interpreters: bookings they were offered or assigned. Admins: all."""
    qs = Booking.objects.select_related("customer", "unit", "provider", "guideline")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.role == Role.ADMIN:
        return qs
    if user.role == Role.BOOKER and user.organisation_id:
        return qs.filter(customer_id=user.organisation_id)
    if user.role == Role.COORDINATOR and user.organisation_id:
        return qs.filter(provider_id=user.organisation_id)
    if user.role == Role.INTERPRETER and user.interpreter_id:
        return qs.filter(
            Q(Exists(Offer.objects.filter(
                booking=OuterRef("pk"), interpreter_id=user.interpreter_id
            )))
            | Q(Exists(Assignment.objects.filter(
                booking=OuterRef("pk"), interpreter_id=user.interpreter_id
            )))
        )
    return qs.none()


def booking_get(*, user: User, booking_id: int) -> Booking:
    booking = bookings_visible_to(user=user).filter(pk=booking_id).first()
    if booking is None:
        raise NotFoundError.of("booking_not_found")
    return booking


def booking_live_assignment(*, booking: Booking) -> Assignment | None:
    return (
        Assignment.objects.select_related("interpreter", "declaration_recorded_by")
        .filter(booking=booking, status__in=LIVE_ASSIGNMENT_STATUSES)
        .first()
    )


def offers_for_interpreter(*, user: User) -> QuerySet[Offer]:
    if user.role != Role.INTERPRETER or not user.interpreter_id:
        return Offer.objects.none()
    return (
        Offer.objects.select_related("booking")
        .filter(interpreter_id=user.interpreter_id)
        .order_by("-created_at", "-id")
    )


def offers_for_booking(*, booking: Booking) -> QuerySet[Offer]:
    return Offer.objects.select_related("interpreter").filter(booking=booking)


def audit_for_booking(*, booking: Booking) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor").filter(booking=booking).order_by("id")


def assignments_for_calendar(*, interpreter_id: int, since: dt.datetime) -> QuerySet[Assignment]:
    return (
        Assignment.objects.select_related("booking")
        .filter(
            interpreter_id=interpreter_id,
            status__in=LIVE_ASSIGNMENT_STATUSES,
            end__gte=since,
        )
        .order_by("start")
    )


def interpreter_blocks_visible_to(*, user: User) -> QuerySet[InterpreterBlock]:
    """§ 16 blocks: a booker sees their organisation's, an administrator every organisation's;
    nobody else any."""
    blocks = InterpreterBlock.objects.select_related("organisation", "interpreter", "created_by")
    if user.has_role(Role.ADMIN):
        return blocks.order_by("-created_at", "-pk")
    if user.has_role(Role.BOOKER) and user.organisation_id:
        return blocks.filter(organisation_id=user.organisation_id).order_by("-created_at", "-pk")
    return blocks.none()


# --- guidelines -------------------------------------------------------------------------------


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


# --- candidates -------------------------------------------------------------------------------


@dataclass
class Candidate:
    interpreter_id: int
    register_number: str
    given_name: str
    family_name: str
    gender: str
    municipality: str
    category: str
    recent_assignments: int
    distance_km: float
    travel_minutes: int
    rank: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["distance_km"] = round(self.distance_km, 1)
        return data


@dataclass
class Explanation:
    register_number: str
    eligible: bool
    category: str | None
    rank: int | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)


@lru_cache(maxsize=256)
def _max_travel_minutes(municipality: str) -> int:
    """The longest travel buffer anyone can have to `municipality`: bounds the window in which an
    existing assignment can collide with a new one."""
    places = [*geo.MUNICIPALITIES, *(f"{c}99" for c in geo.COUNTIES), "9999"]
    return max(geo.travel_minutes(p, municipality) for p in places)


def travel_for(*, booking: Booking, interpreter_municipality: str) -> int:
    if booking.modality != Modality.ONSITE:
        return 0
    return geo.travel_minutes(interpreter_municipality, booking.municipality)


def blocked_range(*, booking: Booking, travel: int) -> tuple[dt.datetime, dt.datetime]:
    buffer = dt.timedelta(minutes=travel)
    return instant(booking.start) - buffer, instant(booking.end) + buffer


def _busy_ranges(
    *, interpreter_ids: list[int], start: dt.datetime, end: dt.datetime,
    exclude_booking_id: int | None,
) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    rows = Assignment.objects.filter(
        interpreter_id__in=interpreter_ids,
        status__in=LIVE_ASSIGNMENT_STATUSES,
        blocked_start__lt=end,
        blocked_end__gt=start,
    )
    if exclude_booking_id is not None:
        rows = rows.exclude(booking_id=exclude_booking_id)
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    fields = ("interpreter_id", "blocked_start", "blocked_end")
    for interpreter_id, bs, be in rows.values_list(*fields):
        busy.setdefault(interpreter_id, []).append((bs, be))
    return busy


def _overlaps(ranges: list[tuple[dt.datetime, dt.datetime]], start: dt.datetime,
              end: dt.datetime) -> bool:
    return any(bs < end and be > start for bs, be in ranges)


def _blocks_for(booking: Booking) -> QuerySet[InterpreterBlock]:
    case = Q(case_reference="")
    if booking.case_reference:
        case |= Q(case_reference=booking.case_reference)
    return InterpreterBlock.objects.filter(case, organisation_id=booking.customer_id)


def _candidate_rows(booking: Booking) -> QuerySet[Qualification]:
    """One row per qualified interpreter (the register entry for the language that is valid on
    the day), filtered by the booking's requirements, with a cheap "might be busy" flag that
    `booking_candidates` checks exactly."""
    on = booking_date(booking)
    window = dt.timedelta(minutes=_max_travel_minutes(booking.municipality))
    maybe_busy = Assignment.objects.filter(
        interpreter=OuterRef("interpreter_id"),
        status__in=LIVE_ASSIGNMENT_STATUSES,
        blocked_start__lt=booking.end + window,
        blocked_end__gt=booking.start - window,
    )
    if booking.pk:
        maybe_busy = maybe_busy.exclude(booking_id=booking.pk)
    qs = qualifications_valid_on(on=on, language=booking.language)
    if booking.min_category:
        qs = qs.filter(category__lte=booking.min_category)
    qs = qs.filter(**{f"interpreter__offers_{booking.modality}": True})
    if booking.preferred_gender:
        qs = qs.filter(interpreter__gender=booking.preferred_gender)
    if booking.police_certificate_required:
        qs = qs.filter(interpreter__police_certificate_valid_until__gte=on)
    qs = qs.filter(~Exists(_blocks_for(booking).filter(interpreter=OuterRef("interpreter_id"))))
    if booking.pk:
        # Asked before and declined, let it expire or took it: not again. An offer withdrawn
        # because someone else took the booking does not count: that interpreter is asked again
        # when the booking reopens.
        asked = Offer.objects.filter(booking=booking, interpreter=OuterRef("interpreter_id"))
        qs = qs.filter(~Exists(asked.exclude(status=OfferStatus.WITHDRAWN)))
    return qs.annotate(maybe_busy=Exists(maybe_busy))


def recent_assignment_counts(*, interpreter_ids: list[int], now: dt.datetime) -> dict[int, int]:
    """Live assignments per interpreter from 90 days back, including those already booked ahead,
    so work is spread as it is handed out (answered from the partial index
    `assignment_live_by_start` alone)."""
    if not interpreter_ids:
        return {}
    rows = (
        Assignment.objects.filter(
            interpreter_id__in=interpreter_ids,
            status__in=LIVE_ASSIGNMENT_STATUSES,
            start__gte=now - dt.timedelta(days=FAIRNESS_DAYS),
        )
        .order_by()
        .values("interpreter_id")
        .annotate(n=Count("*"))
        .values_list("interpreter_id", "n")
    )
    return dict(rows)


@dataclass
class CandidateList:
    """The ranked head of the candidate list and how many candidates there are in all."""

    ranked: list[Candidate]
    total: int
    by_category: dict[str, int]


def booking_candidates_ranked(
    *, booking: Booking, now: dt.datetime | None = None, limit: int | None = None
) -> CandidateList:
    """Interpreters who can take `booking`, best first: qualified for the language on the day
    (A–E, entry active), meeting the minimum category, the police-certificate requirement and the
    preferences, offering the modality, not blocked for the case, not already offered this booking,
    and free for the whole slot including travel. Ranked by category (A first), then fairness
    (fewest assignments in the last 90 days and ahead), then distance, then register entry.

    With `limit`, only the first `limit` are ranked and returned (fairness is counted only in
    the categories that reach into them); `total` is always the number of all candidates."""
    now = now or timezone.now()
    query = _candidate_rows(booking).order_by().values_list(  # type: ignore[misc]
        "interpreter_id", "category", "maybe_busy", "interpreter__municipality",
    )
    if connection.vendor == "postgresql":
        # A short OLTP query whose estimated cost can cross jit_above_cost: compiling it takes
        # longer than running it. SET LOCAL ends with the transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            rows = list(query)
    else:
        rows = list(query)
    maybe = [row[0] for row in rows if row[2]]
    window = dt.timedelta(minutes=_max_travel_minutes(booking.municipality))
    busy = (
        _busy_ranges(
            interpreter_ids=maybe, start=booking.start - window, end=booking.end + window,
            exclude_booking_id=booking.pk,
        )
        if maybe
        else {}
    )
    remote = booking.modality != Modality.ONSITE
    places: dict[str, tuple[int, float]] = {}
    # (category, interpreter id, municipality) of everyone who is free for the slot.
    free: list[tuple[str, int, str]] = []
    for interpreter_id, category, maybe_busy, where in rows:
        if where not in places:
            places[where] = (0, 0.0) if remote else (
                geo.travel_minutes(where, booking.municipality),
                geo.distance_km(where, booking.municipality),
            )
        if maybe_busy:
            start, end = blocked_range(booking=booking, travel=places[where][0])
            if _overlaps(busy.get(interpreter_id, []), start, end):
                continue
        free.append((category, interpreter_id, where))
    free.sort()
    if limit is not None and limit < len(free):
        last_category = free[limit - 1][0]
        head_rows = [row for row in free if row[0] <= last_category]
    else:
        head_rows = free
    counts = recent_assignment_counts(interpreter_ids=[row[1] for row in head_rows], now=now)
    # (category, recent work, distance, register id): the id makes the order total and stable.
    keyed = sorted(
        (category, counts.get(interpreter_id, 0), places[where][1], interpreter_id, where)
        for category, interpreter_id, where in head_rows
    )
    if limit is not None:
        keyed = keyed[:limit]
    # Names and register numbers only for the rows that are returned.
    people = {
        pk: rest for pk, *rest in Interpreter.objects.filter(
            pk__in=[row[3] for row in keyed]
        ).values_list("pk", "register_number", "given_name", "family_name", "gender")
    }
    ranked = []
    for position, (category, recent, distance, interpreter_id, where) in enumerate(keyed, 1):
        number, given, family, gender = people[interpreter_id]
        ranked.append(Candidate(
            interpreter_id=interpreter_id, register_number=number, given_name=given,
            family_name=family, gender=gender, municipality=where, category=category,
            recent_assignments=recent, distance_km=distance, travel_minutes=places[where][0],
            rank=position,
        ))
    by_category = {c: 0 for c in ("A", "B", "C", "D", "E")}
    for category, _, _ in free:
        by_category[category] += 1
    return CandidateList(ranked=ranked, total=len(free), by_category=by_category)


def booking_candidates(
    *, booking: Booking, now: dt.datetime | None = None, limit: int | None = None
) -> list[Candidate]:
    """The ranked candidates (all, or the first `limit`); see `booking_candidates_ranked`."""
    return booking_candidates_ranked(booking=booking, now=now, limit=limit).ranked


def _reason(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    section = section_of(code) if code.startswith("TL") else None
    return {"code": code, "section": section, "detail": detail, **extra}


def candidate_explain(
    *, booking: Booking, register_number: str, now: dt.datetime | None = None
) -> Explanation:
    """Why an interpreter is, or is not, a candidate for `booking`: every rule that excludes
    them."""
    interpreter = Interpreter.objects.filter(register_number=register_number).first()
    if interpreter is None:
        raise NotFoundError.of("interpreter_not_found", fields={"explain": register_number})
    on = booking_date(booking)
    qualification = qualification_on(interpreter=interpreter, language=booking.language, on=on)
    category = qualification.category if qualification else None
    reasons: list[dict[str, Any]] = []
    if category is None:
        reasons.append(_reason(
            TL7_QUALIFIED,
            f"Not qualified for {booking.language} on {on.isoformat()} (no valid register entry, "
            "or the entry is suspended, excluded or revoked).",
        ))
    elif booking.min_category and category > booking.min_category:
        reasons.append(_reason(
            TL9_GUIDELINES,
            f"Category {category} is below the required minimum {booking.min_category}.",
        ))
    if not getattr(interpreter, f"offers_{booking.modality}"):
        reasons.append(_reason("MODALITY", f"Does not offer {booking.modality} interpreting."))
    if booking.preferred_gender and interpreter.gender != booking.preferred_gender:
        reasons.append(_reason("PREFERENCE_GENDER", "Does not match the gender preference."))
    if booking.police_certificate_required and not (
        interpreter.police_certificate_valid_until
        and interpreter.police_certificate_valid_until >= on
    ):
        reasons.append(_reason(TL10_POLICE_CERT, "No police certificate valid on the day."))
    if _blocks_for(booking).filter(interpreter=interpreter).exists():
        reasons.append(_reason(TL16_IMPARTIALITY, "Blocked by the organisation for this case."))
    offer = (
        Offer.objects.filter(booking=booking, interpreter=interpreter)
        .exclude(status=OfferStatus.WITHDRAWN).first()
        if booking.pk else None
    )
    if offer is not None:
        reasons.append(_reason(
            "ALREADY_OFFERED", f"Already offered this booking (offer status {offer.status})."
        ))
    travel = travel_for(booking=booking, interpreter_municipality=interpreter.municipality)
    start, end = blocked_range(booking=booking, travel=travel)
    busy = _busy_ranges(
        interpreter_ids=[interpreter.pk], start=start, end=end, exclude_booking_id=booking.pk
    ).get(interpreter.pk, [])
    if busy:
        reasons.append(_reason(
            "BUSY",
            f"Has another assignment within the slot including {travel} minutes of travel.",
            conflicts=[{"start": s.isoformat(), "end": e.isoformat()} for s, e in busy],
        ))
    rank = None
    if not reasons:
        for candidate in booking_candidates(booking=booking, now=now):
            if candidate.interpreter_id == interpreter.pk:
                rank = candidate.rank
                break
    return Explanation(
        register_number=register_number,
        eligible=not reasons,
        category=category,
        rank=rank,
        reasons=reasons,
    )


def interpreter_is_free(
    *, interpreter_id: int, start: dt.datetime, end: dt.datetime, exclude_booking_id: int | None
) -> bool:
    rows = Assignment.objects.filter(
        interpreter_id=interpreter_id,
        status__in=LIVE_ASSIGNMENT_STATUSES,
        blocked_start__lt=end,
        blocked_end__gt=start,
    )
    if exclude_booking_id is not None:
        rows = rows.exclude(booking_id=exclude_booking_id)
    return not rows.exists()


def interpreter_blocked_for(*, booking: Booking, interpreter_id: int) -> bool:
    return _blocks_for(booking).filter(interpreter_id=interpreter_id).exists()


# --- statistics -------------------------------------------------------------------------------


def booking_fact_fields(booking: Booking) -> dict[str, Any]:
    """What the statistics record for a finished booking, in the provider import's vocabulary
    (`stats` import columns) plus the evidence fields. No data about the person."""
    assignment = (
        Assignment.objects.filter(booking=booking)
        .exclude(status__in=[AssignmentStatus.CANCELLED, AssignmentStatus.REOPENED])
        .order_by("-id")
        .first()
    )
    if assignment is None and booking.status == BookingStatus.CANCELLED:
        assignment = Assignment.objects.filter(booking=booking).order_by("-id").first()
    outcome = {
        BookingStatus.COMPLETED: "completed",
        BookingStatus.CANCELLED: "cancelled",
        BookingStatus.UNFILLED: "unfilled",
    }.get(BookingStatus(booking.status), booking.status)
    duration: int | None = None
    cost: Decimal | None = None
    if outcome == "completed" and assignment is not None:
        start = assignment.actual_start or assignment.start
        end = assignment.actual_end or assignment.end
        duration = max(minutes_between(start, end), 0)
        cost = assignment.cost_nok
    category = ""
    basis = ""
    if assignment is not None and outcome == "completed":
        category = assignment.category if assignment.basis == "qualified" else ""
        basis = assignment.basis
    return {
        "provider_org_number": booking.provider.org_number,
        "provider_type": booking.provider.provider_type,
        "reference": f"tolk-{booking.pk}",
        "date": booking_date(booking),
        "language": booking.language,
        "modality": booking.modality,
        "sector": booking.sector,
        "municipality": booking.unit.municipality,
        "interpreter_category": category,
        "outcome": outcome,
        "duration_minutes": duration,
        "cost_nok": cost,
        "customer_org_number": booking.customer.org_number,
        "booking_id": booking.pk,
        "duty_basis": booking.duty_basis,
        "qualification_basis": basis,
        "late_cancellation": booking.late_cancellation,
        "cancelled_by": booking.cancelled_by,
        "requested_at": booking.created_at,
        "guideline_version": booking.guideline.version if booking.guideline else None,
        "interpreter_id": assignment.interpreter_id if assignment is not None else None,
    }


# --- time to fill ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FillTimes:
    """How long bookings waited for the interpreter who took them: count, median and 90th
    percentile in minutes (nearest rank; None without bookings)."""

    count: int
    p50_minutes: int | None
    p90_minutes: int | None


def _nearest_rank(ordered: list[int], percent: int) -> int:
    # The smallest value with at least `percent` % of the values at or below it.
    rank = -(-percent * len(ordered) // 100)  # ceil, in integers
    return ordered[max(rank, 1) - 1]


def fill_times_of(seconds: list[int]) -> FillTimes:
    """Count, p50 and p90 (in minutes) of durations in seconds, in any order."""
    ordered = sorted(seconds)
    if not ordered:
        return FillTimes(count=0, p50_minutes=None, p90_minutes=None)
    return FillTimes(
        count=len(ordered),
        p50_minutes=round(_nearest_rank(ordered, 50) / 60),
        p90_minutes=round(_nearest_rank(ordered, 90) / 60),
    )


def time_to_fill_by_acute(*, provider_id: int, since: dt.datetime) -> dict[bool, FillTimes]:
    """The provider's bookings filled since `since` (each by its latest acceptance), acute
    (True) and not (False)."""
    filled = Booking.objects.filter(provider_id=provider_id, filled_at__gte=since,
                                    time_to_fill_seconds__isnull=False)
    return {
        acute: fill_times_of([
            seconds for seconds in
            filled.filter(acute=acute).values_list("time_to_fill_seconds", flat=True)
            if seconds is not None
        ])
        for acute in (True, False)
    }
