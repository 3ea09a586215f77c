"""The facts of a year out of the installation: the streamed CSV, its manifest, who may read them,
and that the file imports back into the same report."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.http import StreamingHttpResponse
from rest_framework.test import APIClient

from stats.models import AssignmentFact, ExportClient, FactExport, Source
from stats.selectors import need_report
from stats.services.export_clients import export_client_create, export_client_revoke
from stats.services.facts import fact_record_platform
from stats.services.imports import FACT_COLUMNS, assignments_import
from tests import factories
from tests.conftest import client_for
from tests.stats.helpers import MUNICIPAL_ORG, fact_row

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/facts/"
TODAY = dt.date(2025, 6, 1)


def _platform(booking_id: int, **overrides: Any) -> AssignmentFact:
    fields: dict[str, Any] = {
        "provider_org_number": MUNICIPAL_ORG, "provider_type": "municipal",
        "reference": f"tolk-{booking_id}", "date": dt.date(2024, 5, 2), "language": "tir",
        "modality": "video", "sector": "welfare", "municipality": "0301",
        "interpreter_category": "B", "outcome": "completed", "duration_minutes": 45,
        "cost_nok": Decimal("812.50"),
    }
    fields.update(overrides)
    return fact_record_platform(booking_id=booking_id, fields=fields)


@pytest.fixture
def year_facts(db: None) -> None:
    rows = [
        fact_row(reference="R1"),
        fact_row(reference='odd, "quoted" ref', outcome="unfilled", interpreter_category="",
                 duration_minutes="", cost_nok=""),
        fact_row(reference="R3", municipality="", interpreter_category="", cost_nok=""),
        fact_row(reference="R4", outcome="cancelled", interpreter_category="",
                 duration_minutes="", cost_nok="350.5", language="som", sector="education"),
        fact_row(reference="next-year", date="2025-01-02"),
    ]
    # The quoted reference needs real CSV quoting in the test file too.
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FACT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    result = assignments_import(stream=io.BytesIO(out.getvalue().encode()), file_name="p.csv",
                                today=TODAY)
    assert result.ok, result.errors
    _platform(41)
    _platform(42, outcome="unfilled", interpreter_category="", duration_minutes=None,
              cost_nok=None, municipality="4601")


def _body(response: Any) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_export_streams_every_fact_of_the_year_in_the_provider_format(
    year_facts: None, analyst_api: Any
) -> None:
    response = analyst_api.get(URL, {"year": 2024, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="tolk-facts-2024.csv"' in response["Content-Disposition"]
    body = _body(response)
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert tuple(rows[0]) == FACT_COLUMNS
    by_reference = {row["reference"]: row for row in rows}
    assert set(by_reference) == {"R1", 'odd, "quoted" ref', "R3", "R4", "tolk-41", "tolk-42"}
    assert by_reference["tolk-41"] == {
        "provider_org_number": MUNICIPAL_ORG, "provider_type": "municipal",
        "reference": "tolk-41", "date": "2024-05-02", "language": "tir", "modality": "video",
        "sector": "welfare", "municipality": "0301", "interpreter_category": "B",
        "outcome": "completed", "duration_minutes": "45", "cost_nok": "812.50",
    }
    assert by_reference["tolk-42"]["duration_minutes"] == ""
    assert by_reference["tolk-42"]["cost_nok"] == ""
    assert by_reference["R4"]["cost_nok"] == "350.50"
    assert by_reference["R3"]["municipality"] == ""


def test_manifest_describes_exactly_the_bytes_sent(year_facts: None, analyst_api: Any) -> None:
    response = analyst_api.get(URL, {"year": 2024, "format": "csv"})
    export_id = response["Tolk-Export-Id"]
    manifest_url = f"{URL}manifests/{export_id}/"
    assert response["Link"] == f'<{manifest_url}>; rel="manifest"'
    before = analyst_api.get(manifest_url).json()
    assert before["complete"] is False and before["sha256"] == ""
    body = _body(response)
    manifest = analyst_api.get(manifest_url).json()
    assert manifest["complete"] is True
    assert manifest["rows"] == 6
    assert manifest["bytes"] == len(body)
    assert manifest["sha256"] == hashlib.sha256(body).hexdigest()
    assert manifest["year"] == 2024


def test_export_client_token_reads_the_export_and_nothing_else(year_facts: None) -> None:
    admin = factories.AdminFactory()
    client, token = export_client_create(name="IMDi nasjonal innsamling", created_by=admin)
    stored = ExportClient.objects.get(pk=client.pk)
    assert token not in (stored.token_hash, stored.token_id)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.last_used_at is None

    machine = _bearer(token)
    response = machine.get(URL, {"year": 2024, "format": "csv"})
    assert response.status_code == 200
    body = _body(response)
    manifest = machine.get(f"{URL}manifests/{response['Tolk-Export-Id']}/").json()
    assert manifest["sha256"] == hashlib.sha256(body).hexdigest()
    assert ExportClient.objects.get(pk=client.pk).last_used_at is not None
    assert FactExport.objects.get(pk=response["Tolk-Export-Id"]).client_id == client.pk

    # The token opens nothing else.
    assert machine.get("/api/v1/stats/need-report/", {"year": 2024}).status_code == 401
    assert machine.get("/api/v1/bookings/").status_code == 401
    assert machine.get("/api/v1/stats/imports/").status_code == 401


def test_wrong_or_revoked_token_is_refused(year_facts: None) -> None:
    client, token = export_client_create(name="IMDi", created_by=None)
    wrong = _bearer(token[:-4] + "AAAA").get(URL, {"year": 2024})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "authentication_failed"
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert _bearer("tolkx_nonsense").get(URL, {"year": 2024}).status_code == 401
    export_client_revoke(client=client)
    assert _bearer(token).get(URL, {"year": 2024}).status_code == 401
    assert not FactExport.objects.exists()


def test_who_may_export(year_facts: None) -> None:
    for make, status in ((factories.UserFactory, 200), (factories.AdminFactory, 200),
                         (factories.BookerFactory, 403), (factories.CoordinatorFactory, 403),
                         (factories.InterpreterUserFactory, 403)):
        user = make()
        assert client_for(user).get(URL, {"year": 2024}).status_code == status, user.role
    # Anyone else given the permission may too.
    coordinator = factories.CoordinatorFactory()
    coordinator.user_permissions.add(Permission.objects.get(codename="export_facts"))
    assert client_for(coordinator).get(URL, {"year": 2024}).status_code == 200
    assert APIClient().get(URL, {"year": 2024}).status_code in (401, 403)


def test_manifest_of_someone_elses_export_is_not_found(year_facts: None,
                                                       analyst_api: Any) -> None:
    response = analyst_api.get(URL, {"year": 2024})
    _body(response)
    _client, token = export_client_create(name="IMDi", created_by=None)
    other = _bearer(token).get(f"{URL}manifests/{response['Tolk-Export-Id']}/")
    assert other.status_code == 404
    assert other.json()["code"] == "export_not_found"


@pytest.mark.parametrize("query", [{}, {"year": "x"}, {"year": 1999}, {"year": 9999},
                                   {"year": 2024, "format": "xlsx"}])
def test_bad_parameters_are_400(year_facts: None, analyst_api: Any,
                                query: dict[str, Any]) -> None:
    response = analyst_api.get(URL, query)
    assert response.status_code == 400
    assert set(response.json()) == {"code", "detail", "section", "fields"}
    assert not FactExport.objects.exists()


def test_round_trip_gives_the_same_report(year_facts: None, analyst_api: Any) -> None:
    """Export, empty the facts, import the export: the report is the same, and the platform's
    facts come back under their `tolk-<booking id>` references."""
    before = need_report(year=2024, suppress=False)
    body = _body(analyst_api.get(URL, {"year": 2024, "format": "csv"}))
    AssignmentFact.objects.all().delete()
    result = assignments_import(stream=io.BytesIO(body), file_name="export.csv", today=TODAY)
    assert result.ok, result.errors
    assert result.rows == result.added == 6
    after = need_report(year=2024, suppress=False)
    assert _figures(after) == _figures(before)
    assert set(AssignmentFact.objects.filter(reference__startswith="tolk-")
               .values_list("reference", flat=True)) == {"tolk-41", "tolk-42"}


def test_re_export_after_changes_re_imports_idempotently(year_facts: None,
                                                         analyst_api: Any) -> None:
    first = _body(analyst_api.get(URL, {"year": 2024}))
    # The receiving side (another provider number space is not needed: the import is keyed by
    # provider and reference) takes the export once, then again after a change at the source.
    AssignmentFact.objects.all().delete()
    assert assignments_import(stream=io.BytesIO(first), file_name="1.csv", today=TODAY).ok
    again = assignments_import(stream=io.BytesIO(first), file_name="1b.csv", today=TODAY)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 6)

    changed_csv = first.decode().replace("tolk-41,2024-05-02,tir", "tolk-41,2024-05-02,som")
    result = assignments_import(stream=io.BytesIO(changed_csv.encode()), file_name="2.csv",
                                today=TODAY)
    assert (result.added, result.changed, result.unchanged) == (0, 1, 5)
    assert AssignmentFact.objects.count() == 6
    assert AssignmentFact.objects.get(reference="tolk-41").language == "som"


def test_platform_fact_already_here_keeps_the_platform_record(year_facts: None,
                                                              analyst_api: Any) -> None:
    """Importing an installation's own export back: nothing doubles."""
    body = _body(analyst_api.get(URL, {"year": 2024}))
    result = assignments_import(stream=io.BytesIO(body), file_name="self.csv", today=TODAY)
    assert result.ok
    assert (result.on_platform, result.unchanged, result.added) == (2, 4, 0)
    assert AssignmentFact.objects.filter(source=Source.PLATFORM).count() == 2
    assert AssignmentFact.objects.count() == 7  # 6 in 2024 + 1 in 2025


def test_an_empty_year_exports_just_the_header(db: None, analyst_api: Any) -> None:
    body = _body(analyst_api.get(URL, {"year": 2020}))
    assert body.decode() == ",".join(FACT_COLUMNS) + "\n"


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what describes its origin (sources) or its moment."""
    return {key: value for key, value in report.items() if key != "sources"}



def test_need_report_json_names_its_sources(year_facts: None, analyst_api: Any) -> None:
    body = analyst_api.get("/api/v1/stats/need-report/", {"year": 2024}).json()
    kinds = {(entry["kind"], entry["name"]): entry for entry in body["sources"]}
    assert set(kinds) == {("platform", "Bestillinger i denne installasjonen"), ("file", "p.csv")}
    # The suppressed report gives no count per source: a small one would be a small number.
    assert all(entry["rows"] is None for entry in body["sources"])
    assert kinds[("file", "p.csv")]["imported_at"]
