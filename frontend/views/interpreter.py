"""The interpreter's pages: live offers, upcoming assignments, calendar link, register card."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Role
from frontend.access import role_required
from frontend.cards import card_for, qr_svg


@role_required(Role.INTERPRETER)
def my_card(request: HttpRequest) -> HttpResponse:
    interpreter = request.user.interpreter  # type: ignore[union-attr]
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
