"""Pulling a year from another installation: two real Tolk installations over HTTP, and sources
that fail in every way a network can (wrong token, cut-off body, wrong checksum, no answer,
garbage), each of which changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from stats.models import AssignmentFact, PullSource, SourcePull, StatsImport
from stats.selectors import need_report
from stats.services.facts import fact_record_platform
from stats.services.imports import assignments_import
from stats.services.pull import PullFailed, source_for, source_pull
from tests.stats.helpers import MUNICIPAL_ORG, STATE_ORG, csv_bytes, fact_row
from tests.stats.installation import Installation, installation

YEAR = 2024
TODAY = dt.date(2025, 6, 1)
B_ORG = "976820037"  # a provider only installation B knows

# Installation B: a provider file of 36 rows in four languages and two platform bookings. Booking
# 7 exists in both installations (each numbers its own bookings) under different providers.
B_SETUP = """
import datetime as dt, io, json
from decimal import Decimal
from stats.services.imports import assignments_import, FACT_COLUMNS
from stats.services.facts import fact_record_platform
from stats.services.export_clients import export_client_create
from stats.selectors import need_report

rows = []
plan = [("ara", "completed", "A", 12), ("tir", "completed", "", 8), ("som", "unfilled", "", 6),
        ("pol", "cancelled", "", 5), ("ara", "unfilled", "", 5)]
for language, outcome, category, n in plan:
    for i in range(n):
        done = outcome == "completed"
        rows.append([B_ORG, "private", f"b-{language}-{outcome}-{i}", f"2024-0{1 + i % 9}-15",
                     language, ("phone", "video", "onsite")[i % 3], ("health", "welfare")[i % 2],
                     ("0301", "4601", "")[i % 3], category, outcome,
                     "120" if done else "", ("1250.40" if done else ("300" if i % 2 else ""))])
# 2023: enough rows for an export of many pieces (the hang-up test).
for i in range(6000):
    rows.append([B_ORG, "private", f"b-2023-{i}", "2023-05-05", "ara", "phone", "health",
                 "0301", "A", "completed", "60", "1000.00"])
text = ",".join(FACT_COLUMNS) + "\\n" + "".join(",".join(r) + "\\n" for r in rows)
result = assignments_import(stream=io.BytesIO(text.encode()), file_name="b.csv",
                            today=dt.date(2025, 6, 1))
assert result.ok, result.errors[:3]
for booking, outcome in ((7, "completed"), (8, "unfilled")):
    fact_record_platform(booking_id=booking, fields={
        "provider_org_number": STATE_ORG, "provider_type": "state",
        "reference": f"tolk-{booking}", "date": dt.date(2024, 11, 3), "language": "ara",
        "modality": "video", "sector": "justice", "municipality": "5001",
        "interpreter_category": "A" if outcome == "completed" else "", "outcome": outcome,
        "duration_minutes": 60 if outcome == "completed" else None,
        "cost_nok": Decimal("900.00") if outcome == "completed" else None,
    })
client, token = export_client_create(name="Nasjonal innsamling", created_by=None)
open(TOKEN_PATH, "w").write(token)
json.dump(need_report(year=2024, suppress=False), open(REPORT_PATH, "w"), default=str)
"""

ADDITIVE = ("requests", "assignments", "unfilled", "cancelled", "hours", "cost_nok")
TABLES = ("by_language", "by_provider_type", "by_modality", "by_sector", "by_county",
          "by_category")


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Installation, Path, dict]]:
    tmp = tmp_path_factory.mktemp("second-installation")
    token_path, report_path = tmp / "token", tmp / "report.json"
    setup = (f"B_ORG = {B_ORG!r}; STATE_ORG = {STATE_ORG!r}; TOKEN_PATH = {str(token_path)!r}; "
             f"REPORT_PATH = {str(report_path)!r}\n" + B_SETUP)
    with installation(tmp, setup=setup) as site:
        yield site, token_path, json.loads(report_path.read_text())


def _installation_a() -> None:
    """Installation A's own facts for 2024: a provider file and booking 7 of its own."""
    rows = [
        *[fact_row(reference=f"a-{i}", language="ara", date="2024-02-01",
                   duration_minutes=60, cost_nok="1000.00") for i in range(10)],
        *[fact_row(reference=f"a-tir-{i}", language="tir", date="2024-06-01", modality="video",
                   outcome="unfilled", interpreter_category="", duration_minutes="",
                   cost_nok="") for i in range(6)],
    ]
    assert assignments_import(stream=csv_bytes(rows), file_name="a.csv", today=TODAY).ok
    fact_record_platform(booking_id=7, fields={
        "provider_org_number": MUNICIPAL_ORG, "provider_type": "municipal",
        "reference": "tolk-7", "date": dt.date(2024, 9, 9), "language": "som",
        "modality": "onsite", "sector": "health", "municipality": "0301",
        "interpreter_category": "B", "outcome": "completed", "duration_minutes": 120,
        "cost_nok": Decimal("2000.00"),
    })


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    """The report's additive figures: totals and every table's rows by key."""
    figures: dict[str, Any] = {"totals": {m: report["totals"].get(m) for m in ADDITIVE}}
    for table in TABLES:
        figures[table] = {
            row["key"]: {m: row.get(m) for m in ADDITIVE if m in row} for row in report[table]
        }
    return figures


def _sum(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    def add(x: Any, y: Any) -> Any:
        if isinstance(x, dict) or isinstance(y, dict):
            x, y = x or {}, y or {}
            return {k: add(x.get(k), y.get(k)) for k in {*x, *y}}
        return (x or 0) + (y or 0)

    return add(a, b)


def _approx(figures: dict[str, Any]) -> Any:
    if isinstance(figures, dict):
        return {k: _approx(v) for k, v in figures.items()}
    return pytest.approx(figures or 0, abs=0.01)


@pytest.mark.django_db
def test_pull_from_a_second_installation_adds_its_year(
    second: tuple[Installation, Path, dict], tmp_path: Path, capsys: Any
) -> None:
    site, token_path, b_report = second
    _installation_a()
    a_before = need_report(year=YEAR, suppress=False)

    # A wrong token first: refused, nothing changes, the failure is recorded with its reason.
    wrong = tmp_path / "wrong-token"
    wrong.write_text(token_path.read_text()[:-3] + "xyz")
    with pytest.raises(CommandError, match="source_refused"):
        call_command("pull_assignments", source=site.url, token_file=str(wrong), year=YEAR)
    assert _figures(need_report(year=YEAR, suppress=False)) == _figures(a_before)
    source = PullSource.objects.get()
    assert source.pulls.get().status == SourcePull.Status.FAILED

    # The right token: A's report is A's facts plus B's.
    call_command("pull_assignments", source=site.url, token_file=str(token_path), year=YEAR)
    err = capsys.readouterr().err
    assert "38 rows, 38 new, 0 changed, 0 unchanged" in err
    assert token_path.read_text() not in err
    after = need_report(year=YEAR, suppress=False)
    assert _figures(after) == _approx(_sum(_figures(a_before), _figures(b_report)))
    assert after["totals"]["requests"] == 17 + 38
    # Each installation's booking 7 is its own request.
    assert set(AssignmentFact.objects.filter(reference="tolk-7")
               .values_list("provider_org_number", "source")) == {
        (MUNICIPAL_ORG, "platform"), (STATE_ORG, "import")}
    pull = source.pulls.get(status=SourcePull.Status.OK)
    assert (pull.rows, pull.added) == (38, 38)
    assert pull.stats_import is not None and pull.stats_import.added == 38
    assert len(pull.sha256) == 64

    # The report says what it is built from.
    sources = after["sources"]
    kinds = {entry["kind"]: entry for entry in sources}
    assert kinds["platform"]["rows"] == 1
    assert kinds["pull"]["name"] == source.name and kinds["pull"]["rows"] == 38
    assert kinds["pull"]["last_status"] == "ok" and kinds["pull"]["last_ok_at"]
    assert kinds["file"]["name"] == "a.csv" and kinds["file"]["rows"] == 16
    assert all(entry["rows"] is None for entry in need_report(year=YEAR)["sources"])

    # Pulling again doubles nothing.
    call_command("pull_assignments", source=site.url, token_file=str(token_path), year=YEAR)
    assert "38 rows, 0 new, 0 changed, 38 unchanged" in capsys.readouterr().err
    assert _figures(need_report(year=YEAR, suppress=False)) == _figures(after)

    # At B a row changes and a booking is reopened (its fact goes). Pulled again, the changed
    # row replaces the old one at A, the vanished one goes, and A is still A + B.
    site.manage("shell", "-c", "from stats.models import AssignmentFact; "
                "AssignmentFact.objects.filter(reference='b-ara-completed-0').update("
                "language='tir'); AssignmentFact.objects.filter(reference='tolk-8').delete()")
    b_now = json.loads(site.manage("need_report", "--year", str(YEAR), "--format", "json",
                                   "--unsuppressed"))
    call_command("pull_assignments", source=site.url, token_file=str(token_path), year=YEAR)
    assert ("37 rows, 0 new, 1 changed, 36 unchanged, 1 no longer at the source removed"
            in capsys.readouterr().err)
    assert AssignmentFact.objects.get(reference="b-ara-completed-0").language == "tir"
    assert not AssignmentFact.objects.filter(reference="tolk-8").exists()
    assert AssignmentFact.objects.count() == 17 + 37
    assert _figures(need_report(year=YEAR, suppress=False)) == _approx(
        _sum(_figures(a_before), _figures(b_now))
    )
    assert source.pulls.order_by("-started_at", "-id").first().removed == 1


@pytest.mark.django_db
def test_configured_source_pulls_with_its_stored_token(
    second: tuple[Installation, Path, dict], capsys: Any
) -> None:
    site, token_path, _report = second
    PullSource.objects.create(name="Vest", url=site.url, token=token_path.read_text())
    call_command("pull_assignments", source="Vest", year=YEAR)
    # B's facts as they are now (the other test of this module changes them).
    assert re.search(r"^Vest 2024: (3[78]) rows, \1 new, 0 changed, 0 unchanged",
                     capsys.readouterr().err)
    assert SourcePull.objects.get().source.name == "Vest"


def test_a_receiver_that_hangs_up_leaves_the_server_able_to_export(
    second: tuple[Installation, Path, dict],
) -> None:
    """Hanging up in the middle of an export ends the query on the server (on PostgreSQL the
    COPY is cancelled); the next exports are whole and match their manifests."""
    import httpx

    site, token_path, _report = second
    headers = {"Authorization": f"Bearer {token_path.read_text()}"}
    for _attempt in range(3):
        with httpx.stream("GET", f"{site.url}/api/v1/stats/facts/", params={"year": 2023},
                          headers=headers, timeout=10) as response:
            assert response.status_code == 200
            first = next(response.iter_raw())
            assert first.startswith(b"provider_org_number,")
            export_id = response.headers["Tolk-Export-Id"]
        manifest = httpx.get(f"{site.url}/api/v1/stats/facts/manifests/{export_id}/",
                             headers=headers, timeout=10).json()
        # Unfinished, unless the server had produced it all before it noticed the hang-up.
        assert manifest["complete"] is False or manifest["rows"] == 6000
    for _attempt in range(2):
        response = httpx.get(f"{site.url}/api/v1/stats/facts/", params={"year": 2023},
                             headers=headers, timeout=30)
        assert response.status_code == 200
        manifest = httpx.get(
            f"{site.url}/api/v1/stats/facts/manifests/{response.headers['Tolk-Export-Id']}/",
            headers=headers, timeout=10,
        ).json()
        assert manifest["complete"] is True and manifest["rows"] == 6000
        assert manifest["sha256"] == hashlib.sha256(response.content).hexdigest()


# --- sources that fail ---------------------------------------------------------------------------

GOOD_ROWS = [fact_row(reference="x1"), fact_row(reference="x2", language="tir")]
GOOD_BODY = csv_bytes(GOOD_ROWS).getvalue()


class _Behaviour:
    body: bytes = GOOD_BODY
    content_type = "text/csv; charset=utf-8"
    declared_length: int | None = None  # a Content-Length larger than the body: a cut-off
    delay = 0.0
    trickle = 0.0  # seconds between the body's bytes
    export_id = "0b7e5a8e-1b1f-4f7e-9a39-5b8a8f3b0c11"
    manifest: dict[str, Any] | None = None


class _Handler(http.server.BaseHTTPRequestHandler):
    behaviour: _Behaviour = _Behaviour()

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        b = self.behaviour
        if self.headers.get("Authorization") != "Bearer good-token":
            self.send_response(401)
            self.end_headers()
            return
        if b.delay:
            time.sleep(b.delay)
        if "/manifests/" in self.path:
            data = json.dumps(b.manifest if b.manifest is not None else {
                "complete": True, "rows": 2, "bytes": len(b.body),
                "sha256": hashlib.sha256(b.body).hexdigest(),
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", b.content_type)
        self.send_header("Tolk-Export-Id", b.export_id)
        self.send_header("Content-Length", str(b.declared_length or len(b.body)))
        self.end_headers()
        if b.trickle:
            try:
                for i in range(len(b.body)):
                    self.wfile.write(b.body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(b.trickle)
            except OSError:
                pass  # the puller gave up
        else:
            self.wfile.write(b.body)
        self.close_connection = True


@pytest.fixture
def fake_source() -> Iterator[tuple[str, _Behaviour]]:
    behaviour = _Behaviour()
    handler = type("Handler", (_Handler,), {"behaviour": behaviour})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", behaviour
    finally:
        server.shutdown()
        server.server_close()


def _state() -> tuple[Any, ...]:
    return (
        sorted(AssignmentFact.objects.values_list("reference", "language", "outcome")),
        StatsImport.objects.count(),
    )


def _truncated(b: _Behaviour) -> None:
    b.declared_length = len(b.body) + 500


def _bad_checksum(b: _Behaviour) -> None:
    b.manifest = {"complete": True, "rows": 2, "bytes": len(b.body), "sha256": "0" * 64}


def _fewer_bytes_than_sent(b: _Behaviour) -> None:
    b.manifest = {"complete": True, "rows": 2, "bytes": len(b.body) + 10,
                  "sha256": hashlib.sha256(b.body).hexdigest()}


def _slow(b: _Behaviour) -> None:
    b.delay = 3.0


def _trickle(b: _Behaviour) -> None:
    b.trickle = 0.1  # every read comes in time; the whole takes 20 s


def _garbage(b: _Behaviour) -> None:
    b.body = b"<html><body>Maintenance</body></html>"
    b.content_type = "text/html"


def _bad_export_id(b: _Behaviour) -> None:
    b.export_id = "../../../admin/"


def _manifest_garbage(b: _Behaviour) -> None:
    b.manifest = {"complete": True, "rows": "many"}


def _unfinished(b: _Behaviour) -> None:
    b.manifest = {"complete": False, "rows": None, "bytes": None, "sha256": ""}


def _wrong_rows(b: _Behaviour) -> None:
    b.manifest = {"complete": True, "rows": 3, "bytes": len(b.body),
                  "sha256": hashlib.sha256(b.body).hexdigest()}


def _invalid_rows(b: _Behaviour) -> None:
    b.body = csv_bytes([*GOOD_ROWS, fact_row(reference="x3", language="zzz")]).getvalue()
    b.manifest = {"complete": True, "rows": 3, "bytes": len(b.body),
                  "sha256": hashlib.sha256(b.body).hexdigest()}


@pytest.mark.django_db
@pytest.mark.parametrize(("break_it", "token", "code"), [
    (None, "wrong-token", "source_refused"),
    (_truncated, "good-token", "export_truncated"),
    (_bad_checksum, "good-token", "checksum_mismatch"),
    (_fewer_bytes_than_sent, "good-token", "export_truncated"),
    (_slow, "good-token", "source_timeout"),
    (_trickle, "good-token", "source_timeout"),
    (_garbage, "good-token", "invalid_export"),
    (_bad_export_id, "good-token", "invalid_export"),
    (_manifest_garbage, "good-token", "invalid_manifest"),
    (_unfinished, "good-token", "export_incomplete"),
    (_wrong_rows, "good-token", "row_count_mismatch"),
    (_invalid_rows, "good-token", "invalid_export"),
])
def test_a_failing_source_changes_nothing_and_a_retry_works(
    fake_source: tuple[str, _Behaviour], break_it: Any, token: str, code: str
) -> None:
    url, behaviour = fake_source
    assert assignments_import(stream=csv_bytes([fact_row(reference="mine")]),
                              file_name="own.csv", today=TODAY).ok
    before = _state()
    if break_it is not None:
        break_it(behaviour)
    source = source_for(source=url)
    with pytest.raises(PullFailed) as failure:
        source_pull(source=source, year=YEAR, token=token, timeout=1.0, max_seconds=2.0)
    assert failure.value.code == code
    assert token not in failure.value.message_en and token not in failure.value.message_nb
    assert _state() == before
    record = SourcePull.objects.get()
    assert (record.status, record.code) == ("failed", code)
    assert token not in record.message

    # The source is fixed: the next pull imports.
    handler_defaults = _Behaviour()
    for name in ("body", "content_type", "declared_length", "delay", "trickle", "export_id",
                 "manifest"):
        setattr(behaviour, name, getattr(handler_defaults, name))
    result = source_pull(source=source, year=YEAR, token="good-token", timeout=1.0)
    assert (result.rows, result.added) == (2, 2)
    assert AssignmentFact.objects.count() == 3


@pytest.mark.django_db
def test_command_fails_with_a_reason_and_a_non_zero_exit(
    fake_source: tuple[str, _Behaviour], tmp_path: Path
) -> None:
    url, behaviour = fake_source
    _bad_checksum(behaviour)
    token = tmp_path / "token"
    token.write_text("good-token\n")
    with pytest.raises(CommandError) as failure:
        call_command("pull_assignments", source=url, token_file=str(token), year=YEAR)
    assert "checksum_mismatch" in str(failure.value)
    assert "Nothing was changed" in str(failure.value)
    assert "good-token" not in str(failure.value)
    with pytest.raises(CommandError, match="unknown_source"):
        call_command("pull_assignments", source="Ukjent", token_file=str(token), year=YEAR)
    with pytest.raises(CommandError, match="no such file|cannot read"):
        call_command("pull_assignments", source=url, token_file=str(tmp_path / "nope"),
                     year=YEAR)
    with pytest.raises(CommandError, match="--year"):
        call_command("pull_assignments", source=url, token_file=str(token), year=1990)
    assert AssignmentFact.objects.count() == 0


@pytest.mark.django_db
def test_unreachable_source(tmp_path: Path) -> None:
    from tests.stats.installation import free_port

    source = source_for(source=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(PullFailed) as failure:
        source_pull(source=source, year=YEAR, token="t", timeout=1.0)
    assert failure.value.code == "source_unreachable"

