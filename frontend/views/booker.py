"""The booker's pages: 'Book an interpreter', 'My bookings' with live status, booking detail with
the audit trail, and cancellation with the late-cancellation warning."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.dispatch.selectors import (
    audit_for_booking,
    booking_live_assignment,
    interpreter_blocks_visible_to,
)
from booking.dispatch.services.blocks import interpreter_block_create, interpreter_block_delete
from booking.dispatch.services.bookings import booking_cancel, booking_create
from booking.dispatch.services.guidelines import guideline_in_force
from booking.models import FINAL_BOOKING_STATUSES, BookingStatus, Role, User
from booking.register.selectors import bookable_languages
from booking.rules import cancellation
from frontend.access import role_required
from frontend.forms import BlockForm, BookingForm, CancelForm
from frontend.paging import page_of
from frontend.selectors import (
    booking_detail_for,
    booking_list_for,
    last_event_id,
)
from tolk.errors import DomainError
from tolk.reference import geo

PAGE_SIZE = 50
BLOCKS_PAGE_SIZE = 50


def status_texts() -> dict[str, str]:
    return {
        "status_open": _("Live: the status changes by itself."),
        "status_connecting": _("Connecting to live updates…"),
        "status_closed": _("Connection lost. Trying again…"),
        "status_denied": _("Live updates stopped: log in again to get them."),
        "changed": _("Booking %(id)s is now: %(status)s"),
        **{f"booking_{value}": str(label) for value, label in BookingStatus.choices},
    }


def _form_for(user: User, data: Any = None) -> BookingForm:
    unit = user.unit
    assert unit is not None  # noqa: S101 - bookers always have a unit (database constraint)
    guideline = guideline_in_force(organisation_id=unit.organisation_id, on=timezone.localdate())
    municipalities = sorted(
        ((number, place.name) for number, place in geo.MUNICIPALITIES.items()),
        key=lambda m: m[1],
    )
    initial = {
        "municipality": unit.municipality,
        "date": timezone.localdate() + dt.timedelta(days=1),
        "start_time": dt.time(9, 0),
        "end_time": dt.time(10, 0),
    }
    return BookingForm(
        data,
        initial=initial,
        languages=bookable_languages(),
        municipalities=municipalities,
        platforms=list(guideline.remote_platforms) if guideline else [],
    )


@role_required(Role.BOOKER)
def booking_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = _form_for(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            booking, _created = booking_create(
                user=user,
                data=form.booking_input(),
                idempotency_key=request.POST.get("idempotency_key", "")[:255],
            )
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            text = _("Booking %(id)s is registered. You can follow it here.")
            messages.success(request, text % {"id": booking.pk})
            return redirect("frontend:booking-detail", booking_id=booking.pk)
    guideline = guideline_in_force(
        organisation_id=user.organisation_id, on=timezone.localdate()
    )
    return render(
        request,
        "frontend/booker/booking_form.html",
        {
            "form": form,
            "guideline": guideline,
            "unit": user.unit,
            "idempotency_key": request.POST.get("idempotency_key") or _new_key(),
            "check_texts": _check_texts(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _new_key() -> str:
    return secrets.token_urlsafe(16)


def _check_texts() -> dict[str, str]:
    return {
        "checking": _("Checking…"),
        "free_one": _("1 qualified interpreter is free for this slot."),
        "free_many": _("%(n)s qualified interpreters are free for this slot."),
        "free_none": _("No qualified interpreter is free for this slot. Try another time, or "
                       "video or phone: over video every interpreter in the country is in reach."),
        "by_category": _("By category"),
        "problem": _("Problem"),
        "incomplete": _("Fill in language, time and duty basis to see who is free."),
        "failed": _("The check could not be done right now. You can still send the booking."),
        "remote_suggestion": _(
            "This booking is acute and few qualified interpreters are free to come on site "
            "(%(onsite)s). Over video %(video)s are free, over phone %(phone)s: consider video or "
            "phone."
        ),
        "late_on_acceptance": _(
            "The booking starts in less than %(hours)s hours: once an interpreter has accepted "
            "it, cancelling is a late cancellation and may be charged."
        ),
    }


@role_required(Role.BOOKER)
def booking_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    status = request.GET.get("status", "")
    if status not in BookingStatus.values:
        status = ""
    paged = page_of(request, booking_list_for(user=user, status=status), per_page=PAGE_SIZE)
    context = {
        **paged,
        "bookings": list(paged["page"].object_list),
        "status": status,
        "statuses": BookingStatus.choices,
        "since": last_event_id(user=user),
        "live_texts": status_texts(),
    }
    if request.GET.get("fragment") == "rows":
        return render(request, "frontend/booker/booking_rows.html", context)
    return render(request, "frontend/booker/booking_list.html", context)


def _detail_context(user: User, booking_id: int) -> dict[str, Any]:
    booking = booking_detail_for(user=user, booking_id=booking_id)
    if booking is None:
        raise Http404
    assignment = booking_live_assignment(booking=booking)
    hours = booking.late_cancellation_hours
    # The same rule the cancellation applies (booking.rules.cancellation), for a cancellation now.
    late = cancellation.cancellation_is_late(
        start=booking.start, created_at=booking.created_at,
        accepted_at=assignment.accepted_at if assignment is not None else None,
        cancelled_at=timezone.now(), hours=hours,
    )
    return {
        "booking": booking,
        "assignment": assignment,
        "audit": list(audit_for_booking(booking=booking)),
        "can_cancel": booking.status not in FINAL_BOOKING_STATUSES,
        "late_hours": hours,
        "late": late,
        "late_from_acceptance": cancellation.created_inside_late_window(
            start=booking.start, created_at=booking.created_at, hours=hours,
        ),
        "since": last_event_id(user=user),
        "live_texts": status_texts(),
    }


@role_required(Role.BOOKER, Role.COORDINATOR)
def booking_detail(request: HttpRequest, booking_id: int) -> HttpResponse:
    context = _detail_context(request.user, booking_id)  # type: ignore[arg-type]
    context["cancel_form"] = CancelForm()
    if request.GET.get("fragment") == "live":
        return render(request, "frontend/booker/booking_live.html", context)
    return render(request, "frontend/booker/booking_detail.html", context)


@require_POST
@role_required(Role.BOOKER, Role.COORDINATOR)
def booking_cancel_view(request: HttpRequest, booking_id: int) -> HttpResponse:
    user: Any = request.user
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            booking = booking_cancel(
                booking_id=booking_id, user=user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise Http404 from exc
            messages.error(request, exc.detail)
            return redirect("frontend:booking-detail", booking_id=booking_id)
        else:
            if booking.late_cancellation:
                messages.warning(
                    request, _("The booking is cancelled. It was a late cancellation.")
                )
            else:
                messages.success(request, _("The booking is cancelled."))
            return redirect("frontend:booking-detail", booking_id=booking_id)
    context = _detail_context(user, booking_id)
    context["cancel_form"] = form
    return render(request, "frontend/booker/booking_detail.html", context, status=400)


@role_required(Role.BOOKER)
def blocks(request: HttpRequest) -> HttpResponse:
    """Interpreters the organisation must not use (§ 16), and the form to block one."""
    user: Any = request.user
    form = BlockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = interpreter_block_create(
                user=user, register_number=data["register_number"], reason=data["reason"],
                case_reference=data["case_reference"],
            )
        except DomainError as exc:
            field = "register_number" if exc.code == "interpreter_not_found" else None
            form.add_error(field, exc.detail)
        else:
            number = result.block.interpreter.register_number
            text = _("%(number)s is blocked.") % {"number": number}
            if result.reopened_assignments or result.withdrawn_offers:
                text += " " + _(
                    "%(assignments)s assignment(s) reopened and %(offers)s offer(s) withdrawn; "
                    "the bookings are offered to others."
                ) % {"assignments": result.reopened_assignments,
                     "offers": result.withdrawn_offers}
            messages.success(request, text)
            return redirect("frontend:blocks")
    paged = page_of(request, interpreter_blocks_visible_to(user=user), per_page=BLOCKS_PAGE_SIZE)
    return render(
        request, "frontend/booker/blocks.html",
        {"form": form, **paged, "blocks": list(paged["page"].object_list)},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(Role.BOOKER)
def block_delete(request: HttpRequest, block_id: int) -> HttpResponse:
    try:
        interpreter_block_delete(user=request.user, block_id=block_id)  # type: ignore[arg-type]
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        raise
    messages.success(request, _("The block is lifted."))
    return redirect("frontend:blocks")
