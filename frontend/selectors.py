"""Reads the pages need beyond `booking.dispatch.selectors`. Every function is scoped to what the
user may see (built on `bookings_visible_to`): a booker their organisation's bookings, a coordinator
their provider's, an interpreter their own offers and assignments. Anything else is not found."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.utils import timezone

from booking.dispatch.selectors import bookings_visible_to
from booking.models import (
    Assignment,
    AssignmentStatus,
    Booking,
    BookingStatus,
    Event,
    Offer,
    OfferStatus,
    Role,
    User,
)

DISPATCH_STATUSES = (BookingStatus.OPEN, BookingStatus.OFFERED, BookingStatus.UNFILLED)
WAITING_STATUSES = (BookingStatus.OPEN, BookingStatus.OFFERED)


def booking_list_for(*, user: User, status: str = "") -> QuerySet[Booking]:
    qs = bookings_visible_to(user=user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-start", "-id")


def booking_detail_for(*, user: User, booking_id: int) -> Booking | None:
    return bookings_visible_to(user=user).select_related("created_by").filter(pk=booking_id).first()


def dispatch_board(*, user: User) -> QuerySet[Booking]:
    """The provider's bookings still needing an interpreter, plus those that ended unfilled in the
    last week, acute ones still waiting first, then soonest first, with their offer counts and the
    next offer expiry."""
    if user.role != Role.COORDINATOR or not user.organisation_id:
        return Booking.objects.none()
    since = timezone.now() - dt.timedelta(days=7)
    return (
        Booking.objects.filter(provider_id=user.organisation_id, status__in=DISPATCH_STATUSES)
        .exclude(status=BookingStatus.UNFILLED, updated_at__lt=since)
        .select_related("customer", "unit")
        .annotate(
            pending_offers=Count("offers", filter=Q(offers__status=OfferStatus.PENDING)),
            total_offers=Count("offers"),
            next_expiry=Min("offers__expires_at", filter=Q(offers__status=OfferStatus.PENDING)),
            acute_waiting=Case(
                When(acute=True, status__in=WAITING_STATUSES, then=Value(1)),
                default=Value(0), output_field=IntegerField(),
            ),
        )
        .order_by("-acute_waiting", "start", "id")
    )


def pending_offers_for(*, user: User) -> QuerySet[Offer]:
    if user.role != Role.INTERPRETER or not user.interpreter_id:
        return Offer.objects.none()
    return (
        Offer.objects.filter(
            interpreter_id=user.interpreter_id,
            status=OfferStatus.PENDING,
            expires_at__gt=timezone.now(),
        )
        .select_related("booking", "booking__unit", "booking__customer")
        .order_by("expires_at", "id")
    )


def offer_for(*, user: User, offer_id: int) -> Offer | None:
    if user.role != Role.INTERPRETER or not user.interpreter_id:
        return None
    return (
        Offer.objects.filter(interpreter_id=user.interpreter_id, pk=offer_id)
        .select_related("booking", "booking__unit", "booking__customer")
        .first()
    )


def upcoming_assignments_for(*, user: User) -> QuerySet[Assignment]:
    if user.role != Role.INTERPRETER or not user.interpreter_id:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(
            interpreter_id=user.interpreter_id,
            status=AssignmentStatus.ACTIVE,
            end__gte=timezone.now(),
        )
        .select_related("booking", "booking__unit", "booking__customer")
        .order_by("start", "id")
    )


def last_event_id(*, user: User) -> int:
    """The newest event in the user's own stream: the page asks the socket for anything after it,
    so nothing that happens between rendering and connecting is missed."""
    if user.role == Role.INTERPRETER and user.interpreter_id:
        qs = Event.objects.filter(interpreter_id=user.interpreter_id)
    elif user.role in (Role.BOOKER, Role.COORDINATOR) and user.organisation_id:
        qs = Event.objects.filter(organisation_id=user.organisation_id)
    else:
        return 0
    return qs.aggregate(last=Max("id"))["last"] or 0


