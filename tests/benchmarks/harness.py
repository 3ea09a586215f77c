"""A real Tolk server for benchmarks: N uvicorn worker processes on a free port, PostgreSQL and the
Redis channel layer, a prepared database with users and API tokens, and many `websockets` clients.

Used by `tests/benchmarks/test_ws_offers.py` and the load benchmarks. Everything runs on this
machine (127.0.0.1) and stops by itself.

    with BenchDatabase.fresh("tolk_bench") as db:
        world = db.populate(interpreters=500, language="ara")
        with Server(db, workers=2, redis_url="redis://127.0.0.1:6379/5") as server:
            clients = asyncio.run(...)   # see InterpreterClients

Environment: TOLK_BENCH_DATABASE_URL (a PostgreSQL server URL; the database name in it is replaced),
TOLK_BENCH_REDIS_URL. The database is dropped and created again: use a name of your own.

`python -m tests.benchmarks.harness populate --interpreters N --language L` is what `populate`
runs in a child process with the benchmark database configured; it prints the world as JSON."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/3"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": max(ms) if ms else float("nan"),
        "mean": statistics.fmean(ms) if ms else float("nan"),
    }


def format_summary(name: str, s: dict[str, float]) -> str:
    return (
        f"{name}: n={s['n']} p50={s['p50']:.1f} ms p95={s['p95']:.1f} ms "
        f"p99={s['p99']:.1f} ms max={s['max']:.1f} ms mean={s['mean']:.1f} ms"
    )


def _with_db_name(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{name}"))


def services_available(pg_url: str, redis_url: str) -> str | None:
    """None if PostgreSQL and Redis answer, else what is missing."""
    for url, default_port in ((pg_url, 5432), (redis_url, 6379)):
        parsed = urlparse(url)
        try:
            with socket.create_connection((parsed.hostname or "127.0.0.1",
                                           parsed.port or default_port), 2):
                pass
        except OSError:
            return f"{url} is not reachable"
    return None


@dataclass
class World:
    """What `populate` made: API tokens of the booker and coordinator, and of each interpreter."""

    booker_token: str
    coordinator_token: str
    provider_org_number: str
    language: str
    platform: str
    interpreters: list[dict[str, Any]]  # {"user_id", "interpreter_id", "token"}


@dataclass
class BenchDatabase:
    url: str

    @classmethod
    @contextlib.contextmanager
    def fresh(cls, name: str, *, server_url: str | None = None) -> Iterator[BenchDatabase]:
        """Drop and create database `name`, migrate it, and drop it again afterwards."""
        import psycopg

        server_url = server_url or os.environ.get("TOLK_BENCH_DATABASE_URL", DEFAULT_PG)
        admin_url = _with_db_name(server_url, "postgres")
        db = cls(url=_with_db_name(server_url, name))

        def drop() -> None:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        drop()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        started = time.perf_counter()
        db.manage("migrate", "--noinput", "-v0")
        log(f"database {name} migrated in {time.perf_counter() - started:.1f} s")
        try:
            yield db
        finally:
            drop()

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update({"DATABASE_URL": self.url, "PYTHONPATH": str(ROOT),
                    "DJANGO_SETTINGS_MODULE": "tolk.settings.test"})
        env.update(extra)
        return env

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True,
            text=True, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def populate(self, *, interpreters: int, language: str = "ara") -> World:
        started = time.perf_counter()
        result = subprocess.run(
            [PYTHON, "-m", "tests.benchmarks.harness", "populate",
             "--interpreters", str(interpreters), "--language", language],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"populate failed:\n{result.stderr[-3000:]}")
        world = World(**json.loads(result.stdout))
        log(f"{interpreters} interpreters with tokens created in "
            f"{time.perf_counter() - started:.1f} s")
        return world


class Server:
    """`uvicorn tolk.asgi:application --workers N` on a free port, lifespan on (each worker runs
    its outbox relay), against the given database and Redis."""

    def __init__(self, db: BenchDatabase, *, workers: int = 2, redis_url: str | None = None,
                 settings: str = "tolk.settings.local", extra_env: dict[str, str] | None = None,
                 job_processes: int = 0) -> None:
        self.db = db
        self.workers = workers
        self.redis_url = redis_url or os.environ.get("TOLK_BENCH_REDIS_URL", DEFAULT_REDIS)
        self.settings = settings
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # `manage.py run_jobs` processes beside the web workers, as in production: they relay
        # the outbox with an interpreter lock of their own.
        self.job_processes = job_processes
        self.jobs: list[subprocess.Popen[bytes]] = []

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()
        env = self.db.env(REDIS_URL=self.redis_url, DJANGO_SETTINGS_MODULE=self.settings,
                          DJANGO_LOG_LEVEL="WARNING", **self.extra_env)
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "uvicorn"), "tolk.asgi:application",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
             "--lifespan", "on", "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True,
        )
        for _ in range(self.job_processes):
            self.jobs.append(subprocess.Popen(
                [PYTHON, "manage.py", "run_jobs", "--interval", "0.2"],
                cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
            ))
        self._wait_ready()
        log(f"server: {self.workers} uvicorn workers on {self.http}"
            + (f", {self.job_processes} run_jobs" if self.job_processes else ""))
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        ready = 0
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.http}/api/v1/rules/", timeout=2).status_code < 500:
                    ready += 1
                    # Both workers answer once several requests in a row succeed.
                    if ready >= self.workers * 3:
                        return
                    continue
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("uvicorn did not become ready")

    def __exit__(self, *exc: object) -> None:
        for job in self.jobs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(job.pid, signal.SIGTERM)
            try:
                job.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(job.pid, signal.SIGKILL)
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@dataclass
class Received:
    at: float  # perf_counter clock, comparable with `timed`
    wall: float  # time.time(), comparable with an event's created_at
    message: dict[str, Any]


@dataclass
class InterpreterClient:
    interpreter_id: int
    connection: Any
    on_message: Callable[[InterpreterClient, Received], None] | None = None
    received: list[Received] = field(default_factory=list)
    waiters: list[tuple[Callable[[dict[str, Any]], bool], asyncio.Future[Received]]] = field(
        default_factory=list
    )

    def expect(self, predicate: Callable[[dict[str, Any]], bool]) -> asyncio.Future[Received]:
        """A future resolved with the first message (already received or next) matching."""
        future: asyncio.Future[Received] = asyncio.get_running_loop().create_future()
        for item in self.received:
            if predicate(item.message):
                future.set_result(item)
                return future
        self.waiters.append((predicate, future))
        return future

    async def read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.connection:
                at, wall = time.perf_counter(), time.time()
                item = Received(at=at, wall=wall, message=json.loads(raw))
                self.received.append(item)
                if self.on_message is not None:
                    self.on_message(self, item)
                for waiter in list(self.waiters):
                    predicate, future = waiter
                    if not future.done() and predicate(item.message):
                        future.set_result(item)
                        self.waiters.remove(waiter)


async def http_json(client: Any, method: str, url: str, *, token: str,
                    body: dict[str, Any] | None = None) -> tuple[int, Any]:
    response = await client.request(method, url, json=body,
                                    headers={"Authorization": f"Token {token}"})
    return response.status_code, response.json()


async def open_interpreter_clients(
    server: Server, world: World, *, concurrency: int = 50, path: str = "/ws/interpreter/",
    on_message: Callable[[InterpreterClient, Received], None] | None = None,
) -> list[InterpreterClient]:
    """One websocket per interpreter, each opened with its own one-time ticket. `on_message` is
    called for every message as it is read (with its perf_counter arrival time)."""
    import httpx
    import websockets

    semaphore = asyncio.Semaphore(concurrency)
    clients: list[InterpreterClient] = []

    async with httpx.AsyncClient(base_url=server.http, timeout=30) as http:

        async def one(entry: dict[str, Any]) -> None:
            async with semaphore:
                status, body = await http_json(http, "POST", "/api/v1/auth/ws-ticket/",
                                               token=entry["token"])
                if status != 201:
                    raise RuntimeError(f"ws-ticket: {status} {body}")
                connection = await websockets.connect(
                    f"{server.ws}{path}?ticket={body['ticket']}",
                    origin=server.http, max_queue=None, open_timeout=30,
                )
                client = InterpreterClient(interpreter_id=entry["interpreter_id"],
                                           connection=connection, on_message=on_message)
                client.reader = asyncio.create_task(client.read())  # type: ignore[attr-defined]
                clients.append(client)

        await asyncio.gather(*(one(entry) for entry in world.interpreters))
    return clients


async def close_clients(clients: list[InterpreterClient]) -> None:
    await asyncio.gather(*(c.connection.close() for c in clients), return_exceptions=True)


async def timed(call: Awaitable[Any]) -> tuple[float, float, Any]:
    """Run `call`; return (started, returned, result) on the perf_counter clock."""
    started = time.perf_counter()
    result = await call
    return started, time.perf_counter(), result


# -- populate (runs in a child process with Django configured) ------------------------------------

def _populate(interpreters: int, language: str) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import transaction

    from tests import factories
    from tests.booking.booking_helpers import world

    with transaction.atomic():
        w = world()
        platform = w.customer.guidelines.order_by("-version").first().remote_platforms[0]
        entries = []
        for _ in range(interpreters):
            interpreter = factories.InterpreterFactory()
            factories.QualificationFactory(interpreter=interpreter, language=language,
                                           category="A")
            user = factories.InterpreterUserFactory(interpreter=interpreter,
                                                    password="!unusable")  # noqa: S106
            entries.append((user, interpreter))
        tokens = factories.api_tokens([user for user, _ in entries] + [w.booker, w.coordinator])
    return {
        "booker_token": tokens[w.booker.pk],
        "coordinator_token": tokens[w.coordinator.pk],
        "provider_org_number": w.provider.org_number,
        "language": language,
        "platform": platform,
        "interpreters": [
            {"user_id": user.pk, "interpreter_id": interpreter.pk, "token": tokens[user.pk]}
            for user, interpreter in entries
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark harness helpers.")
    sub = parser.add_subparsers(dest="command", required=True)
    populate = sub.add_parser("populate", help="Create a world and interpreters; print JSON.")
    populate.add_argument("--interpreters", type=int, required=True)
    populate.add_argument("--language", default="ara")
    args = parser.parse_args(argv)
    if args.command == "populate":
        print(json.dumps(_populate(args.interpreters, args.language)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
