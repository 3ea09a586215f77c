"""The interpreter card (tolkebevis) as the public check and the interpreter's own page show it:
each language with its category and whether it makes the interpreter qualified today. Contact data
is never shown here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from booking.models import Interpreter
from booking.register.selectors import (
    interpreter_card,
    qualifications_valid_on,
    status_events_blocking,
)
from booking.rules.status import blocking_event


@dataclass(frozen=True)
class CardLine:
    language: str
    category: str
    valid_from: dt.date
    valid_to: dt.date | None
    qualified_today: bool
    reason: str


@dataclass(frozen=True)
class Card:
    interpreter: Interpreter
    lines: list[CardLine]
    checked_on: dt.date

    @property
    def qualified_any(self) -> bool:
        return any(line.qualified_today for line in self.lines)


def card_for(*, register_number: str, on: dt.date) -> Card | None:
    interpreter = interpreter_card(register_number=register_number)
    if interpreter is None:
        return None
    valid_ids = set(
        qualifications_valid_on(on=on).filter(interpreter=interpreter).values_list("id", flat=True)
    )
    blocking = list(status_events_blocking(first=on).filter(interpreter=interpreter))
    lines = []
    for qualification in sorted(
        interpreter.qualifications.all(), key=lambda q: (q.category, q.language)
    ):
        qualified = qualification.id in valid_ids
        reason = ""
        if not qualified:
            if qualification.valid_from > on:
                reason = _("Not valid yet")
            elif qualification.valid_to is not None and qualification.valid_to < on:
                reason = _("Expired")
            else:
                event = blocking_event(blocking, language=qualification.language, on=on)
                reason = event.get_kind_display() if event else _("Not active")
        lines.append(
            CardLine(
                language=qualification.language,
                category=qualification.category,
                valid_from=qualification.valid_from,
                valid_to=qualification.valid_to,
                qualified_today=qualified,
                reason=reason,
            )
        )
    return Card(interpreter=interpreter, lines=lines, checked_on=on)


def qr_svg(url: str, *, label: str) -> SafeString:
    """An inline SVG QR code for `url`, labelled for screen readers."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
    # segno's markup holds only the code's modules; the label is escaped before it goes in.
    return mark_safe(  # noqa: S308 - segno output plus an escaped label
        f'<span role="img" aria-label="{escape(label)}">{svg}</span>'
    )
