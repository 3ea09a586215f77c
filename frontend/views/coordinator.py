"""The coordinator's dispatch board: open bookings with their waves, expiry and unfilled ones live;
per booking the ranked candidates, why other qualified interpreters are excluded, and sending an
offer wave."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from booking.dispatch.selectors import (
    booking_candidates,
    booking_date,
    booking_live_assignment,
    candidate_explain,
    offers_for_booking,
    time_to_fill_by_acute,
)
from booking.dispatch.services.offers import offers_send_wave
from booking.dispatch.services.waves import wave_size_for
from booking.models import Booking, BookingStatus, Role, User
from booking.register.selectors import qualified_interpreters
from frontend.access import role_required
from frontend.forms import REGISTER_NUMBER_RE, OfferWaveForm
from frontend.paging import page_of
from frontend.selectors import booking_detail_for, dispatch_board, last_event_id
from frontend.views.booker import status_texts
from tolk.errors import DomainError

CANDIDATES_SHOWN = 50
BOARD_PAGE_SIZE = 100
# The time-to-fill figures on the board cover the bookings filled in this many last days.
FILL_DAYS = 30
EXCLUDED_SHOWN = 15
SENDABLE = (BookingStatus.OPEN, BookingStatus.OFFERED)


@role_required(Role.COORDINATOR)
def board(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    paged = page_of(request, dispatch_board(user=user), per_page=BOARD_PAGE_SIZE)
    context = {
        **paged,
        "bookings": list(paged["page"].object_list),
        "since": last_event_id(user=user),
        "live_texts": status_texts(),
        "acute_hours": settings.TOLK_ACUTE_HOURS,
    }
    if request.GET.get("fragment") == "rows":
        return render(request, "frontend/coordinator/board_rows.html", context)
    fill = time_to_fill_by_acute(provider_id=user.organisation_id,
                                 since=timezone.now() - dt.timedelta(days=FILL_DAYS))
    context["fill_days"] = FILL_DAYS
    context["fill_times"] = [(_("Acute"), fill[True]), (_("Not acute"), fill[False])]
    return render(request, "frontend/coordinator/board.html", context)


def _reason_text(reason: dict[str, Any]) -> str:
    labels = {
        "TL7_QUALIFIED": _("Not qualified for the language on that day"),
        "TL9_GUIDELINES": _("Category below the required minimum"),
        "TL10_POLICE_CERT": _("No valid police certificate"),
        "TL16_IMPARTIALITY": _("Blocked for this case"),
        "MODALITY": _("Does not offer this modality"),
        "PREFERENCE_GENDER": _("Does not match the gender preference"),
        "ALREADY_OFFERED": _("Already offered this booking"),
        "BUSY": _("Busy: another assignment overlaps, travel time included"),
    }
    text = str(labels.get(reason.get("code", ""), reason.get("detail", "")))
    section = reason.get("section")
    return f"{text} ({section})" if section else text


def _excluded(booking: Booking, candidate_ids: set[int]) -> list[dict[str, Any]]:
    """Interpreters qualified in the language on the day who are not candidates, with why."""
    others = (
        qualified_interpreters(language=booking.language, on=booking_date(booking))
        .exclude(pk__in=candidate_ids)
        .order_by("register_number")[:EXCLUDED_SHOWN]
    )
    rows = []
    for interpreter in others:
        number = interpreter.register_number
        explanation = candidate_explain(booking=booking, register_number=number)
        rows.append({
            "interpreter": interpreter,
            "category": explanation.category,
            "reasons": [_reason_text(r) for r in explanation.reasons],
        })
    return rows


def _dispatch_context(
    user: User, booking_id: int, *, with_excluded: bool = False
) -> dict[str, Any]:
    booking = booking_detail_for(user=user, booking_id=booking_id)
    if booking is None:
        raise Http404
    open_for_offers = booking.status in SENDABLE
    candidates = booking_candidates(booking=booking) if open_for_offers else []
    return {
        "booking": booking,
        "assignment": booking_live_assignment(booking=booking),
        "offers": list(offers_for_booking(booking=booking).order_by("wave", "rank")),
        "candidates": candidates[:CANDIDATES_SHOWN],
        "candidate_count": len(candidates),
        # Explaining each exclusion costs a few queries per interpreter: done on request (the
        # page fetches it once), not on every live refresh.
        "excluded": _excluded(booking, {c.interpreter_id for c in candidates})
        if open_for_offers and with_excluded else None,
        "open_for_offers": open_for_offers,
        "since": last_event_id(user=user),
        "live_texts": status_texts(),
    }


@role_required(Role.COORDINATOR)
def dispatch_booking(request: HttpRequest, booking_id: int) -> HttpResponse:
    user: Any = request.user
    fragment = request.GET.get("fragment", "")
    with_excluded = fragment == "excluded" or request.GET.get("excluded") == "1"
    context = _dispatch_context(user, booking_id, with_excluded=with_excluded)
    if fragment == "excluded":
        return render(request, "frontend/coordinator/excluded.html", context)
    # An acute booking's first wave goes to more candidates (TOLK_ACUTE_FIRST_WAVE).
    context["wave_form"] = OfferWaveForm(initial={"limit": wave_size_for(context["booking"])})
    explain = request.GET.get("explain", "").strip()
    if explain:
        if REGISTER_NUMBER_RE.match(explain):
            try:
                result = candidate_explain(booking=context["booking"], register_number=explain)
            except DomainError as exc:
                context["explain_error"] = exc.detail
            else:
                context["explanation"] = {
                    "result": result, "reasons": [_reason_text(r) for r in result.reasons]
                }
        else:
            context["explain_error"] = _("A register number has only letters, digits and hyphens.")
        context["explain"] = explain
    if fragment == "live":
        return render(request, "frontend/coordinator/dispatch_live.html", context)
    return render(request, "frontend/coordinator/dispatch.html", context)


@require_POST
@role_required(Role.COORDINATOR)
def send_wave(request: HttpRequest, booking_id: int) -> HttpResponse:
    user: Any = request.user
    form = OfferWaveForm(request.POST)
    if form.is_valid():
        chosen = form.cleaned_data["register_numbers"]
        limit = len(chosen) if chosen else (form.cleaned_data["limit"] or None)
        try:
            sent = offers_send_wave(
                booking_id=booking_id, user=user, limit=limit, register_numbers=chosen or None
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise Http404 from exc
            messages.error(request, exc.detail)
        else:
            if sent:
                text = ngettext(
                    "Offers sent to %(n)s interpreter.", "Offers sent to %(n)s interpreters.",
                    len(sent),
                )
                messages.success(request, text % {"n": len(sent)})
            elif Booking.objects.filter(pk=booking_id, status=BookingStatus.UNFILLED).exists():
                messages.warning(
                    request, _("No candidates were left. The booking is marked unfilled.")
                )
            else:
                messages.warning(
                    request, _("No new candidates. The offers already sent are still open.")
                )
            return redirect("frontend:dispatch-booking", booking_id=booking_id)
    context = _dispatch_context(user, booking_id)
    context["wave_form"] = form
    return render(request, "frontend/coordinator/dispatch.html", context, status=400)
