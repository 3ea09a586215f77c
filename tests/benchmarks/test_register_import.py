"""Benchmark: a 10,000-row register file imported into a SQLite file database with
`manage.py import_register` (goal: under 10 s), then imported again (idempotent, nothing changes).

Run: make bench PYTEST_ARGS=-k register_import
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from booking.demo import register_csv

ROWS = 10_000


def _manage(*args: str, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True,
        check=True, cwd=Path(__file__).resolve().parents[2],
    )
    return time.perf_counter() - started, done.stdout


def test_register_import_10000_rows_sqlite(tmp_path: Path) -> None:
    lines = register_csv(count=9_000, today=dt.date(2026, 11, 23)).splitlines()
    assert len(lines) > ROWS
    csv_path = tmp_path / "register.csv"
    csv_path.write_text("\n".join(lines[: ROWS + 1]) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tolk.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
    }
    _manage("migrate", "--noinput", "-v0", env=env)
    first, out = _manage("import_register", str(csv_path), "--json", env=env)
    report = json.loads(out)
    second, out2 = _manage("import_register", str(csv_path), "--json", env=env)
    again = json.loads(out2)
    print(
        f"\nregister import, {ROWS} rows, SQLite file: first import {first:.2f} s "
        f"({report['added']} added), re-import {second:.2f} s ({again['unchanged']} unchanged, "
        f"{again['changed']} changed); goal < 10 s"
    )
    assert report["added"] == ROWS
    assert again["unchanged"] == ROWS and again["changed"] == 0
