"""Reads of the register and of organisations. Every query that decides who is qualified goes
through `qualified_interpreters` / `qualification_on`, so the rule lives in one place."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from booking.models import (
    BLOCKING_EVENT_KINDS,
    Interpreter,
    Qualification,
    RegisterStatusEvent,
    Role,
    User,
)


def _blocking_events(*, on: dt.date) -> QuerySet[RegisterStatusEvent]:
    return RegisterStatusEvent.objects.filter(
        kind__in=BLOCKING_EVENT_KINDS, valid_from__lte=on
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def qualifications_valid_on(*, on: dt.date, language: str | None = None) -> QuerySet[Qualification]:
    """Register entries that make their interpreter qualified (tolkeloven § 7 third paragraph) on
    `on`: category A–E, inside the entry's validity, and no suspension, exclusion or revocation of
    the interpreter (in that language or in all languages) covering that day."""
    blocked = _blocking_events(on=on).filter(interpreter=OuterRef("interpreter_id")).filter(
        Q(language="") | Q(language=OuterRef("language"))
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
    """The register search, A→E then name. Filters are applied by `booking.filters`."""
    return Interpreter.objects.prefetch_related("qualifications").order_by(
        "family_name", "given_name", "register_number"
    )


def interpreter_card(*, register_number: str) -> Interpreter | None:
    return (
        Interpreter.objects.prefetch_related("qualifications")
        .filter(register_number=register_number)
        .first()
    )


def users_visible_to(*, user: User) -> QuerySet[User]:
    if user.role == Role.ADMIN:
        return User.objects.all()
    if user.organisation_id is None:
        return User.objects.filter(pk=user.pk)
    return User.objects.filter(organisation_id=user.organisation_id)
