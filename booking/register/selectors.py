"""Reads of the register. Every query that decides who is qualified goes through
`qualifications_valid_on` (`qualified_interpreters`, `qualification_on`), and every query that asks
whether a status event takes an entry out of use through `status_events_blocking`, so each rule
lives in one place."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from booking.models import (
    Interpreter,
    Qualification,
    RegisterImport,
    RegisterStatusEvent,
)
from booking.rules.status import BLOCKING_EVENT_KINDS
from tolk.reference.languages import language_name, language_search, offered_languages


def status_events_blocking(
    *, first: dt.date, last: dt.date | None = None, language: str | OuterRef | None = None
) -> QuerySet[RegisterStatusEvent]:
    """The status events that take an entry out of use (`booking.rules.status.status_blocks`, here
    in SQL) on every day from `first` to `last` (`first` alone without `last`): for `language`, a
    code or an `OuterRef`, or without it for whichever language each event concerns."""
    events = RegisterStatusEvent.objects.filter(
        kind__in=BLOCKING_EVENT_KINDS, valid_from__lte=first
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=last or first))
    if language is not None:
        events = events.filter(Q(language="") | Q(language=language))
    return events


def qualifications_valid_on(*, on: dt.date, language: str | None = None) -> QuerySet[Qualification]:
    """Register entries that make their interpreter qualified (tolkeloven § 7 third paragraph) on
    `on`: category A–E, inside the entry's validity, and no suspension, exclusion or revocation of
    the interpreter (in that language or in all languages) covering that day."""
    blocked = status_events_blocking(first=on, language=OuterRef("language")).filter(
        interpreter=OuterRef("interpreter_id")
    )
    qs = Qualification.objects.filter(valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    if language is not None:
        qs = qs.filter(language=language)
    return qs.filter(~Exists(blocked))


def qualified_interpreters(*, language: str, on: dt.date) -> QuerySet[Interpreter]:
    """Interpreters qualified for `language` on `on`."""
    valid = qualifications_valid_on(on=on, language=language).filter(
        interpreter=OuterRef("pk")
    )
    return Interpreter.objects.filter(Exists(valid))


def qualification_on(
    *, interpreter: Interpreter, language: str, on: dt.date
) -> Qualification | None:
    """The entry that makes `interpreter` qualified for `language` on `on`, or None."""
    return (
        qualifications_valid_on(on=on, language=language)
        .filter(interpreter=interpreter)
        .first()
    )


def is_qualified(*, interpreter: Interpreter, language: str, on: dt.date) -> bool:
    return qualification_on(interpreter=interpreter, language=language, on=on) is not None


def interpreter_search(*, filters: dict | None = None) -> QuerySet[Interpreter]:
    """The register search, A→E then name. Filters are applied by `booking.register.filters`."""
    return Interpreter.objects.prefetch_related("qualifications").order_by(
        "family_name", "given_name", "register_number"
    )


def interpreter_card(*, register_number: str) -> Interpreter | None:
    return (
        Interpreter.objects.prefetch_related("qualifications")
        .filter(register_number=register_number)
        .first()
    )


def register_language_counts(*, on: dt.date) -> dict[str, int]:
    """Languages in the register, with how many interpreters are qualified in each on `on`."""
    counts = dict.fromkeys(
        Qualification.objects.values_list("language", flat=True).distinct(), 0
    )
    for row in (
        qualifications_valid_on(on=on).values("language").annotate(n=Count("interpreter_id"))
    ):
        counts[row["language"]] = row["n"]
    return counts


def register_imports() -> QuerySet[RegisterImport]:
    return RegisterImport.objects.select_related("imported_by").order_by("-imported_at", "-id")


def interpreter_card_check(*, register_number: str, on: dt.date, lang: str) -> dict | None:
    """What the public card check shows: name, languages with category, and whether each entry is
    active on `on`. No contact details."""
    interpreter = interpreter_card(register_number=register_number)
    if interpreter is None:
        return None
    active = set(
        qualifications_valid_on(on=on)
        .filter(interpreter=interpreter)
        .values_list("language", flat=True)
    )
    languages = [
        {
            "language": q.language,
            "language_name": language_name(q.language, lang),
            "category": q.category,
            "valid_from": q.valid_from,
            "valid_to": q.valid_to,
            "active": q.language in active,
        }
        for q in sorted(interpreter.qualifications.all(), key=lambda q: (q.category, q.language))
    ]
    return {
        "register_number": interpreter.register_number,
        "name": interpreter.full_name,
        "active": bool(active),
        "checked_on": on,
        "languages": languages,
    }


def bookable_languages() -> list[str]:
    """The languages one can book and search: every language in the register and every language
    the table offers (bookable even with nobody in the register, so the need is recorded)."""
    registered = Qualification.objects.values_list("language", flat=True).distinct()
    return sorted({*registered, *offered_languages()})


def language_choices(*, on: dt.date, lang: str, query: str = "") -> list[dict[str, Any]]:
    """Bookable languages for forms and filters with the interpreters qualified in each on `on`:
    most interpreters first, then by name; with `query` (a code, name, common name or spelling:
    "farsi", "sorani", "kinesisk") the matching ones, best match first."""
    counts = register_language_counts(on=on)
    codes = sorted({*counts, *offered_languages()})
    if query:
        codes = language_search(query, codes, weight=counts)
    rows: list[dict[str, Any]] = [
        {
            "code": code,
            "name": language_name(code, lang),
            "name_nb": language_name(code, "nb"),
            "name_en": language_name(code, "en"),
            "qualified_interpreters": counts.get(code, 0),
        }
        for code in codes
    ]
    if not query:
        rows.sort(key=lambda r: (-r["qualified_interpreters"], r["name"]))
    return rows
