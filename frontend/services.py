"""Writes made from the web pages that have no service elsewhere: the interpreter's calendar
subscription secret (read by GET /api/v1/me/calendar.ics?token=...)."""

from __future__ import annotations

import secrets

from django.db import transaction

from booking.models import CalendarToken, Role, User
from tolk.errors import PermissionDeniedError


def calendar_token_for(*, user: User) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user).first()


@transaction.atomic
def calendar_token_rotate(*, user: User) -> CalendarToken:
    """Make a new calendar address for the interpreter; the old one stops working at once."""
    if not user.has_role(Role.INTERPRETER):
        raise PermissionDeniedError.of("not_an_interpreter")
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user, key=secrets.token_urlsafe(32))
