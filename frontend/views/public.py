"""Pages anyone can open: the start page and the public interpreter card check."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from booking.models import Role
from frontend.cards import card_for
from frontend.forms import REGISTER_NUMBER_RE, CardCheckForm

ROLE_HOME: dict[str, str] = {
    Role.BOOKER: "frontend:booking-list",
    Role.INTERPRETER: "frontend:offers",
    Role.COORDINATOR: "frontend:dispatch",
    Role.ANALYST: "frontend:need-report",
}


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated and getattr(user, "role", None) in ROLE_HOME:
        return redirect(ROLE_HOME[user.role])  # type: ignore[union-attr]
    return render(request, "frontend/home.html", {"form": CardCheckForm()})


def card_check(request: HttpRequest) -> HttpResponse:
    """GET /card/?number=...: the public check anyone can do with the number on a card."""
    form = CardCheckForm(request.GET or None)
    card = None
    searched = False
    if form.is_bound and form.is_valid():
        searched = True
        card = card_for(register_number=form.cleaned_data["number"], on=timezone.localdate())
    status = 404 if searched and card is None else 200
    return render(
        request,
        "frontend/card_check.html",
        {"form": form, "card": card, "searched": searched},
        status=status,
    )


def card_detail(request: HttpRequest, number: str) -> HttpResponse:
    """/card/<number>/: where the QR code on an interpreter card leads."""
    if not REGISTER_NUMBER_RE.match(number):
        raise Http404
    card = card_for(register_number=number, on=timezone.localdate())
    if card is None:
        raise Http404
    return render(
        request,
        "frontend/card_check.html",
        {
            "form": CardCheckForm(initial={"number": number}),
            "card": card,
            "searched": True,
            "check_url": reverse("frontend:card-check"),
        },
    )
