"""Load benchmark: 50 bookers and 500 interpreters for 60 s against two uvicorn worker processes,
PostgreSQL and the Redis channel layer, with real HTTP and websocket clients; the server runs with
the production settings.

Each booker (own API token, own websocket on /ws/bookings/) books over and over: POST a booking,
the provider's coordinator sends an offer wave of 5 (POST /bookings/{id}/offers/), the booker
reads its booking list, pauses (0–2 s, TOLK_LOAD_THINK=1.0 mean; 0 = as fast as possible).
Every interpreter is connected on /ws/interpreter/; when an offer arrives
it thinks 50–400 ms and accepts (60 %) or declines (20 %) over HTTP, or lets it lie.

Reported: throughput, p50/p95/p99 latency per operation, status codes, errors (5xx, transport
failures, unexpected answers). Then the database is checked: no overlapping assignments, no
booking with two interpreters, every accepted offer has exactly one assignment, every outbox event
dispatched, and every event of a connected client received by that client.

    .venv/bin/pytest tests/benchmarks/test_load.py -s -p no:randomly

Needs PostgreSQL and Redis (TOLK_BENCH_DATABASE_URL, TOLK_BENCH_REDIS_URL; defaults on
127.0.0.1). Uses the database `tolk_hardening_load` (dropped and created again) and Redis db 5.
TOLK_LOAD_SECONDS, TOLK_LOAD_BOOKERS, TOLK_LOAD_INTERPRETERS change the scenario."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import json
import os
import random
import secrets
import subprocess
import sys
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.benchmarks.harness import (
    DEFAULT_PG,
    PYTHON,
    ROOT,
    BenchDatabase,
    InterpreterClient,
    Received,
    Server,
    World,
    close_clients,
    format_summary,
    log,
    open_interpreter_clients,
    services_available,
    summary_ms,
)

SECONDS = float(os.environ.get("TOLK_LOAD_SECONDS", "60"))
BOOKERS = int(os.environ.get("TOLK_LOAD_BOOKERS", "50"))
INTERPRETERS = int(os.environ.get("TOLK_LOAD_INTERPRETERS", "500"))
# A booker's pause between two bookings (mean, seconds): people, not a tight loop.
THINK = float(os.environ.get("TOLK_LOAD_THINK", "1.0"))
CUSTOMERS = 5
# `run_jobs` processes beside the web workers (production: one); 0 leaves the relaying to the
# web workers alone.
JOB_PROCESSES = int(os.environ.get("TOLK_LOAD_JOB_PROCESSES", "1"))
WAVE = 5
REDIS_URL = os.environ.get("TOLK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
OSLO = ZoneInfo("Europe/Oslo")


# -- the world (built in a child process with Django configured) ----------------------------------

def populate(bookers: int, interpreters: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import transaction

    from tests import factories

    with transaction.atomic():
        provider = factories.ProviderFactory(name="Tolketjenesten Oslo kommune")
        coordinator = factories.CoordinatorFactory(organisation=provider)
        customers, units = [], []
        for n in range(CUSTOMERS):
            customer = factories.OrganisationFactory(name=f"Kommune {n}")
            factories.ProviderAgreementFactory(customer=customer, provider=provider)
            guideline = factories.GuidelineFactory(organisation=customer, version=1)
            customers.append(customer)
            units.append(factories.UnitFactory(organisation=customer))
        booker_users = [
            factories.BookerFactory(unit=units[n % CUSTOMERS],
                                    organisation=customers[n % CUSTOMERS])
            for n in range(bookers)
        ]
        interpreter_users = []
        for n in range(interpreters):
            interpreter = factories.InterpreterFactory()
            factories.QualificationFactory(interpreter=interpreter, language="ara",
                                           category="ABCDE"[n % 5])
            interpreter_users.append(factories.InterpreterUserFactory(interpreter=interpreter))
        users = [coordinator, *booker_users, *interpreter_users]
        keys = factories.api_tokens(users)
    return {
        "coordinator_token": keys[coordinator.pk],
        "platform": guideline.remote_platforms[0],
        "bookers": [{"user_id": u.pk, "organisation_id": u.organisation_id,
                     "token": keys[u.pk]} for u in booker_users],
        "interpreters": [{"user_id": u.pk, "interpreter_id": u.interpreter_id,
                          "token": keys[u.pk]} for u in interpreter_users],
    }


def _populate_in_child(db: BenchDatabase) -> dict[str, Any]:
    code = (
        "import json, sys; from tests.benchmarks.test_load import populate; "
        f"print(json.dumps(populate({BOOKERS}, {INTERPRETERS})))"
    )
    result = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=db.env(), capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"populate failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- the clients ----------------------------------------------------------------------------------

class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.status: dict[str, collections.Counter[int]] = collections.defaultdict(
            collections.Counter
        )
        self.errors: list[str] = []
        self.offer_delivery: list[float] = []

    async def call(self, http: Any, op: str, method: str, url: str, token: str,
                   body: dict[str, Any] | None = None, expected: tuple[int, ...] = (200, 201)
                   ) -> tuple[int, Any]:
        started = time.perf_counter()
        try:
            response = await http.request(method, url, json=body,
                                          headers={"Authorization": f"Token {token}"})
        except Exception as exc:  # noqa: BLE001 - every transport failure is counted
            self.errors.append(f"{op}: {type(exc).__name__}: {exc}")
            return 0, None
        self.latency[op].append(time.perf_counter() - started)
        self.status[op][response.status_code] += 1
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 500 or response.status_code not in expected:
            self.errors.append(f"{op}: {response.status_code} {str(data)[:200]}")
        return response.status_code, data


def booking_body(platform: str, rng: random.Random) -> dict[str, Any]:
    day = rng.randint(1, 120)
    start = (dt.datetime.now(tz=OSLO) + dt.timedelta(days=day)).replace(
        hour=rng.randint(8, 15), minute=rng.choice((0, 30)), second=0, microsecond=0
    )
    return {
        "language": "ara", "modality": "video", "platform": platform,
        "start": start.isoformat(), "end": (start + dt.timedelta(hours=1)).isoformat(),
        "sector": "welfare", "duty_basis": "necessary",
        "assessment_note": "Samtale om arbeidsavklaring; språkbehov vurdert.",
        "topic_notes": "Arbeid og velferd.",
    }


async def run_load(server: Server, world: dict[str, Any]) -> dict[str, Any]:
    import httpx

    stats = Stats()
    rng = random.Random(2026)  # noqa: S311 - load pattern, not secrets
    # Idle connections are dropped before uvicorn's 5 s keep-alive ends, so a request never goes
    # out on a connection the server is closing at that moment.
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400, keepalive_expiry=2)
    async with httpx.AsyncClient(base_url=server.http, timeout=30, limits=limits) as http:
        pending: set[asyncio.Task[Any]] = set()
        stop_at = [float("inf")]
        token_by_interpreter = {e["interpreter_id"]: e["token"] for e in world["interpreters"]}
        offer_sent_at: dict[int, float] = {}

        async def respond(client: InterpreterClient, offer_id: int) -> None:
            await asyncio.sleep(rng.uniform(0.05, 0.4))
            if time.perf_counter() > stop_at[0]:
                return
            token = token_by_interpreter[client.interpreter_id]
            choice = rng.random()
            if choice < 0.6:
                # 409: someone else was first; 400/404: withdrawn or expired meanwhile.
                await stats.call(http, "offer_accept", "POST",
                                 f"/api/v1/offers/{offer_id}/accept/", token,
                                 {"impartial": True, "confidentiality": True},
                                 expected=(201, 200, 400, 404, 409))
            elif choice < 0.8:
                await stats.call(http, "offer_decline", "POST",
                                 f"/api/v1/offers/{offer_id}/decline/", token,
                                 {"reason": "Opptatt."}, expected=(200, 400, 404, 409))

        def on_offer(client: InterpreterClient, item: Received) -> None:
            message = item.message
            if message.get("type") != "offer.created":
                return
            booking_id = message["payload"].get("booking_id")
            if booking_id in offer_sent_at:
                stats.offer_delivery.append(item.at - offer_sent_at[booking_id])
            task = asyncio.create_task(respond(client, message["payload"]["offer_id"]))
            pending.add(task)
            task.add_done_callback(pending.discard)

        started = time.perf_counter()
        interpreter_world = World(
            booker_token="", coordinator_token=world["coordinator_token"],
            provider_org_number="", language="ara", platform=world["platform"],
            interpreters=world["interpreters"],
        )
        interpreters = await open_interpreter_clients(server, interpreter_world,
                                                      on_message=on_offer)
        booker_world = World(
            booker_token="", coordinator_token="", provider_org_number="", language="ara",
            platform="", interpreters=[{"interpreter_id": b["user_id"], "token": b["token"]}
                                       for b in world["bookers"]],
        )
        bookers = await open_interpreter_clients(server, booker_world, path="/ws/bookings/")
        log(f"{len(interpreters)} interpreter and {len(bookers)} booker sockets open in "
            f"{time.perf_counter() - started:.1f} s")

        async def booker(entry: dict[str, Any]) -> None:
            local = random.Random(entry["user_id"])  # noqa: S311
            while time.perf_counter() < stop_at[0]:
                status, data = await stats.call(
                    http, "booking_create", "POST", "/api/v1/bookings/", entry["token"],
                    booking_body(world["platform"], local), expected=(201,),
                )
                if status != 201:
                    continue
                # Offer delivery is timed from the moment the coordinator's call starts.
                offer_sent_at[data["id"]] = time.perf_counter()
                status, _ = await stats.call(
                    http, "offers_wave", "POST", f"/api/v1/bookings/{data['id']}/offers/",
                    world["coordinator_token"], {"limit": WAVE}, expected=(201, 200, 400, 409),
                )
                await stats.call(http, "booking_list", "GET", "/api/v1/bookings/?page_size=20",
                                 entry["token"], expected=(200,))
                await asyncio.sleep(local.uniform(0, 2 * THINK))

        load_started = time.perf_counter()
        # How late this process's own event loop runs: the clients share it, so a message can
        # wait here too before it counts as received.
        loop_lag: list[float] = []

        async def ticker() -> None:
            while True:
                before = time.perf_counter()
                await asyncio.sleep(0.1)
                loop_lag.append(time.perf_counter() - before - 0.1)

        ticking = asyncio.create_task(ticker())
        stop_at[0] = load_started + SECONDS
        await asyncio.gather(*(booker(b) for b in world["bookers"]))
        while pending:
            await asyncio.gather(*list(pending), return_exceptions=True)
        elapsed = time.perf_counter() - load_started
        # Let the relays send what the last transactions wrote before the sockets close: wait
        # until nothing has arrived for 3 s (at most 30 s).
        quiet_since, seen = time.perf_counter(), -1
        while time.perf_counter() - quiet_since < 3 and time.perf_counter() - elapsed \
                - load_started < 30:
            count = sum(len(c.received) for c in interpreters + bookers)
            if count != seen:
                quiet_since, seen = time.perf_counter(), count
            await asyncio.sleep(0.5)
        dropped = collections.Counter(
            f"{c.connection.close_code} {c.connection.close_reason}"[:80]
            for c in interpreters + bookers if c.connection.close_code is not None
        )
        if dropped:
            log(f"sockets closed by the server or the network before the end: {dict(dropped)}")
        ticking.cancel()
        await close_clients(interpreters + bookers)
    return {"stats": stats, "elapsed": elapsed, "interpreters": interpreters, "bookers": bookers,
            "client_loop_lag": loop_lag}


# -- the invariants -------------------------------------------------------------------------------

INVARIANTS = {
    "overlapping assignments": """
        SELECT count(*) FROM booking_assignment a JOIN booking_assignment b
          ON a.interpreter_id = b.interpreter_id AND a.id < b.id
         AND a.status IN ('active', 'completed') AND b.status IN ('active', 'completed')
         AND tstzrange(a.blocked_start, a.blocked_end, '[)')
             && tstzrange(b.blocked_start, b.blocked_end, '[)')""",
    "bookings with two interpreters": """
        SELECT count(*) FROM (SELECT booking_id FROM booking_assignment
         WHERE status IN ('active', 'completed') GROUP BY booking_id HAVING count(*) > 1) x""",
    "accepted offers without exactly one assignment": """
        SELECT count(*) FROM booking_offer o
         WHERE o.status = 'accepted'
           AND (SELECT count(*) FROM booking_assignment a WHERE a.offer_id = o.id
                AND a.booking_id = o.booking_id AND a.interpreter_id = o.interpreter_id) <> 1""",
    "assigned bookings without an active assignment": """
        SELECT count(*) FROM booking_booking b WHERE b.status = 'assigned'
           AND NOT EXISTS (SELECT 1 FROM booking_assignment a WHERE a.booking_id = b.id
                           AND a.status = 'active')""",
    "events never dispatched": "SELECT count(*) FROM booking_event WHERE dispatched_at IS NULL",
}


def check_invariants(db: BenchDatabase, result: dict[str, Any]) -> dict[str, int]:
    import psycopg

    with psycopg.connect(db.url, autocommit=True) as conn:
        # The relays may still be sending the last events; give them a few seconds.
        for _ in range(50):
            left = conn.execute(INVARIANTS["events never dispatched"]).fetchone()[0]
            if not left:
                break
            time.sleep(0.2)
        found = {name: conn.execute(sql).fetchone()[0] for name, sql in INVARIANTS.items()}
        per_interpreter: dict[int, set[int]] = collections.defaultdict(set)
        for event_id, interpreter_id in conn.execute(
            "SELECT id, interpreter_id FROM booking_event WHERE interpreter_id IS NOT NULL"
        ):
            per_interpreter[interpreter_id].add(event_id)
        per_org: dict[int, set[int]] = collections.defaultdict(set)
        for event_id, organisation_id in conn.execute(
            "SELECT id, organisation_id FROM booking_event WHERE organisation_id IS NOT NULL"
        ):
            per_org[organisation_id].add(event_id)
        # Where delivery time goes: from the event row's commit-time stamp to the relay marking
        # it sent (outbox lag), per kind.
        result["outbox_lag"] = conn.execute(
            """SELECT kind, count(*), percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP
                      (ORDER BY extract(epoch FROM dispatched_at - created_at) * 1000)
                 FROM booking_event WHERE dispatched_at IS NOT NULL GROUP BY kind ORDER BY kind"""
        ).fetchall()
        sent_out = dict(conn.execute(
            "SELECT id, extract(epoch FROM dispatched_at) FROM booking_event"
            " WHERE dispatched_at IS NOT NULL"
        ).fetchall())
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM booking_booking), (SELECT count(*) FROM booking_offer),"
            " (SELECT count(*) FROM booking_assignment),"
            " (SELECT count(*) FROM booking_event)"
        ).fetchone()
    missed_ids: list[int] = []
    for client in result["interpreters"]:
        got = {r.message.get("id") for r in client.received}
        missed_ids += per_interpreter.get(client.interpreter_id, set()) - got
    org_of = {b["user_id"]: b["organisation_id"] for b in result["world"]["bookers"]}
    for client in result["bookers"]:
        got = {r.message.get("id") for r in client.received}
        missed_ids += per_org.get(org_of[client.interpreter_id], set()) - got
    found["events not received by their connected client"] = len(missed_ids)
    # From the relay handing an event to the channel layer to the client's socket. Events that
    # took longer than the settle time most likely came by the consumers' catch-up.
    from booking.realtime import consumers

    lags = [
        r.wall - float(sent_out[r.message["id"]])
        for c in result["interpreters"] + result["bookers"] for r in c.received
        if r.message.get("id") in sent_out
    ]
    result["socket_lag"] = lags
    result["caught_up"] = sum(1 for lag in lags if lag > consumers.SETTLE_SECONDS)
    if missed_ids:
        with psycopg.connect(db.url, autocommit=True) as conn:
            kinds = conn.execute(
                "SELECT kind, interpreter_id IS NOT NULL, count(*) FROM booking_event "
                "WHERE id = ANY(%s) GROUP BY 1, 2", (missed_ids,),
            ).fetchall()
        log(f"not received, by kind and audience (interpreter?): {kinds}")
    log(f"database: {counts[0]} bookings, {counts[1]} offers, {counts[2]} assignments, "
        f"{counts[3]} events")
    return found


# -- the benchmark --------------------------------------------------------------------------------

def test_load_50_bookers_500_interpreters() -> None:
    pg = os.environ.get("TOLK_BENCH_DATABASE_URL", DEFAULT_PG)
    missing = services_available(pg, REDIS_URL)
    if missing:
        if os.environ.get("TOLK_REQUIRE_SERVICES") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    with BenchDatabase.fresh("tolk_hardening_load") as db:
        started = time.perf_counter()
        world = _populate_in_child(db)
        log(f"{BOOKERS} bookers, {INTERPRETERS} interpreters with tokens in "
            f"{time.perf_counter() - started:.1f} s")
        # Production settings (connection pool, Redis cache, security middleware); plain HTTP
        # on 127.0.0.1 stands in for the TLS proxy.
        production = {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            # As recommended for production: the run_jobs processes send the events.
            "TOLK_OUTBOX_RELAY": "jobs" if JOB_PROCESSES else "web",
        }
        with Server(db, workers=2, redis_url=REDIS_URL, settings="tolk.settings.production",
                    extra_env=production, job_processes=JOB_PROCESSES) as server:
            result = asyncio.run(run_load(server, world))
        result["world"] = world
        invariants = check_invariants(db, result)

    stats: Stats = result["stats"]
    requests = sum(len(v) for v in stats.latency.values())
    print()
    print(f"load: {BOOKERS} bookers, {INTERPRETERS} interpreters, {result['elapsed']:.1f} s, "
          f"2 uvicorn workers, {JOB_PROCESSES} run_jobs, PostgreSQL, Redis")
    print(f"throughput: {requests / result['elapsed']:.1f} requests/s ({requests} requests), "
          f"{len(stats.latency['booking_create']) / result['elapsed']:.1f} bookings/s")
    for op in ("booking_create", "offers_wave", "booking_list", "offer_accept", "offer_decline"):
        if stats.latency[op]:
            print(format_summary(op, summary_ms(stats.latency[op])),
                  dict(sorted(stats.status[op].items())))
    if stats.offer_delivery:
        print(format_summary("offer call start → interpreter socket",
                             summary_ms(stats.offer_delivery)))
    for kind, n, (p50, p95, p99) in result.get("outbox_lag", []):
        print(f"outbox lag (event written → relay sent) {kind}: n={n} p50={p50:.0f} ms "
              f"p95={p95:.0f} ms p99={p99:.0f} ms")
    if result.get("socket_lag"):
        from booking.realtime import consumers

        print(format_summary("relay sent → client socket", summary_ms(result["socket_lag"])))
        print(f"deliveries later than {consumers.SETTLE_SECONDS:.0f} s after sending (late live, "
              f"or by catch-up): {result['caught_up']} of {len(result['socket_lag'])}")
    if result.get("client_loop_lag"):
        print(format_summary("load generator's own event loop lag",
                             summary_ms(result["client_loop_lag"])))
    print(f"errors: {len(stats.errors)}")
    for line in collections.Counter(stats.errors).most_common(10):
        print("  ", line)
    for name, value in invariants.items():
        print(f"invariant – {name}: {value}")
    assert not stats.errors, stats.errors[:10]
    assert all(value == 0 for value in invariants.values()), invariants
    with contextlib.suppress(Exception):
        sys.stdout.flush()
