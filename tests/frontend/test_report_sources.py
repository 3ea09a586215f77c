"""The need report page's "Grunnlag" section: what the year's figures are built from."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from stats.models import PullSource, SourcePull
from stats.services.imports import assignments_import
from tests import factories
from tests.stats.helpers import csv_bytes, fact_row

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")


def test_report_page_lists_files_and_pulled_sources(client: Client) -> None:
    rows = [fact_row(reference=f"r{i}", date="2025-03-01") for i in range(6)]
    assert assignments_import(stream=csv_bytes(rows), file_name="levering-2025.csv",
                              today=dt.date(2025, 6, 1)).ok
    pulled = [fact_row(reference=f"p{i}", date="2025-04-01", language="tir") for i in range(5)]
    imported = assignments_import(stream=csv_bytes(pulled), file_name="Vest: 2025 (x)",
                                  today=dt.date(2025, 6, 1))
    source = PullSource.objects.create(name="Tolk Vest", url="https://vest.example.no")
    moment = dt.datetime(2025, 6, 2, 8, 30, tzinfo=OSLO)
    SourcePull.objects.create(source=source, year=2025, started_at=moment, finished_at=moment,
                              status="ok", rows=5, added=5, stats_import_id=imported.import_id)
    later = dt.datetime(2025, 6, 3, 9, 0, tzinfo=OSLO)
    SourcePull.objects.create(source=source, year=2025, started_at=later, finished_at=later,
                              status="failed", code="source_timeout")
    client.force_login(factories.UserFactory(role="analyst"))
    body = client.get("/statistics/", {"year": "2025"}).content.decode()
    section = body[body.index('id="report-sources"'):]
    assert "Grunnlag" in body
    assert "levering-2025.csv" in section and "Fil fra formidler" in section
    assert "Tolk Vest" in section and "Annen installasjon" in section
    # The last pull failed; the page says when the last good one was.
    assert "2025-06-03 09:00" in section
    assert "Feilet, ingenting endret" in section and "sist importert 2025-06-02" in section
