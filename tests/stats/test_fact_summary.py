"""PostgreSQL's summary of the facts per combination of dimensions (migrations "fact_summary" and
"fact_summary_key_sum"): whatever writes the facts, it equals a fresh grouping of them, record key
sums included, and the need report read from it (protected or exact) equals the report grouped
from the facts themselves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from stats import selectors
from stats.demo import write_national_csv
from stats.models import AssignmentFact
from stats.selectors import need_report
from stats.services.facts import booking_reopened_receiver, fact_record_platform
from stats.services.imports import assignments_import
from tests.stats.helpers import MUNICIPAL_ORG, PRIVATE_ORG, csv_bytes, fact_row

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

KEY = ("year", "language", "provider_type", "modality", "sector", "county",
       "interpreter_category", "outcome", "qualified")
TODAY = dt.date(2025, 6, 1)


def summary(*, key_sum: bool = True) -> list[tuple[Any, ...]]:
    """The summary's rows; `key_sum=False` for a schema from before the record keys."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(KEY)}, n, minutes, minutes_n, cost, cost_n"  # noqa: S608
            f"{', key_sum' if key_sum else ''} "
            f"FROM stats_factsummary ORDER BY {', '.join(KEY)}"
        )
        return cursor.fetchall()


def grouped_facts(*, key_sum: bool = True) -> list[tuple[Any, ...]]:
    """The facts grouped as the summary groups them; `key_sum=False` as `summary`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXTRACT(YEAR FROM date)::integer, language, provider_type, modality, sector, "  # noqa: S608
            "county, interpreter_category, outcome, qualified, COUNT(*), "
            "COALESCE(SUM(duration_minutes), 0), COUNT(duration_minutes), "
            f"COALESCE(SUM(cost_nok), 0), COUNT(cost_nok){', SUM(record_key)' if key_sum else ''} "
            "FROM stats_assignmentfact GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 "
            "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9"
        )
        return cursor.fetchall()


def assert_summary_matches_facts() -> None:
    assert sorted(summary()) == sorted(grouped_facts())


def imported(rows: list[dict[str, str]]) -> None:
    result = assignments_import(stream=csv_bytes(rows), file_name="f.csv", today=TODAY)
    assert result.ok, result.errors[:3]


def platform_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "provider_org_number": MUNICIPAL_ORG, "provider_type": "municipal",
        "reference": "tolk-1", "date": dt.date(2024, 5, 2), "language": "tir",
        "modality": "video", "sector": "justice", "municipality": "5001",
        "interpreter_category": "B", "outcome": "completed", "duration_minutes": 45,
        "cost_nok": Decimal("812.50"),
    }
    return {**fields, **overrides}


FIRST_FILE = [
    fact_row(reference="a1"),
    fact_row(reference="a2"),
    fact_row(reference="a3", date="2023-11-30", language="tir", cost_nok=""),
    fact_row(reference="a4", outcome="unfilled", interpreter_category="", duration_minutes="",
             cost_nok="", municipality=""),
    fact_row(reference="a5", outcome="cancelled", interpreter_category="", duration_minutes="",
             cost_nok="350.25"),
    fact_row(reference="tolk-2", modality="onsite", sector="welfare"),
]


def record_keys() -> dict[str, int]:
    return dict(AssignmentFact.objects.values_list("reference", "record_key"))


def test_summary_follows_every_write_to_the_facts() -> None:
    assert summary() == []
    imported(FIRST_FILE)  # all new: COPY straight into the facts
    assert len(summary()) == 5
    assert_summary_matches_facts()
    keys = record_keys()
    assert len(set(keys.values())) == len(keys), "every fact has its own random key"
    imported(FIRST_FILE)  # unchanged: every fact keeps its key
    assert record_keys() == keys

    # Again with changes: a1 moves to another combination, a2 only changes its cost, a3 gets a
    # cost, one row is new; through the staging table (INSERT and UPDATE).
    imported([
        fact_row(reference="a1", language="som", municipality="4601"),
        fact_row(reference="a2", cost_nok="999.99"),
        fact_row(reference="a3", date="2023-11-30", language="tir", cost_nok="10"),
        fact_row(reference="a6", date="2024-12-31", outcome="cancelled",
                 interpreter_category="", duration_minutes="", cost_nok=""),
    ])
    assert_summary_matches_facts()
    # A replaced row keeps its key (the fact is the same request), a new row gets one.
    again = record_keys()
    assert {r: again[r] for r in keys} == keys and "a6" in again

    # Platform facts: new, corrected, replacing the provider's own row for the same booking.
    fact_record_platform(booking_id=1, fields=platform_fields())
    assert_summary_matches_facts()
    platform_key = AssignmentFact.objects.get(booking_id=1).record_key
    fact_record_platform(booking_id=1, fields=platform_fields(duration_minutes=90, cost_nok=None))
    assert_summary_matches_facts()
    assert AssignmentFact.objects.get(booking_id=1).record_key == platform_key
    fact_record_platform(booking_id=2, fields=platform_fields(
        provider_org_number=PRIVATE_ORG, provider_type="private", reference="tolk-2",
        outcome="unfilled", interpreter_category="", duration_minutes=None,
    ))
    assert not AssignmentFact.objects.filter(reference="tolk-2", source="import").exists()
    assert_summary_matches_facts()

    # A reopened booking's fact goes; plain deletes and updates.
    booking_reopened_receiver(sender=None, booking=SimpleNamespace(pk=1))
    assert not AssignmentFact.objects.filter(booking_id=1).exists()
    assert_summary_matches_facts()
    AssignmentFact.objects.filter(reference="a2").delete()
    assert_summary_matches_facts()
    AssignmentFact.objects.filter(reference__in=["a5", "a6"]).update(outcome="unfilled",
                                                                     cost_nok=None)
    assert_summary_matches_facts()

    # The last fact of a combination takes the combination with it.
    AssignmentFact.objects.all().delete()
    assert summary() == []


def test_invalid_file_leaves_the_summary_alone() -> None:
    imported(FIRST_FILE)
    before = summary()
    result = assignments_import(
        stream=csv_bytes([fact_row(reference="a1", language="som"),
                          fact_row(reference="b1", outcome="maybe")]),
        file_name="bad.csv", today=TODAY,
    )
    assert not result.ok
    assert summary() == before
    assert_summary_matches_facts()


def _from_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "_cubes_postgres", selectors._cubes_from_facts)


FILTERS: list[dict[str, str]] = [
    {},
    {"provider_type": "private"},
    {"county": "03", "sector": "health"},
    {"modality": "video"},
    {"county": "46", "sector": "welfare", "provider_type": "municipal", "modality": "onsite"},
    {"county": "99"},  # not a county: ignored by the facts' filter, so by the summary's too
]


@pytest.mark.parametrize("suppress", [True, False])
def test_report_from_summary_equals_report_from_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suppress: bool
) -> None:
    for year, rows in ((2023, 3000), (2024, 3200)):
        path = tmp_path / f"{year}.csv"
        write_national_csv(path, year=year, rows=rows)
        with path.open("rb") as stream:
            assert assignments_import(stream=stream, file_name=path.name, today=TODAY).ok
    fact_record_platform(booking_id=1, fields=platform_fields())
    assert_summary_matches_facts()

    from_summary = [need_report(year=2024, filters=f, suppress=suppress) for f in FILTERS]
    exact = 3201 if not suppress else from_summary[0]["totals"]["requests"]
    assert abs(from_summary[0]["totals"]["requests"] - 3201) <= (2 if suppress else 0)
    assert from_summary[1]["totals"]["requests"] < exact
    _from_facts(monkeypatch)
    from_facts = [need_report(year=2024, filters=f, suppress=suppress) for f in FILTERS]
    assert from_summary == from_facts


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_add_up_in_the_summary() -> None:
    """Platform facts recorded at the same time as two imports, all in the same combinations:
    every writer's change counts once (real commits, one connection per thread)."""
    import threading

    from django.db import connections

    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def each(work: Any) -> Any:
        def run() -> None:
            try:
                start.wait()
                work()
            except BaseException as exc:  # reported by the test below
                failures.append(exc)
            finally:
                connections.close_all()
        return threading.Thread(target=run)

    def platform(first: int) -> None:
        for booking_id in range(first, first + 15):
            fact_record_platform(booking_id=booking_id, fields=platform_fields(
                provider_org_number=PRIVATE_ORG, provider_type="private",
                reference=f"tolk-{booking_id}", date=dt.date(2024, 3, 1), language="ara",
                modality="phone", sector="health", municipality="0301",
                interpreter_category="A", duration_minutes=60, cost_nok=Decimal("1000.00"),
            ))

    def provider_file(prefix: str) -> None:
        imported([fact_row(reference=f"{prefix}{i}") for i in range(40)])

    threads = [each(lambda: platform(1)), each(lambda: platform(101)),
               each(lambda: provider_file("x")), each(lambda: provider_file("y"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert AssignmentFact.objects.count() == 110
    assert_summary_matches_facts()
    assert [row[9] for row in summary()] == [110]  # all in one combination
