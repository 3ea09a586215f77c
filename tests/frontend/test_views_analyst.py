"""The analyst's need report page and the provider file upload."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from stats.models import AssignmentFact, StatsImport
from stats.services.imports import assignments_import
from tests import factories
from tests.stats.helpers import MUNICIPAL_ORG, csv_bytes, fact_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(client: Client) -> Client:
    client.force_login(factories.UserFactory(role="analyst"))
    return client


def _load(rows: list[dict[str, str]]) -> None:
    result = assignments_import(stream=csv_bytes(rows), file_name="t.csv")
    assert result.ok, result.errors


def _year(year: int, arabic: int, tigrinya: int) -> list[dict[str, str]]:
    rows = [
        fact_row(reference=f"{year}-ara-{i}", date=f"{year}-03-01", language="ara")
        for i in range(arabic)
    ]
    rows += [
        fact_row(reference=f"{year}-tir-{i}", date=f"{year}-04-01", language="tir",
                 interpreter_category="")
        for i in range(tigrinya)
    ]
    return rows


def test_no_facts_yet_says_so(analyst_client: Client) -> None:
    body = analyst_client.get("/statistics/").content.decode()
    assert "Det finnes ingen oppdragsfakta ennå" in body


def test_report_shows_headlines_with_change_charts_and_protected_figures(
    analyst_client: Client,
) -> None:
    _load(_year(2024, arabic=8, tigrinya=6) + _year(2025, arabic=10, tigrinya=2))
    response = analyst_client.get("/statistics/", {"year": "2025"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tolkebehov 2025" in body
    assert "fra i fjor" in body
    # The figures are protected with the cell key method, and the page says so.
    assert 'data-protection="cell_key"' in body and "cellenøkkelmetoden" in body
    # Tigrinya has 2 assignments: a small number is shown as 0, and a language of zeros is not
    # listed at all.
    report = response.context["report"]
    assert "tir" not in {row["key"] for row in report["by_language"]}
    assert body.count("<svg") >= 5
    assert "/api/v1/stats/need-report/?year=2025&amp;format=csv" in body
    assert "/api/v1/stats/need-report/?year=2025&amp;format=xlsx" in body
    assert "/api/v1/stats/need-report/?year=2025&amp;format=csv-excel" in body
    assert "Last ned CSV for Excel" in body


def test_report_filters_are_validated(analyst_client: Client) -> None:
    _load(_year(2025, arabic=6, tigrinya=0))
    assert analyst_client.get("/statistics/", {"year": "1999"}).status_code == 400
    assert analyst_client.get("/statistics/", {"year": "x"}).status_code == 400
    assert analyst_client.get("/statistics/", {"modality": "boat"}).status_code == 400
    ok = analyst_client.get("/statistics/", {"year": "2025", "modality": "phone"})
    assert ok.status_code == 200


def test_provider_file_is_imported(analyst_client: Client) -> None:
    upload = SimpleUploadedFile(
        "leverandor.csv", csv_bytes(_year(2025, arabic=3, tigrinya=0)).getvalue(), "text/csv"
    )
    response = analyst_client.post("/statistics/import/", {"file": upload})
    assert response.status_code == 200
    assert 'data-import-result="ok"' in response.content.decode()
    assert AssignmentFact.objects.count() == 3


def test_invalid_provider_file_imports_nothing_and_lists_every_bad_row(
    analyst_client: Client,
) -> None:
    rows = [
        fact_row(reference="ok-1"),
        fact_row(reference="bad-date", date="2025-13-01"),
        fact_row(reference="bad-lang", language="xxx", modality="boat"),
    ]
    upload = SimpleUploadedFile("feil.csv", csv_bytes(rows).getvalue(), "text/csv")
    response = analyst_client.post("/statistics/import/", {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-import-result="failed"' in body
    assert "Ingenting ble importert" in body
    assert "<code>date</code>" in body and "<code>language</code>" in body
    assert "<code>modality</code>" in body
    assert AssignmentFact.objects.count() == 0


def test_upload_must_be_a_csv_file(analyst_client: Client) -> None:
    upload = SimpleUploadedFile("rapport.xlsx", b"PK\x03\x04", "application/octet-stream")
    response = analyst_client.post("/statistics/import/", {"file": upload})
    assert response.status_code == 400
    assert "Last opp en .csv-fil" in response.content.decode()


def test_a_provider_file_over_the_limit_is_refused_with_the_limit_named(
    analyst_client: Client, settings: Any
) -> None:
    settings.TOLK_IMPORT_MAX_BYTES = {**settings.TOLK_IMPORT_MAX_BYTES, "assignments": 1024 * 1024}
    upload = SimpleUploadedFile("stor.csv", b"x" * (1024 * 1024 + 1), "text/csv")
    response = analyst_client.post("/statistics/import/", {"file": upload})
    assert response.status_code == 400
    assert "Filen er større enn 1 MB." in response.content.decode()
    assert not AssignmentFact.objects.exists() and not StatsImport.objects.exists()


def test_coordinator_imports_only_for_their_own_organisation(client: Client) -> None:
    provider = factories.ProviderFactory(org_number=MUNICIPAL_ORG)
    client.force_login(factories.CoordinatorFactory(organisation=provider))
    upload = SimpleUploadedFile(
        "andre.csv", csv_bytes([fact_row(reference="x")]).getvalue(), "text/csv"
    )
    response = client.post("/statistics/import/", {"file": upload})
    assert response.status_code == 400
    assert AssignmentFact.objects.count() == 0
    assert client.get("/statistics/").status_code == 403


def test_report_pages_refuse_bookers(client: Client) -> None:
    client.force_login(factories.BookerFactory())
    assert client.get("/statistics/").status_code == 403
    assert client.get("/statistics/import/").status_code == 403


def test_small_numbers_only_for_users_with_the_permission(client: Client) -> None:
    from django.contrib.auth.models import Permission

    _load(_year(2025, arabic=10, tigrinya=2))
    analyst = factories.UserFactory(role="analyst")
    client.force_login(analyst)
    refused = client.get("/statistics/", {"year": "2025", "unsuppressed": "on"}).content.decode()
    assert 'name="unsuppressed"' not in refused
    assert 'data-protection="cell_key"' in refused  # asked for, not given
    analyst.user_permissions.add(Permission.objects.get(codename="view_unsuppressed"))
    client.force_login(analyst)
    shown = client.get("/statistics/", {"year": "2025", "unsuppressed": "on"}).content.decode()
    assert 'name="unsuppressed"' in shown
    assert "bare til intern bruk" in shown
    assert "unsuppressed=true" in shown  # the downloads match what is on the screen
    assert 'data-protection="none"' in shown
    default = client.get("/statistics/", {"year": "2025"}).content.decode()
    assert 'data-protection="cell_key"' in default


def test_report_opens_on_the_last_complete_year(analyst_client: Client) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    last = today.year - 1
    rows = _year(last, arabic=10, tigrinya=6)
    # The current year has only begun: one assignment so far.
    rows.append(fact_row(reference="now-1", date=f"{today.year}-01-01", language="ara"))
    _load(rows)
    body = analyst_client.get("/statistics/").content.decode()
    assert f"Tolkebehov {last}" in body
    assert f'<option value="{last}" selected>' in body
    # Still chosen on request.
    assert f"Tolkebehov {today.year}" in analyst_client.get(
        "/statistics/", {"year": str(today.year)}
    ).content.decode()


def _between(body: str, start: str, end: str) -> str:
    return body[body.index(start):body.index(end, body.index(start))]


def test_modality_chart_never_stretches_the_published_modalities_to_100_percent(
    analyst_client: Client,
) -> None:
    """On-site and video are too few to publish (shown as 0): phone is drawn as its share of the
    published total and the rest is hatched and named, not phone as the whole bar."""
    rows = [fact_row(reference=f"p-{i}", date="2025-03-01", modality="phone") for i in range(20)]
    rows += [fact_row(reference=f"o-{i}", date="2025-03-01", modality="onsite") for i in range(4)]
    rows += [fact_row(reference=f"v-{i}", date="2025-03-01", modality="video") for i in range(4)]
    _load(rows)
    body = analyst_client.get("/statistics/", {"year": "2025"}).content.decode()
    chart = _between(body, "<figcaption aria-hidden=\"true\">Oppdrag etter tolkeform", "</svg>")
    assert "Oppmøte: 0" in chart and "Skjerm: 0" in chart
    assert 'data-withheld="true"' in chart
    assert "for små til å publiseres" in chart
    assert "Telefon: " in chart and "(100\u00a0%)" not in chart
    assert 'width="590.0" height="34"' not in chart


def test_language_table_lists_languages_with_requests_and_the_rest_behind_a_disclosure(
    analyst_client: Client,
) -> None:
    rows = _year(2025, arabic=30, tigrinya=2)
    rows += [fact_row(reference=f"som-{i}", date="2025-05-01", language="som")
             for i in range(20)]
    rows += [fact_row(reference=f"pol-{i}", date="2025-05-01", language="pol")
             for i in range(15)]
    _load(rows)
    # The register's languages are listed whatever the requests: Tigrinya (2 requests, published
    # as 0) and Finnish (none) behind the disclosure, with their qualified interpreters.
    factories.QualificationFactory(language="tir")
    factories.QualificationFactory(language="fin")
    body = analyst_client.get("/statistics/", {"year": "2025"}).content.decode()
    main = _between(body, 'id="by-language"', "<details")
    assert "(ara)" in main and "(som)" in main and "(tir)" not in main
    more = _between(body, "<details", "</details>")
    assert "språk til med få eller ingen bestillinger</summary>" in more
    assert "(tir)" in more and "(fin)" in more
    # The measures are explained next to the table.
    assert "Hva målene betyr" in main and "Slik leses de sammen" in main
    assert "om hver tok 500 oppdrag i året" in main
    assert "data-coverage-filter-note" not in main
    # With a filter the need is the selection's, the register the whole country's.
    filtered = analyst_client.get("/statistics/", {"year": "2025", "county": "03"})
    assert "dekningsgraden er da en øvre grense" in filtered.content.decode()


def test_provider_file_problems_are_explained_in_the_page_language(
    analyst_client: Client,
) -> None:
    rows = [
        fact_row(reference="bad-date", date="2025-13-01"),
        fact_row(reference="bad-lang", language="xxx", duration_minutes=""),
    ]

    def post(**headers: str) -> str:
        upload = SimpleUploadedFile("feil.csv", csv_bytes(rows).getvalue(), "text/csv")
        return analyst_client.post("/statistics/import/", {"file": upload},
                                   **headers).content.decode()

    nb = post()
    assert "&#x27;2025-13-01&#x27; er ikke en dato (ÅÅÅÅ-MM-DD)." in nb
    assert "&#x27;xxx&#x27; er ikke en språkkode etter ISO 639-3 (eller ISO 639-1/639-2)." in nb
    assert "Et gjennomført oppdrag må ha varigheten i minutter." in nb
    assert "is not a date" not in nb
    en = post(HTTP_ACCEPT_LANGUAGE="en")
    assert "&#x27;2025-13-01&#x27; is not a date (YYYY-MM-DD)." in en
    assert AssignmentFact.objects.count() == 0
