"""Reads for the statistics: facts narrowed by the report's filters, the database's grouping of
them, register counts, and the need report put together from those by `stats.report`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from booking.models import (
    Category,
    Modality,
    ProviderType,
    Qualification,
    Sector,
    User,
)
from booking.register.selectors import status_events_blocking
from stats import ptable, report
from stats.conf import coverage_capacity, suppression_threshold
from stats.filters import NeedReportFilter
from stats.models import AssignmentFact, StatsImport
from stats.selectors_exchange import report_sources
from tolk.i18n import request_language
from tolk.reference.geo import COUNTIES, county_name
from tolk.reference.languages import language_name

DIMENSION_FIELDS = {
    "language": "language",
    "provider_type": "provider_type",
    "modality": "modality",
    "sector": "sector",
    "county": "county",
    "category": "interpreter_category",
}
NO_CATEGORY = "none"
NO_COUNTY = "unknown"


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def facts_in_year(*, year: int, filters: dict[str, str] | None = None) -> QuerySet[AssignmentFact]:
    first, last = year_bounds(year)
    qs = AssignmentFact.objects.filter(date__gte=first, date__lte=last)
    if filters:
        qs = NeedReportFilter(filters, queryset=qs).qs
    return qs


def _keyed(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    if dimension == "category":
        frame["key"] = frame["key"].replace("", NO_CATEGORY)
    elif dimension == "county":
        frame["key"] = frame["key"].replace("", NO_COUNTY)
    return frame


def fact_counts(*, facts: QuerySet[AssignmentFact], dimension: str) -> pd.DataFrame:
    """The database's grouping: per (key, outcome, qualified) the number of requests, minutes of
    completed assignments and cost."""
    column = DIMENSION_FIELDS[dimension]
    rows = (
        facts.order_by()
        .values(column, "outcome", "qualified")
        .annotate(n=Count("id"), minutes=Sum("duration_minutes"), cost=Sum("cost_nok"),
                  keys=Sum("record_key"))
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=[column, "outcome", "qualified", "n", "minutes", "cost", "keys"]
    ).rename(columns={column: "key"})
    frame["keys"] = frame["keys"].fillna(0).astype("int64")
    frame["minutes"] = pd.to_numeric(frame["minutes"]).fillna(0)
    frame["cost"] = pd.to_numeric(frame["cost"].map(lambda v: None if v is None else float(v)))
    return _keyed(frame, dimension)


SUMMARY_TABLE = "stats_factsummary"


def _summary_filters(filters: dict[str, str]) -> dict[str, str]:
    """The filters as the facts' FilterSet applies them: only valid, non-empty values."""
    filterset = NeedReportFilter(filters, queryset=AssignmentFact.objects.none())
    filterset.is_valid()
    return {name: str(value) for name, value in filterset.form.cleaned_data.items()
            if value not in (None, "")}


def _cubes_postgres(*, year: int, filters: dict[str, str]) -> tuple[report.Cube, report.Cube]:
    """Both years, every dimension, in one query: GROUPING SETS over the summary of the facts
    per combination of dimensions (migration 0003), which the database keeps right on every
    write; the filters are all dimensions of the summary."""
    columns = list(DIMENSION_FIELDS.values())
    narrowed = _summary_filters(filters)
    where = "".join(f" AND {name} = %s" for name in narrowed)
    sets = ", ".join(f"(g.y, g.{column}, g.outcome, g.qualified)" for column in columns)
    flags = ", ".join(f"GROUPING(g.{column})" for column in columns)
    every = ", ".join(columns)
    with transaction.atomic(), connection.cursor() as cursor:
        # Enough memory to hash the combinations instead of sorting on disk, and no JIT
        # compilation for a query that runs once.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL jit = off")
        # A combination's duration or cost is NULL when none of its facts has one, as a
        # GROUP BY over the facts would give.
        cursor.execute(
            f"""
            SELECT g.y, {", ".join(f"g.{c}" for c in columns)}, g.outcome, g.qualified,
                   {flags}, SUM(g.n)::bigint, SUM(g.minutes), SUM(g.cost)::float8,
                   SUM(g.key_sum)::bigint
            FROM (
                SELECT year AS y, {every}, outcome, qualified, n, key_sum,
                       CASE WHEN minutes_n > 0 THEN minutes END AS minutes,
                       CASE WHEN cost_n > 0 THEN cost END AS cost
                FROM {SUMMARY_TABLE}
                WHERE year IN (%s, %s){where}
            ) g
            GROUP BY GROUPING SETS ({sets})
            """,  # noqa: S608
            [year - 1, year, *narrowed.values()],
        )
        rows = cursor.fetchall()
    frame = pd.DataFrame(rows, columns=[
        "y", *columns, "outcome", "qualified", *(f"g_{c}" for c in columns), "n", "minutes",
        "cost", "keys",
    ])
    cubes = {}
    for each in (year - 1, year):
        counts = {}
        for dimension, column in DIMENSION_FIELDS.items():
            part = frame.loc[(frame["y"] == each) & (frame[f"g_{column}"] == 0),
                             [column, "outcome", "qualified", "n", "minutes", "cost", "keys"]]
            part = part.rename(columns={column: "key"}).reset_index(drop=True)
            part["minutes"] = pd.to_numeric(part["minutes"]).fillna(0)
            counts[dimension] = _keyed(part, dimension)
        cubes[each] = report.Cube(year=each, counts=counts)
    return cubes[year], cubes[year - 1]


def fact_cubes(
    *, year: int, filters: dict[str, str] | None = None
) -> tuple[report.Cube, report.Cube]:
    """This year's and last year's grouped counts."""
    filters = filters or {}
    if connection.vendor == "postgresql":
        return _cubes_postgres(year=year, filters=filters)
    return _cubes_from_facts(year=year, filters=filters)


def _cubes_from_facts(*, year: int, filters: dict[str, str]) -> tuple[report.Cube, report.Cube]:
    """The grouping over the facts themselves, one query per dimension (SQLite)."""
    cubes = []
    for each in (year, year - 1):
        facts = facts_in_year(year=each, filters=filters)
        names = report.DIMENSIONS if each == year else ("language",)
        cubes.append(report.Cube(
            year=each,
            counts={name: fact_counts(facts=facts, dimension=name) for name in names},
        ))
    return cubes[0], cubes[1]


def assignments_by_year(
    *, first: int, last: int, filters: dict[str, str] | None = None, suppress: bool = True
) -> dict[int, int]:
    """Assignments carried out per year from `first` to `last`, as each year's need report
    publishes them (its totals' `assignments`: the same cell, so the same protected value)."""
    filters = filters or {}
    if connection.vendor == "postgresql":
        narrowed = _summary_filters(filters)
        where = "".join(f" AND {name} = %s" for name in narrowed)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT year, SUM(n)::bigint, SUM(key_sum)::bigint FROM {SUMMARY_TABLE} "  # noqa: S608
                f"WHERE outcome = 'completed' AND year BETWEEN %s AND %s{where} GROUP BY year",
                [first, last, *narrowed.values()],
            )
            rows = cursor.fetchall()
    else:
        facts = AssignmentFact.objects.filter(
            date__gte=year_bounds(first)[0], date__lte=year_bounds(last)[1],
            outcome="completed",
        )
        if filters:
            facts = NeedReportFilter(filters, queryset=facts).qs
        rows = list(facts.order_by().values_list(ExtractYear("date"))
                    .annotate(n=Count("id"), keys=Sum("record_key")))
    found = {int(year): (int(n), int(keys or 0)) for year, n, keys in rows}
    years = list(range(first, last + 1))
    counts = np.array([found.get(y, (0, 0))[0] for y in years], dtype=np.int64)
    if suppress:
        keys = np.array([found.get(y, (0, 0))[1] for y in years], dtype=np.int64)
        counts = ptable.perturbed_counts(counts, keys % ptable.KEY_RANGE,
                                         suppression_threshold())
    return {y: int(c) for y, c in zip(years, counts, strict=True)}


def register_counts(*, year: int) -> dict[str, int]:
    """Interpreters in the National Register qualified in each language at some time during the
    year: a qualification (A–E) whose validity overlaps the year, unless a suspension, exclusion or
    revocation covered the whole year."""
    first, last = year_bounds(year)
    blocked_all_year = status_events_blocking(
        first=first, last=last, language=OuterRef("language")
    ).filter(interpreter=OuterRef("interpreter_id"))
    rows = (
        Qualification.objects.filter(valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .filter(~Exists(blocked_all_year))
        .order_by()
        .values("language")
        .annotate(n=Count("interpreter", distinct=True))
    )
    return {row["language"]: row["n"] for row in rows}


def _category_name(key: str) -> str:
    if key == NO_CATEGORY:
        return _("No qualified interpreter")
    return _("Category %(category)s") % {"category": key}


def _county_name(key: str) -> str:
    return _("Unknown county") if key == NO_COUNTY else county_name(key)


def _choice_name(choices: Any) -> Callable[[str], str]:
    labels = dict(choices)
    return lambda key: str(labels.get(key, key))


def report_names() -> dict[str, Callable[[str], str]]:
    lang = request_language()
    return {
        "language": lambda code: language_name(code, lang),
        "provider_type": _choice_name(ProviderType.choices),
        "modality": _choice_name(Modality.choices),
        "sector": _choice_name(Sector.choices),
        "county": _county_name,
        "category": _category_name,
    }


KEY_ORDER: dict[str, tuple[str, ...]] = {
    "provider_type": tuple(ProviderType.values),
    "modality": tuple(Modality.values),
    "sector": tuple(Sector.values),
    "category": (*Category.values, NO_CATEGORY),
    "county": (*sorted(COUNTIES), NO_COUNTY),
}


def need_report(
    *, year: int, filters: dict[str, str] | None = None, suppress: bool = True
) -> dict[str, Any]:
    """The yearly need report (see `stats.report.build` for its shape), protected with the cell
    key method (`stats.ptable`). `suppress=False` (exact figures) is for callers that have
    checked the `stats.view_unsuppressed` permission."""
    filters = filters or {}
    threshold = suppression_threshold()
    capacity = coverage_capacity()
    current, previous = fact_cubes(year=year, filters=filters)
    return report.build(report.ReportInput(
        year=year,
        current=current,
        previous=previous,
        register=register_counts(year=year),
        names=report_names(),
        threshold=threshold,
        suppress=suppress,
        capacity=capacity,
        key_order=KEY_ORDER,
        extra={
            "filters": filters,
            "suppression": {"applied": suppress, "threshold": threshold},
            "coverage_capacity": capacity,
            "sources": report_sources(facts=facts_in_year(year=year, filters=filters), year=year,
                                      with_counts=not suppress),
        },
    ))


def can_see_unsuppressed(user: User) -> bool:
    return bool(user.is_active and user.has_perm("stats.view_unsuppressed"))


def imports_visible_to(*, user: User) -> QuerySet[StatsImport]:
    """Analysts and admins see every import; a provider's coordinator their organisation's."""
    qs = StatsImport.objects.select_related("imported_by", "organisation")
    if user.role in ("analyst", "admin"):
        return qs
    if user.organisation_id is None:
        return qs.none()
    return qs.filter(organisation_id=user.organisation_id)
