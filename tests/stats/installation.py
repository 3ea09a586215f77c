"""A second Tolk installation for the pull tests: its own database (a SQLite file, or with
PostgreSQL `<name>_second` next to DATABASE_URL's database), migrated, given facts by a script,
and served by uvicorn on a free port, as `tests/browser/conftest.py` serves the browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url(tmp: Path, suffix: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / f'{suffix}.sqlite3'}"
    import psycopg

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/') or 'tolk'}_{suffix}"
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")),
                         autocommit=True) as conn:
        name = parsed.path.lstrip("/")
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@dataclass
class Installation:
    url: str
    env: dict[str, str]
    pid: int = 0

    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
            text=True, timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start within 60 s:\n{log.read_text()}")


@contextmanager
def installation(tmp: Path, *, suffix: str = "second", setup: str = "",
                 database: str | None = None, settings: str = "tolk.settings.test",
                 extra_env: dict[str, str] | None = None) -> Iterator[Installation]:
    """Migrate a database of its own, run `setup` (Python for `manage.py shell -c`) and serve it.
    `database` reuses an existing, already prepared database instead."""
    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # the export needs no channel layer
    made = database is None
    env.update(
        DATABASE_URL=database or database_url(tmp, suffix),
        DJANGO_SETTINGS_MODULE=settings,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
        **(extra_env or {}),
    )
    port = free_port()
    site = Installation(url=f"http://127.0.0.1:{port}", env=env)
    if made:
        site.manage("migrate", "--noinput", "-v0")
    if setup:
        site.manage("shell", "-c", setup)
    log = tmp / f"{suffix}-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "uvicorn", "tolk.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--lifespan", "on", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    site.pid = process.pid
    try:
        _wait_until_up(f"{site.url}/login/", process, log)
        yield site
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if made:
            drop_database(env["DATABASE_URL"])
