from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from stats import demo
from stats.models import AssignmentFact
from stats.selectors import need_report
from tests import factories

pytestmark = pytest.mark.django_db


def test_national_shape() -> None:
    frame = pd.concat(list(demo.national_chunks(year=2024, rows=60_000)))
    shares = frame["language"].value_counts(normalize=True)
    assert shares.index[0] == "ara" and 0.31 < shares["ara"] < 0.35
    assert 0.77 < shares.head(10).sum() < 0.84
    assert frame["language"].nunique() > 100
    assert 0.73 < (frame["provider_type"] == "private").mean() < 0.77
    assert 0.67 < (frame["modality"] == "phone").mean() < 0.71
    completed = frame.loc[frame["outcome"] == "completed"]
    state = completed.loc[completed["provider_type"] == "state"]
    assert (state["interpreter_category"] != "").mean() > 0.97
    assert (frame.loc[frame["outcome"] != "completed", "interpreter_category"] == "").all()


def test_generation_is_deterministic() -> None:
    first = next(demo.national_chunks(year=2023, rows=500))
    again = next(demo.national_chunks(year=2023, rows=500))
    assert first.equals(again)


def test_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_ROWS_PER_YEAR", {2022: 300, 2023: 320, 2024: 350, 2025: 400})
    analyst = factories.UserFactory(username="analyst", role="analyst")
    counts = demo.seed(today=dt.date(2025, 6, 30))
    assert AssignmentFact.objects.count() == counts["assignment_facts"]
    assert not AssignmentFact.objects.filter(date__gt=dt.date(2025, 6, 30)).exists()
    assert AssignmentFact.objects.filter(date__year=2022).count() == 300
    analyst.refresh_from_db()
    assert analyst.has_perm("stats.view_unsuppressed")
    report = need_report(year=2024, suppress=False)
    assert report["totals"]["requests"] == 350
    assert report["totals"]["change"]["requests"]["previous"] == 320
    protected = need_report(year=2024)["totals"]
    assert abs(protected["requests"] - 350) <= 2
    assert abs(protected["change"]["requests"]["previous"] - 320) <= 2


def test_demo_need_report_finds_the_registers_interpreters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo register and the demo statistics speak one language vocabulary: Persian is `pes`
    in both, so the need report's coverage of Persian is not 0."""
    from booking import demo as register_demo
    from stats.selectors import register_counts

    monkeypatch.setattr(demo, "DEMO_ROWS_PER_YEAR", {2022: 300, 2023: 320, 2024: 2000, 2025: 400})
    today = dt.date(2025, 6, 30)
    register_demo.seed_demo(today=today)
    demo.seed(today=today)
    report = need_report(year=2024, suppress=False)
    persian = next(row for row in report["by_language"] if row["key"] == "pes")
    assert persian["assignments"] > 0
    assert persian["qualified_interpreters"] > 20
    assert persian["coverage"]["low"]["coverage"] > 0
    assert not [row for row in report["by_language"] if row["key"] == "fas"]
    registered = register_counts(year=2024)
    for code in ("pes", "prs", "slv", "ful", "fat", "twi", "nus", "mlg"):
        assert registered.get(code, 0) > 0, code
