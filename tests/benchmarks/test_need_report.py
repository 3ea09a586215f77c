"""A year of national data: about 800,000 facts shaped like the published figures (plus the year
before, for the change), imported from a provider file and reported on, against PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tolk_stats \
        .venv/bin/pytest tests/benchmarks/test_need_report.py -s -p no:randomly

Prints the import time, the report time (protected with the cell key method, and exact) and the
peak memory. Targets: import < 20 s, the whole protected report < 2 s, memory bounded
(independent of the file size: one chunk at a time).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import os
import resource
import time
import tracemalloc
from pathlib import Path

import pytest
from django.db import connection

from booking.models import Interpreter, Qualification
from stats.demo import languages, write_national_csv
from stats.models import AssignmentFact
from stats.selectors import need_report
from stats.services.imports import assignments_import

YEAR = 2024
ROWS = int(os.environ.get("TOLK_BENCH_ROWS", "800000"))
PREVIOUS_ROWS = ROWS * 15 // 16

# Real commits, as in production (not one long test transaction around everything).
pytestmark = [
    pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.timeout(1200),
]


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _register(n: int = 2200) -> None:
    """A register of about the demo's size: interpreters qualified in the largest languages."""
    codes = list(languages())[:70]
    people = [
        Interpreter(register_number=f"B{i:06d}", given_name="Tolk", family_name=f"B{i}",
                    gender="female", municipality="0301", county="03",
                    availability="full_time")
        for i in range(n)
    ]
    Interpreter.objects.bulk_create(people, batch_size=2000)
    weights = [0.3 if c == "ara" else 0.05 for c in codes]
    bounds = list(itertools.accumulate(weights))
    entries = []
    for i, person in enumerate(Interpreter.objects.filter(register_number__startswith="B")):
        code = codes[min(bisect.bisect_left(bounds, (i * 7919) % 1000 / 1000 * bounds[-1]),
                         len(codes) - 1)]
        entries.append(Qualification(interpreter=person, language=code,
                                     category="ABCDE"[i % 5], valid_from=dt.date(2015, 1, 1)))
    Qualification.objects.bulk_create(entries, batch_size=2000)


def _import(path: Path) -> tuple[float, object]:
    started = time.perf_counter()
    with path.open("rb") as stream:
        result = assignments_import(stream=stream, file_name=path.name,
                                    today=dt.date(YEAR + 1, 6, 1))
    return time.perf_counter() - started, result


def test_need_report_benchmark(tmp_path: Path) -> None:
    current, previous = tmp_path / f"national-{YEAR}.csv", tmp_path / f"national-{YEAR - 1}.csv"
    started = time.perf_counter()
    write_national_csv(current, year=YEAR, rows=ROWS)
    write_national_csv(previous, year=YEAR - 1, rows=PREVIOUS_ROWS)
    size_mb = current.stat().st_size / 1e6
    print(f"\ngenerated {ROWS:,} + {PREVIOUS_ROWS:,} rows ({size_mb:.0f} MB for {YEAR}) "
          f"in {time.perf_counter() - started:.1f} s")
    _register()
    rss_before = _maxrss_mb()

    seconds_prev, result_prev = _import(previous)
    assert result_prev.ok, result_prev.errors[:3]  # type: ignore[attr-defined]
    seconds, result = _import(current)
    assert result.ok, result.errors[:3]  # type: ignore[attr-defined]
    rss_import = _maxrss_mb()
    print(f"import {YEAR - 1}: {PREVIOUS_ROWS:,} rows in {seconds_prev:.1f} s")
    print(f"import {YEAR}: {ROWS:,} rows in {seconds:.1f} s "
          f"({ROWS / seconds:,.0f} rows/s); process max RSS {rss_before:.0f} -> "
          f"{rss_import:.0f} MB")
    assert AssignmentFact.objects.count() == ROWS + PREVIOUS_ROWS
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM stats_factsummary")
        (combinations,) = cursor.fetchone()
    print(f"summary: {combinations:,} combinations of the dimensions in two years")

    tracemalloc.start()
    seconds_again, again = _import(current)
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert again.unchanged == ROWS  # type: ignore[attr-defined]
    print(f"re-import (nothing changes): {seconds_again:.1f} s with tracemalloc on; "
          f"peak traced memory {peak / 1e6:.0f} MB for a {size_mb:.0f} MB file")

    timings = {}
    for label, kwargs in (
        ("protected", {}),
        ("protected, second run", {}),
        ("exact (unprotected)", {"suppress": False}),
        ("county 03 + health", {"filters": {"county": "03", "sector": "health"}}),
    ):
        started = time.perf_counter()
        report = need_report(year=YEAR, **kwargs)  # type: ignore[arg-type]
        timings[label] = time.perf_counter() - started
        print(f"report ({label}): {timings[label]:.2f} s, "
              f"{len(report['by_language'])} languages "
              f"({sum(1 for r in report['by_language'] if r['assignments'] == 0)} with "
              f"assignments shown as 0), protection {report['protection']['method']}")
    tracemalloc.start()
    report = need_report(year=YEAR)
    _size, report_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    totals = report["totals"]
    print(f"report peak traced memory {report_peak / 1e6:.1f} MB; process max RSS "
          f"{_maxrss_mb():.0f} MB")
    print(f"totals: {totals['requests']:,} requests, {totals['assignments']:,} assignments, "
          f"qualified share {totals['qualified_share']}, top ten {report['top10_share']}, "
          f"{totals['language_count']} languages, cost NOK {totals['cost_nok']:,.0f}, "
          f"change in assignments {totals['change']['assignments']}")
    assert seconds < 20
    assert timings["protected, second run"] < 2
    assert peak < 400e6
