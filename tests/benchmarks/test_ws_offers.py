"""Benchmark: how fast an offer reaches the interpreters' websockets.

A real server (2 uvicorn worker processes, Redis channel layer, PostgreSQL), 500 connected
interpreters all qualified for the language, bookings created over HTTP, and the coordinator's
offer call (`POST /api/v1/bookings/{id}/offers/ {"limit": 100}`, the largest wave the API allows).
Measured: from the offer call returning to each candidate receiving its `offer.created`
(p50/p95/p99), and from the call starting. Goal: p99 under 100 ms on a 2-core machine.

    .venv/bin/pytest tests/benchmarks/test_ws_offers.py -s -p no:randomly

Needs PostgreSQL and Redis (TOLK_BENCH_DATABASE_URL, TOLK_BENCH_REDIS_URL; defaults on
127.0.0.1); uses the database `tolk_bench_ws` (dropped and created again) and Redis db 3
(flushed)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.benchmarks.harness import (
    DEFAULT_PG,
    DEFAULT_REDIS,
    BenchDatabase,
    InterpreterClient,
    Received,
    Server,
    World,
    close_clients,
    format_summary,
    http_json,
    log,
    open_interpreter_clients,
    services_available,
    summary_ms,
    timed,
)

INTERPRETERS = int(os.environ.get("TOLK_BENCH_INTERPRETERS", "500"))
WAVE = 100
SEQUENTIAL_BOOKINGS = 3
BURST_BOOKINGS = 5
OSLO = ZoneInfo("Europe/Oslo")


def booking_body(world: World, day: int) -> dict[str, Any]:
    start = (dt.datetime.now(tz=OSLO) + dt.timedelta(days=day)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return {
        "language": world.language,
        "modality": "video",
        "platform": world.platform,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=1)).isoformat(),
        "duty_basis": "necessary",
        "assessment_note": "Samtale om helsetjenester; tolkebehov vurdert av saksbehandler.",
        "topic_notes": "Oppfølging hos fastlege.",
    }


class Arrivals:
    """offer id → when its offer.created arrived, shared by every client's reader."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        self.since_written: dict[int, float] = {}
        self.written: dict[int, float] = {}
        self.wall: dict[int, float] = {}
        self.event_ids: dict[int, list[tuple[int, int]]] = {}
        self.by_interpreter: dict[int, list[int]] = {}
        self.changed = asyncio.Event()
        self.clients: list[InterpreterClient] = []

    def __call__(self, client: InterpreterClient, item: Received) -> None:
        if item.message.get("type") == "offer.created":
            offer_id = item.message["payload"]["offer_id"]
            self.at.setdefault(offer_id, item.at)
            written = dt.datetime.fromisoformat(item.message["created_at"]).timestamp()
            self.since_written.setdefault(offer_id, item.wall - written)
            self.written.setdefault(offer_id, written)
            self.wall.setdefault(offer_id, item.wall)
            self.by_interpreter.setdefault(client.interpreter_id, []).append(offer_id)
            self.event_ids.setdefault(offer_id, []).append(
                (client.interpreter_id, item.message["id"]))
            self.changed.set()

    async def wait_for(self, offer_ids: list[int], timeout: float = 15) -> None:
        deadline = time.perf_counter() + timeout
        while not all(o in self.at for o in offer_ids):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                missing = [o for o in offer_ids if o not in self.at]
                closed = [(c.interpreter_id, c.connection.close_code) for c in self.clients
                          if c.connection.close_code is not None]
                raise AssertionError(f"{len(missing)} offers never arrived, e.g. {missing[:5]}; "
                                     f"closed sockets: {closed[:10]} ({len(closed)})")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=remaining)


async def scenario(server: Server, world: World) -> dict[str, Any]:
    import httpx

    arrivals = Arrivals()
    started = time.perf_counter()
    clients = await open_interpreter_clients(server, world, on_message=arrivals)
    arrivals.clients = clients
    log(f"{len(clients)} websockets open in {time.perf_counter() - started:.1f} s")
    from_return: list[float] = []
    from_start: list[float] = []
    from_written: list[float] = []
    from_last_written: list[float] = []
    call_ms: list[float] = []
    early = 0
    async with httpx.AsyncClient(base_url=server.http, timeout=60) as http:

        async def create(day: int) -> int:
            status, body = await http_json(http, "POST", "/api/v1/bookings/",
                                           token=world.booker_token, body=booking_body(world, day))
            assert status == 201, body
            return int(body["id"])

        async def offer(booking_id: int) -> tuple[float, float, list[int]]:
            t0, t1, (status, body) = await timed(http_json(
                http, "POST", f"/api/v1/bookings/{booking_id}/offers/",
                token=world.coordinator_token, body={"limit": WAVE}))
            assert status == 201, body
            return t0, t1, [o["id"] for o in body["offers"]]

        def measure(t0: float, t1: float, offer_ids: list[int]) -> None:
            nonlocal early
            call_ms.append(t1 - t0)
            last_written = max(arrivals.written[o] for o in offer_ids)
            for offer_id in offer_ids:
                arrived = arrivals.at[offer_id]
                early += arrived < t1
                from_return.append(max(0.0, arrived - t1))
                from_start.append(arrived - t0)
                from_written.append(arrivals.since_written[offer_id])
                from_last_written.append(max(0.0, arrivals.wall[offer_id] - last_written))

        # Sequential: each booking offered wave after wave until every interpreter has it.
        for n in range(SEQUENTIAL_BOOKINGS):
            booking_id = await create(day=7 + n)
            for _ in range(INTERPRETERS // WAVE):
                t0, t1, offer_ids = await offer(booking_id)
                assert len(offer_ids) == WAVE
                await arrivals.wait_for(offer_ids)
                measure(t0, t1, offer_ids)
                await asyncio.sleep(0.2)
        sequential = (summary_ms(from_return), summary_ms(from_start), summary_ms(call_ms),
                      summary_ms(from_written), summary_ms(from_last_written))

        # Burst: several coordinators offer different bookings at the same moment.
        burst_bookings = [await create(day=20 + n) for n in range(BURST_BOOKINGS)]
        from_return.clear()
        from_start.clear()
        from_written.clear()
        from_last_written.clear()
        call_ms.clear()
        calls = await asyncio.gather(*(offer(b) for b in burst_bookings))
        for t0, t1, offer_ids in calls:
            await arrivals.wait_for(offer_ids)
            measure(t0, t1, offer_ids)
        burst = (summary_ms(from_return), summary_ms(from_start), summary_ms(call_ms),
                 summary_ms(from_written), summary_ms(from_last_written))

    every_offer = sum(len(v) for v in arrivals.by_interpreter.values())
    duplicates = every_offer - len(arrivals.at)
    if duplicates:
        log("duplicates (offer: [(interpreter, event id)]): " + str(
            {o: v for o, v in arrivals.event_ids.items() if len(v) > 1}))
    await close_clients(clients)
    return {"sequential": sequential, "burst": burst, "early": early,
            "duplicates": duplicates, "offers": len(arrivals.at)}


def test_offer_delivery_latency_two_workers_redis_postgres() -> None:
    pg = os.environ.get("TOLK_BENCH_DATABASE_URL", DEFAULT_PG)
    redis_url = os.environ.get("TOLK_BENCH_REDIS_URL", DEFAULT_REDIS)
    missing = services_available(pg, redis_url)
    if missing:
        pytest.skip(f"needs PostgreSQL and Redis: {missing}")
    with BenchDatabase.fresh("tolk_bench_ws", server_url=pg) as db:
        world = db.populate(interpreters=INTERPRETERS)
        settings = os.environ.get("TOLK_BENCH_SETTINGS", "tolk.settings.local")
        with Server(db, workers=2, redis_url=redis_url, settings=settings) as server:
            result = asyncio.run(scenario(server, world))

    seq_return, seq_start, seq_call, seq_written, seq_last = result["sequential"]
    burst_return, burst_start, burst_call, burst_written, burst_last = result["burst"]
    print()
    print(f"ws offers: {INTERPRETERS} interpreters connected, 2 uvicorn workers, Redis layer "
          f"({settings}), PostgreSQL; waves of {WAVE}")
    print(format_summary(f"sequential ({SEQUENTIAL_BOOKINGS} bookings x "
                         f"{INTERPRETERS // WAVE} waves), from offer call returning",
                         seq_return))
    print(format_summary("sequential, from offer call starting", seq_start))
    print(format_summary("sequential, offer call duration", seq_call))
    print(format_summary("sequential, from the event row written (in the offer transaction)",
                         seq_written))
    print(format_summary("sequential, from the wave's last event row written (~commit)",
                         seq_last))
    print(format_summary(f"burst ({BURST_BOOKINGS} offer calls at once), from call returning",
                         burst_return))
    print(format_summary("burst, from call starting", burst_start))
    print(format_summary("burst, offer call duration", burst_call))
    print(format_summary("burst, from the event row written", burst_written))
    print(format_summary("burst, from the wave's last event row written", burst_last))
    print(f"offers delivered: {result['offers']}, duplicates: {result['duplicates']}, "
          f"arrived before the call returned: {result['early']}")
    print(f"goal p99 < 100 ms from the call returning (sequential): "
          f"{'met' if seq_return['p99'] < 100 else 'NOT met'}")
    assert result["duplicates"] == 0
    expected = SEQUENTIAL_BOOKINGS * (INTERPRETERS // WAVE) * WAVE + BURST_BOOKINGS * WAVE
    assert result["offers"] == expected
