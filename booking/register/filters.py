"""django-filter FilterSets for the register search."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Availability, Category, Gender, Interpreter, Modality
from booking.register.selectors import qualifications_valid_on
from tolk.reference.geo import COUNTIES
from tolk.reference.languages import LanguageCodeField
from tolk.reference.validators import validate_municipality

MODALITY_FIELD = {
    Modality.ONSITE: "offers_onsite",
    Modality.VIDEO: "offers_video",
    Modality.PHONE: "offers_phone",
}


class LanguageFilter(django_filters.CharFilter):
    """A language code, aliases included (`fas`, `per`, `fa` filter on Persisk, `pes`)."""

    field_class = LanguageCodeField


class InterpreterFilter(django_filters.FilterSet):
    language = LanguageFilter(
        method="filter_noop",
        help_text=_("ISO 639-3 code: only interpreters qualified for this language."),
    )
    category = django_filters.MultipleChoiceFilter(
        choices=Category.choices, method="filter_noop",
        help_text=_("One or more categories A–E (repeat the parameter)."),
    )
    date = django_filters.DateFilter(
        method="filter_noop", help_text=_("Qualified on this date (default: today).")
    )
    modality = django_filters.ChoiceFilter(choices=Modality.choices, method="filter_modality")
    county = django_filters.ChoiceFilter(
        choices=[(k, v.name) for k, v in COUNTIES.items()], field_name="county"
    )
    municipality = django_filters.CharFilter(
        field_name="municipality", validators=[validate_municipality]
    )
    gender = django_filters.ChoiceFilter(choices=Gender.choices, field_name="gender")
    availability = django_filters.ChoiceFilter(
        choices=Availability.choices, field_name="availability"
    )

    class Meta:
        model = Interpreter
        fields: list[str] = []

    def filter_noop(self, queryset: QuerySet[Interpreter], name: str, value: Any) -> Any:
        # language, category and date must apply to the same register entry: see filter_queryset.
        return queryset

    def filter_modality(self, queryset: QuerySet[Interpreter], name: str, value: str) -> Any:
        return queryset.filter(**{MODALITY_FIELD[Modality(value)]: True})

    def filter_queryset(self, queryset: QuerySet[Interpreter]) -> QuerySet[Interpreter]:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        on: dt.date = data.get("date") or timezone.localdate()
        entries = qualifications_valid_on(on=on, language=data.get("language") or None)
        if data.get("category"):
            entries = entries.filter(category__in=data["category"])
        entries = entries.filter(interpreter=OuterRef("pk"))
        # A→E: the best matching category first, then the name.
        return (
            queryset.filter(Exists(entries))
            .annotate(best_category=Subquery(entries.order_by("category").values("category")[:1]))
            .order_by("best_category", "family_name", "given_name", "register_number")
        )
