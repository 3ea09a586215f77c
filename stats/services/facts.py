"""Facts from the platform's own bookings. A booking that reaches a final state (completed,
cancelled, unfilled) becomes one fact, attributed to the provider organisation that dispatched it,
written in the same transaction as the state change."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from booking.models import Category, Modality, ProviderType, Sector
from stats.models import AssignmentFact, Outcome, Source
from tolk.errors import ValidationFailed
from tolk.reference.languages import is_language_code
from tolk.reference.validators import is_valid_municipality, is_valid_org_number

logger = logging.getLogger(__name__)


def _invalid(field: str, value: Any) -> ValidationFailed:
    return ValidationFailed.of(
        "invalid_fact",
        field=field,
        fields={field: [f"{value!r} is not valid"]},
    )


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """The fact's columns from `booking_fact_fields`, checked like an imported row."""
    checks = {
        "provider_org_number": lambda v: isinstance(v, str) and is_valid_org_number(v),
        "provider_type": lambda v: v in ProviderType.values,
        "language": lambda v: isinstance(v, str) and is_language_code(v),
        "modality": lambda v: v in Modality.values,
        "sector": lambda v: v in Sector.values,
        "outcome": lambda v: v in Outcome.values,
        "municipality": lambda v: v in ("", None) or is_valid_municipality(v),
        "interpreter_category": lambda v: v in ("", None, *Category.values),
        "date": lambda v: isinstance(v, dt.date),
    }
    for field, check in checks.items():
        if not check(fields.get(field)):
            raise _invalid(field, fields.get(field))
    outcome = fields["outcome"]
    category = fields.get("interpreter_category") or ""
    if outcome != Outcome.COMPLETED:
        category = ""  # only a carried-out assignment has an interpreter who counts
    minutes = fields.get("duration_minutes")
    if outcome == Outcome.COMPLETED and minutes is None:
        minutes = 0
    cost = fields.get("cost_nok")
    try:
        cost = None if cost is None else Decimal(cost).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError) as exc:
        raise _invalid("cost_nok", cost) from exc
    municipality = fields.get("municipality") or ""
    return {
        "provider_org_number": fields["provider_org_number"],
        "provider_type": fields["provider_type"],
        "reference": str(fields["reference"])[:64],
        "date": fields["date"],
        "language": fields["language"],
        "modality": fields["modality"],
        "sector": fields["sector"],
        "municipality": municipality,
        "county": municipality[:2],
        "interpreter_category": category,
        "qualified": bool(category),
        "outcome": outcome,
        "duration_minutes": None if minutes is None else max(int(minutes), 0),
        "cost_nok": cost,
    }


def fact_record_platform(*, booking_id: int, fields: dict[str, Any]) -> AssignmentFact:
    """Create or replace the fact of a finished booking. The booking is the identity, so a
    corrected booking replaces its fact; a provider file row with the same reference (the provider
    reported the same booking) gives way, so nothing is counted twice."""
    values = _clean(fields)
    with transaction.atomic():
        AssignmentFact.objects.filter(
            provider_org_number=values["provider_org_number"], reference=values["reference"],
            source=Source.IMPORT,
        ).delete()
        fact, _created = AssignmentFact.objects.update_or_create(
            booking_id=booking_id,
            defaults={**values, "source": Source.PLATFORM, "stats_import": None},
        )
    return fact


def booking_finished_receiver(sender: Any, booking: Any, **kwargs: Any) -> None:
    """`booking.signals.booking_finished`: runs inside the booking's transaction."""
    from booking.dispatch.selectors import booking_fact_fields

    try:
        fields = booking_fact_fields(booking)
        fact_record_platform(booking_id=booking.pk, fields=fields)
    except ValidationFailed as exc:
        # A booking that cannot become a fact must not block the booking itself; the log names
        # the booking (no personal data) so the fact can be corrected.
        logger.error("booking %s not counted in the statistics: %s %s", booking.pk, exc.code,
                     exc.fields)


def booking_reopened_receiver(sender: Any, booking: Any, **kwargs: Any) -> None:
    """`booking.signals.booking_reopened`: a booking that was final (unfilled) is active again, so
    it is not a finished request until it is final once more; its fact goes until then."""
    AssignmentFact.objects.filter(booking_id=booking.pk, source=Source.PLATFORM).delete()
