"""django-filter FilterSets for the booking and offer lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, BookingStatus, Modality, Offer, OfferStatus, Sector
from booking.register.filters import LanguageFilter
from tolk.times import instant


def _day_start(value: dt.date) -> dt.datetime | None:
    """Midnight in Oslo at the start of `value`, as an instant; None at the ends of the calendar
    (0001-01-01 and 9999-12-31 have no midnight that fits in UTC)."""
    try:
        return instant(timezone.make_aware(dt.datetime.combine(value, dt.time.min)))
    except OverflowError:
        return None


class BookingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=BookingStatus.choices, help_text=_("One or more statuses (repeat the parameter).")
    )
    language = LanguageFilter(help_text=_("ISO 639-3 code."))
    modality = django_filters.ChoiceFilter(choices=Modality.choices)
    sector = django_filters.ChoiceFilter(choices=Sector.choices)
    unit = django_filters.NumberFilter(field_name="unit_id")
    date_from = django_filters.DateFilter(
        method="filter_date_from", help_text=_("Starts on or after this day (YYYY-MM-DD).")
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", help_text=_("Starts on or before this day (YYYY-MM-DD).")
    )
    ordering = django_filters.OrderingFilter(fields=(("start", "start"), ("created_at", "created")))

    class Meta:
        model = Booking
        fields: list[str] = []

    def filter_date_from(self, qs: QuerySet[Booking], name: str, value: Any) -> QuerySet[Booking]:
        start = _day_start(value)
        if start is None:  # the first or the last day of the calendar
            return qs if value.year == dt.MINYEAR else qs.none()
        return qs.filter(start__gte=start)

    def filter_date_to(self, qs: QuerySet[Booking], name: str, value: Any) -> QuerySet[Booking]:
        end = _day_start(value + dt.timedelta(days=1)) if value < dt.date.max else None
        if end is None:
            return qs.none() if value.year == dt.MINYEAR else qs
        return qs.filter(start__lt=end)


class OfferFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OfferStatus.choices)

    class Meta:
        model = Offer
        fields: list[str] = []
