"""django-filter FilterSets for the statistics."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from booking.models import Modality, ProviderType, Sector
from stats.models import AssignmentFact
from tolk.errors import ValidationFailed
from tolk.reference.geo import COUNTIES

COUNTY_CHOICES = [(code, place.name) for code, place in sorted(COUNTIES.items())]


class NeedReportFilter(django_filters.FilterSet):
    """Narrows the facts a need report is built from. The same filters apply to the previous year
    for the year-over-year change."""

    county = django_filters.ChoiceFilter(
        choices=COUNTY_CHOICES, help_text=_("County number of the ordering body, e.g. 03 (Oslo).")
    )
    sector = django_filters.ChoiceFilter(choices=Sector.choices, help_text=_("Sector."))
    provider_type = django_filters.ChoiceFilter(
        choices=ProviderType.choices, help_text=_("Provider type.")
    )
    modality = django_filters.ChoiceFilter(choices=Modality.choices, help_text=_("Modality."))

    class Meta:
        model = AssignmentFact
        fields = ["county", "sector", "provider_type", "modality"]


FILTER_NAMES = ("county", "sector", "provider_type", "modality")


def report_filters(data: Any) -> dict[str, str]:
    """The validated filters from query parameters or command options (unknown keys ignored)."""
    given = {name: data.get(name) for name in FILTER_NAMES if data.get(name) not in (None, "")}
    filterset = NeedReportFilter(given, queryset=AssignmentFact.objects.none())
    if not filterset.is_valid():
        raise ValidationFailed.of(
            "invalid_filter",
            fields={name: [str(e) for e in errors] for name, errors in filterset.errors.items()},
        )
    return {name: str(value) for name, value in given.items()}
