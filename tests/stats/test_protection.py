"""Small numbers in the need report are protected across every output together: an attacker who
holds every protected report (each filter and combination of filters, both years, with the change
from the year before) cannot pin down any small count, hours or cost; the same cell shows the same
value wherever it appears; zeros stay zero; the unprotected view is exact."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from stats import ptable
from stats.exports import report_csv
from stats.models import AssignmentFact
from stats.selectors import assignments_by_year, need_report
from tests.stats.attack import Attacker, truth_from_facts
from tests.stats.helpers import MUNICIPAL_ORG, PRIVATE_ORG

TABLES = ("by_language", "by_provider_type", "by_modality", "by_sector", "by_county",
          "by_category")
COUNTS = ("requests", "assignments", "unfilled", "cancelled")
THRESHOLD = 5

COUNTIES = {"03": "0301", "46": "4601", "50": "5001"}
SECTORS = ("health", "welfare", "child_welfare")
PROVIDERS = {"private": PRIVATE_ORG, "municipal": MUNICIPAL_ORG}
MODALITIES = ("onsite", "video", "phone")
LANGUAGES = {"ara": 0.45, "tir": 0.2, "som": 0.15, "pol": 0.1, "ukr": 0.06, "prs": 0.04}


def _fact(rng: np.random.Generator, reference: str, year: int, **fixed: Any) -> AssignmentFact:
    county = fixed.pop("county", None) or str(rng.choice(list(COUNTIES)))
    provider = fixed.pop("provider_type", None) or str(rng.choice(list(PROVIDERS)))
    outcome = fixed.pop("outcome", None) or str(
        rng.choice(["completed", "unfilled", "cancelled"], p=[0.8, 0.1, 0.1]))
    qualified = outcome == "completed" and bool(fixed.pop("qualified", rng.random() < 0.6))
    values: dict[str, Any] = {
        "language": str(rng.choice(list(LANGUAGES), p=list(LANGUAGES.values()))),
        "modality": str(rng.choice(MODALITIES, p=[0.3, 0.1, 0.6])),
        "sector": str(rng.choice(SECTORS)),
        **fixed,
    }
    return AssignmentFact(
        source="import", provider_org_number=PROVIDERS[provider], provider_type=provider,
        reference=reference, date=dt.date(year, 1 + int(rng.integers(0, 12)), 10),
        municipality=COUNTIES[county], county=county,
        interpreter_category="A" if qualified else "", qualified=qualified, outcome=outcome,
        duration_minutes=int(rng.integers(30, 120)) if outcome == "completed" else None,
        cost_nok=Decimal(int(rng.integers(500, 1500))), record_key=int(rng.integers(0, 2**31)),
        **values,
    )


@pytest.fixture
def national(db: None) -> None:
    """Two years of requests over three counties, three sectors, two provider types and three
    modalities, with a Slovenian trap as in the demo data: 2025 has 11 completed Slovenian
    requests, 8 by phone and 3 on-site, so the national row minus the phone row is the on-site
    row. The record keys come from a fixed seed so that the test is repeatable."""
    rng = np.random.default_rng(20251)
    facts = [_fact(rng, f"r{year}-{i}", year) for year in (2024, 2025) for i in range(160)]
    facts += [
        _fact(rng, f"slv-{i}", 2025, language="slv", modality="phone" if i < 8 else "onsite",
              sector="health", county="03", provider_type="private", outcome="completed",
              qualified=True)
        for i in range(11)
    ]
    facts += [
        _fact(rng, f"slv-old-{i}", 2024, language="slv", modality="phone", sector="health",
              county="03", provider_type="private", outcome="completed", qualified=True)
        for i in range(6)
    ]
    AssignmentFact.objects.bulk_create(facts)


def filter_combinations() -> list[dict[str, str]]:
    """No filter, each value of each filter, and every combination of them."""
    choices = [
        [None, *COUNTIES], [None, *SECTORS], [None, *PROVIDERS], [None, *MODALITIES],
    ]
    combinations = []
    for county, sector, provider, modality in itertools.product(*choices):
        filters = {"county": county, "sector": sector, "provider_type": provider,
                   "modality": modality}
        combinations.append({k: v for k, v in filters.items() if v is not None})
    return combinations


def attack(*, protected: bool) -> list[Any]:
    attacker = (
        Attacker(possible=ptable.possible_true_counts, magnitude_scale=ptable.MAGNITUDE_SCALE)
        if protected else Attacker()
    )
    for year in (2024, 2025):
        for filters in filter_combinations():
            attacker.read(need_report(year=year, filters=filters, suppress=protected),
                          filters)
    facts = list(AssignmentFact.objects.values())
    return attacker.recovered(truth_from_facts(facts), THRESHOLD)


def test_the_attacker_breaks_per_report_suppression() -> None:
    """The attacker can fail: reports that publish small cells exactly (as the unprotected view
    does) give every one of them to it, and so does a withheld cell under a published total."""
    exact = Attacker()
    rows = [{"key": "a", "requests": 9, "assignments": 9, "qualified_share": 1.0, "unfilled": 0,
             "cancelled": 0, "hours": 9.0, "cost_nok": 900.0},
            {"key": "b", "requests": None, "assignments": None, "qualified_share": None,
             "unfilled": None, "cancelled": None, "hours": None, "cost_nok": None}]
    report: dict[str, Any] = {
        "year": 2025,
        "totals": {"requests": 12, "assignments": 12, "qualified_share": 1.0, "unfilled": 0,
                   "cancelled": 0, "hours": 12.0, "cost_nok": 1200.0},
        **{f"by_{t}": [] for t in ("provider_type", "modality", "sector", "county",
                                   "category")},
        "by_language": rows,
    }
    exact.read(report, {})
    truth = {(2025, frozenset({("language", "b")}), m): v for m, v in (
        ("requests", 3), ("assignments", 3), ("qualified", 3), ("unfilled", 0),
        ("cancelled", 0), ("hours", 3.0), ("cost_nok", 300.0))}
    found = {cell[2] for cell, _true, _bounds in exact.recovered(
        lambda cell: truth.get(cell, 100), THRESHOLD)}
    assert found == {"requests", "assignments", "qualified", "hours", "cost_nok"}


def test_no_small_cell_can_be_worked_out_from_all_protected_reports(national: None) -> None:
    """Every filter combination, both years, the change from the year before: the attacker pins
    down no small count, and no small cell's hours or cost."""
    assert attack(protected=True) == []


def test_the_same_cell_has_the_same_value_everywhere(national: None) -> None:
    # The on-site Slovenian requests of 2025 appear as a language row (on-site filter), as the
    # on-site row of the modality table (Slovenian has no filter of its own) would not: check
    # the cells an analyst can reach in several ways instead.
    national = need_report(year=2025)
    by_county = {row["key"]: row for row in national["by_county"]}
    for county in COUNTIES:
        filtered = need_report(year=2025, filters={"county": county})
        for cell in (*COUNTS, "hours", "cost_nok", "qualified_share"):
            assert filtered["totals"][cell] == by_county[county][cell], (county, cell)
        assert filtered["by_county"][
            [r["key"] for r in filtered["by_county"]].index(county)]["requests"] == \
            by_county[county]["requests"]
    both = need_report(year=2025, filters={"county": "03", "modality": "phone"})
    phone_in_oslo = {row["key"]: row for row in need_report(
        year=2025, filters={"modality": "phone"})["by_county"]}["03"]
    assert both["totals"]["requests"] == phone_in_oslo["requests"]
    # Last year's figures in this year's report are last year's report.
    last_year = need_report(year=2024)
    assert national["totals"]["change"]["requests"]["previous"] == \
        last_year["totals"]["requests"]
    # The CSV and the JSON publish the same values.
    csv_text = report_csv(national)
    total_line = next(line for line in csv_text.splitlines() if line.startswith("2025,totals,"))
    assert f",{national['totals']['requests']},{national['totals']['assignments']}," in total_line
    assert json.loads(json.dumps(national)) == national


def test_attack_through_the_whole_system_finds_nothing_under_every_filter(
    national: None,
) -> None:
    """The Slovenian trap: national minus phone is on-site, which is a small cell."""
    slovenian = {row["key"]: row for row in need_report(year=2025)["by_language"]}["slv"]
    phone = {row["key"]: row for row in need_report(
        year=2025, filters={"modality": "phone"})["by_language"]}["slv"]
    exact = {row["key"]: row for row in need_report(
        year=2025, filters={"modality": "onsite"}, suppress=False)["by_language"]}["slv"]
    assert exact["requests"] == 3
    # The published difference is noise around 3, not 3 for certain: both published values
    # allow several true counts, and so does their difference.
    national_options = ptable.possible_true_counts(slovenian["requests"])
    phone_options = ptable.possible_true_counts(phone["requests"])
    differences = {a - b for a in national_options for b in phone_options}
    assert len(differences) > 1 and 3 in differences


def test_zeros_stay_zero_and_small_counts_are_never_published_as_themselves(
    national: None,
) -> None:
    for filters in ({}, {"county": "50", "modality": "video"}, {"sector": "child_welfare"}):
        protected = need_report(year=2025, filters=filters)
        exact = need_report(year=2025, filters=filters, suppress=False)
        for table in ("totals", *TABLES):
            rows = [protected[table]] if table == "totals" else protected[table]
            truths = {row.get("key"): row for row in (
                [exact[table]] if table == "totals" else exact[table])}
            listed = {row.get("key") for row in rows}
            assert listed <= set(truths)
            for key in set(truths) - listed:
                # Only a language whose every count is small is left out (as if all 0).
                assert table == "by_language"
                assert all(truths[key][c] < THRESHOLD for c in COUNTS), truths[key]
            for row in rows:
                true = truths[row.get("key")]
                for cell in COUNTS:
                    if true[cell] == 0:
                        assert row[cell] == 0, (table, cell)
                    # Never 1 to 4: a small count is published as 0.
                    assert not 0 < row[cell] < THRESHOLD, (table, cell)
                    if 0 < true[cell] < THRESHOLD:
                        assert row[cell] == 0, (table, cell)
                    elif true[cell] > THRESHOLD:
                        assert abs(row[cell] - true[cell]) <= ptable.MAX_PERTURBATION
                if row["assignments"] == 0:
                    assert row["hours"] == 0.0


def test_unprotected_view_is_exact(national: None) -> None:
    facts = AssignmentFact.objects.filter(date__year=2025)
    report = need_report(year=2025, suppress=False)
    assert report["protection"] == {"method": "none", "exact": True}
    assert report["totals"]["requests"] == facts.count()
    assert report["totals"]["assignments"] == facts.filter(outcome="completed").count()
    minutes = sum(f.duration_minutes or 0 for f in facts)
    assert report["totals"]["hours"] == round(minutes / 60, 1)
    slv = {row["key"]: row for row in report["by_language"]}["slv"]
    assert (slv["requests"], slv["assignments"], slv["qualified_share"]) == (11, 11, 1.0)
    assert all(row["suppressed"] is False for name in TABLES for row in report[name])


def test_the_report_says_how_it_is_protected(national: None) -> None:
    report = need_report(year=2025)
    assert report["protection"]["method"] == "cell_key"
    assert report["protection"]["max_perturbation"] == ptable.MAX_PERTURBATION
    assert report["protection"]["exact"] is False
    assert report["suppression"] == {"applied": True, "threshold": THRESHOLD}


def test_the_yearly_trend_publishes_each_year_as_its_report(national: None) -> None:
    """The report page's chart of assignments per year shows each year's protected total."""
    for filters in ({}, {"county": "46", "modality": "onsite"}):
        trend = assignments_by_year(first=2023, last=2025, filters=filters)
        assert trend[2023] == 0
        for year in (2024, 2025):
            assert trend[year] == need_report(year=year, filters=filters)["totals"]["assignments"]
        exact = assignments_by_year(first=2024, last=2025, filters=filters, suppress=False)
        assert exact[2025] == need_report(year=2025, filters=filters,
                                          suppress=False)["totals"]["assignments"]


def test_a_language_published_as_all_zeros_is_not_listed(national: None) -> None:
    """Listing it would tell that it has requests there, which a published 0 does not."""
    onsite = {"modality": "onsite"}
    exact = {row["key"]: row for row in need_report(
        year=2025, filters=onsite, suppress=False)["by_language"]}
    assert exact["slv"]["requests"] == 3
    protected = need_report(year=2025, filters=onsite)
    assert "slv" not in {row["key"] for row in protected["by_language"]}
    # Last year's Slovenian figures are given where last year's report lists them.
    national = {row["key"]: row for row in need_report(year=2025)["by_language"]}
    last_year = {row["key"]: row for row in need_report(year=2024)["by_language"]}
    assert national["slv"]["change"]["requests"]["previous"] == last_year["slv"]["requests"]
