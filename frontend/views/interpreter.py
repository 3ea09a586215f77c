"""The interpreter's pages: live offers, accept with the two declarations or decline, upcoming
assignments, calendar subscription link, register card with QR code."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.dispatch.services.bookings import assignment_cancel_by_interpreter
from booking.dispatch.services.offers import offer_accept, offer_decline
from booking.models import Role
from booking.rules.declarations import Declarations
from frontend.access import role_required
from frontend.cards import card_for, qr_svg
from frontend.selectors import (
    last_event_id,
    offer_for,
    pending_offers_for,
    upcoming_assignments_for,
)
from frontend.services import calendar_token_for, calendar_token_rotate
from tolk.errors import DomainError


def _live_texts() -> dict[str, str]:
    return {
        "status_open": _("Live: new offers appear by themselves."),
        "status_connecting": _("Connecting to live updates…"),
        "status_closed": _("Connection lost. Trying again…"),
        "status_denied": _("Live updates stopped: log in again to get them."),
        "new_offer": _("New offer"),
        "withdrawn": _("This offer is no longer open."),
        "withdrawn_taken": _("Another interpreter took this assignment."),
        "withdrawn_expired": _("The offer expired."),
        "withdrawn_cancelled": _("The booking was cancelled."),
        "withdrawn_blocked": _(
            "The organisation has blocked you for this booking (section 16 of the Interpreter "
            "Act). The booking is still open for others."
        ),
        "withdrawn_rules": _("You no longer meet a requirement of this booking."),
        "assignment_changed": _("One of your assignments changed. See My assignments."),
    }


@role_required(Role.INTERPRETER)
def offers(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    since = last_event_id(user=user)
    return render(
        request,
        "frontend/interpreter/offers.html",
        {"offers": list(pending_offers_for(user=user)), "since": since,
         "live_texts": _live_texts()},
    )


@role_required(Role.INTERPRETER)
def offer_card(request: HttpRequest, offer_id: int) -> HttpResponse:
    """The card of one open offer, fetched by the page when the offer arrives over the socket."""
    offer = offer_for(user=request.user, offer_id=offer_id)  # type: ignore[arg-type]
    if offer is None or offer.status != "pending" or offer.expires_at <= timezone.now():
        raise Http404
    return render(
        request, "frontend/includes/offer_card.html", {"offer": offer, "new": True}
    )


@require_POST
@role_required(Role.INTERPRETER)
def offer_accept_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    declarations = Declarations(
        impartial=request.POST.get("impartial") == "on",
        confidentiality=request.POST.get("confidentiality") == "on",
    )
    try:
        offer_accept(offer_id=offer_id, user=request.user, declarations=declarations)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("frontend:offers")
    messages.success(request, _("The assignment is yours. It is now in your list of assignments."))
    return redirect("frontend:assignments")


@require_POST
@role_required(Role.INTERPRETER)
def assignment_give_back(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The interpreter cannot do an assignment after all: the booking reopens and is offered
    to others."""
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Tick the box to confirm that you give the assignment back."))
        return redirect("frontend:assignments")
    reason = request.POST.get("reason", "").strip()[:500]
    try:
        assignment_cancel_by_interpreter(
            booking_id=booking_id, user=request.user, reason=reason  # type: ignore[arg-type]
        )
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, _("You gave the assignment back. It is offered to other interpreters.")
        )
    return redirect("frontend:assignments")


@require_POST
@role_required(Role.INTERPRETER)
def offer_decline_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "").strip()[:500]
    try:
        offer_decline(offer_id=offer_id, user=request.user, reason=reason)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("You declined the offer."))
    return redirect("frontend:offers")


def _calendar_url(request: HttpRequest, key: str | None) -> str:
    if not key:
        return ""
    # The subscription URL is part of the API contract: GET /api/v1/me/calendar.ics?token=...
    return request.build_absolute_uri("/api/v1/me/calendar.ics") + f"?token={key}"


def _assignment_texts() -> dict[str, str]:
    return {
        "status_open": _("Live: your assignments update by themselves."),
        "status_connecting": _("Connecting to live updates…"),
        "status_closed": _("Connection lost. Trying again…"),
        "status_denied": _("Live updates stopped: log in again to get them."),
        "changed": _("Your assignments changed."),
        "changed_assigned": _("You have a new assignment."),
        "changed_cancelled": _("An assignment was cancelled and is no longer in your list."),
        "changed_reopened": _("An assignment was taken from you and is offered to others."),
    }


@role_required(Role.INTERPRETER)
def assignments(request: HttpRequest) -> HttpResponse:
    """Upcoming assignments; `?fragment=list` is the list alone, fetched again by the page when
    an `assignment.changed` event arrives."""
    user: Any = request.user
    context: dict[str, Any] = {"assignments": list(upcoming_assignments_for(user=user))}
    if request.GET.get("fragment") == "list":
        return render(request, "frontend/interpreter/assignment_list.html", context)
    token = calendar_token_for(user=user)
    context.update(
        since=last_event_id(user=user),
        live_texts=_assignment_texts(),
        calendar_url=_calendar_url(request, token.key if token else None),
    )
    return render(request, "frontend/interpreter/assignments.html", context)


@require_POST
@role_required(Role.INTERPRETER)
def calendar_token(request: HttpRequest) -> HttpResponse:
    calendar_token_rotate(user=request.user)  # type: ignore[arg-type]
    messages.success(
        request, _("Your calendar address is ready. Any earlier address no longer works.")
    )
    return redirect(reverse("frontend:assignments") + "#calendar-heading")


@role_required(Role.INTERPRETER)
def my_card(request: HttpRequest) -> HttpResponse:
    interpreter = request.user.interpreter  # type: ignore[union-attr]
    assert interpreter is not None  # noqa: S101 - interpreter users always have an entry
    card = card_for(register_number=interpreter.register_number, on=timezone.localdate())
    check_url = request.build_absolute_uri(
        reverse("frontend:card-detail", args=[interpreter.register_number])
    )
    qr = qr_svg(
        check_url,
        label=_("QR code linking to the public card check for register number %(number)s")
        % {"number": interpreter.register_number},
    )
    return render(
        request, "frontend/interpreter/card.html", {"card": card, "qr": qr, "check_url": check_url}
    )
