"""Export and pull of a national year: 800,000 facts served by one installation (one uvicorn
worker, PostgreSQL) and pulled by another with `manage.py pull_assignments`.

    TOLK_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
    TOLK_BENCH_REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/pytest tests/benchmarks/test_fact_exchange.py -s -p no:randomly

Uses the databases `<name>` and `<name>_pull` (the name from TOLK_BENCH_DATABASE_URL), dropped
and created again. Prints, for each side, the time and the peak memory: the serving process's
peak resident memory (VmHWM) before and after, and the pulling command's maximum RSS. Both must
stay far below the size of the body, which is never held whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.benchmarks.harness import (
    PYTHON,
    ROOT,
    BenchDatabase,
    Server,
    services_available,
)

YEAR = 2024
ROWS = int(os.environ.get("TOLK_BENCH_ROWS", "800000"))
PG = os.environ.get("TOLK_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
REDIS = os.environ.get("TOLK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
NAME = urlparse(PG).path.lstrip("/") or "bench"

pytestmark = pytest.mark.timeout(1800)


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def _run(db: BenchDatabase, *args: str) -> tuple[float, float, str]:
    """A manage.py command: (seconds, max RSS in MB, stderr)."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [PYTHON, "manage.py", *args], cwd=ROOT, env=db.env(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stdout = process.stdout.read().decode() if process.stdout else ""
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, f"manage.py {args[0]} failed:\n{stderr[-3000:]}"
    return seconds, usage.ru_maxrss / 1024, stderr + stdout


def _report(db: BenchDatabase) -> dict:
    report = json.loads(db.manage("need_report", "--year", str(YEAR), "--format", "json",
                                  "--unsuppressed"))
    report.pop("sources", None)
    return report


def test_export_and_pull_a_national_year(tmp_path: Path) -> None:
    missing = services_available(PG, REDIS)
    if missing:
        pytest.skip(missing)
    from stats.demo import write_national_csv

    path = tmp_path / f"national-{YEAR}.csv"
    write_national_csv(path, year=YEAR, rows=ROWS)
    with BenchDatabase.fresh(NAME, server_url=PG) as source:
        seconds, import_rss, _out = _run(source, "import_assignments", str(path))
        print(f"\nsource: {ROWS:,} facts imported with import_assignments in {seconds:.1f} s, "
              f"command max RSS {import_rss:.0f} MB (for comparison with the pull)")
        token = source.manage("export_clients", "create", "bench").strip()
        token_file = tmp_path / "token"
        token_file.write_text(token)
        with Server(source, workers=1, redis_url=REDIS, settings="tolk.settings.test") as server:
            assert server.process is not None
            pid = server.process.pid
            import httpx

            baseline_kb = _status_kb(pid, "VmHWM")
            started = time.perf_counter()
            digest, size = hashlib.sha256(), 0
            with httpx.stream("GET", f"{server.http}/api/v1/stats/facts/",
                              params={"year": YEAR, "format": "csv"},
                              headers={"Authorization": f"Bearer {token}"},
                              timeout=60) as response:
                assert response.status_code == 200
                export_id = response.headers["Tolk-Export-Id"]
                first_byte = time.perf_counter() - started
                for piece in response.iter_bytes():
                    digest.update(piece)
                    size += len(piece)
            export_seconds = time.perf_counter() - started
            manifest = httpx.get(
                f"{server.http}/api/v1/stats/facts/manifests/{export_id}/",
                headers={"Authorization": f"Bearer {token}"}, timeout=10,
            ).json()
            assert manifest["rows"] == ROWS and manifest["sha256"] == digest.hexdigest()
            export_peak_kb = _status_kb(pid, "VmHWM")
            print(f"export: {ROWS:,} facts, {size / 1e6:.0f} MB in {export_seconds:.1f} s "
                  f"({ROWS / export_seconds:,.0f} rows/s, first byte after {first_byte:.2f} s); "
                  f"server peak RSS {baseline_kb / 1024:.0f} -> {export_peak_kb / 1024:.0f} MB")

            with BenchDatabase.fresh(f"{NAME}_pull", server_url=PG) as puller:
                args = ("pull_assignments", "--source", server.http, "--token-file",
                        str(token_file), "--year", str(YEAR), "--timeout", "120")
                pull_seconds, pull_rss, out = _run(puller, *args)
                summary = out.strip().splitlines()[-1]
                server_peak_kb = _status_kb(pid, "VmHWM")
                print(f"pull: {pull_seconds:.1f} s ({ROWS / pull_seconds:,.0f} rows/s), "
                      f"command max RSS {pull_rss:.0f} MB; server peak RSS "
                      f"{server_peak_kb / 1024:.0f} MB; {summary}")
                again_seconds, again_rss, again = _run(puller, *args)
                print(f"pull again (nothing changed): {again_seconds:.1f} s, command max RSS "
                      f"{again_rss:.0f} MB; {again.strip().splitlines()[-1]}")
                assert f"{ROWS:,} rows, {ROWS:,} new" in summary
                assert f"0 new, 0 changed, {ROWS:,} unchanged" in again
                started = time.perf_counter()
                assert _report(puller) == _report(source)
                print(f"the two installations' reports are identical "
                      f"(compared in {time.perf_counter() - started:.1f} s)")
    # The server never holds the body (about 70 MB for 800,000 rows): its peak grows by less
    # than the body (a few tens of MB of query chunks and interpreter, whatever the size).
    assert (export_peak_kb - baseline_kb) * 1024 < max(size * 0.6, 48e6)
