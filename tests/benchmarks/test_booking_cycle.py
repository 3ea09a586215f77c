"""Benchmark: booking → offer → accept cycles per second with 8 concurrent clients, against
PostgreSQL, through the REST API (serializers, rules, candidates, row locks, constraints, audit
and outbox included).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tolk_booking \
        .venv/bin/pytest tests/benchmarks/test_booking_cycle.py -s -p no:randomly

Each client books its own, non-overlapping slots so every cycle can succeed; the register holds
1,000 interpreters qualified in Arabic, each with a login."""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
import uuid
from typing import Any

import pytest
from django.db import connection
from django.urls import include, path
from django.utils import timezone

from booking.models import Assignment, Interpreter, Qualification, Role, User
from tests.booking.booking_helpers import world
from tests.conftest import client_for

urlpatterns = [path("api/v1/", include("booking.urls"))]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls(__name__),
]

CLIENTS = 8
CYCLES_PER_CLIENT = 25
INTERPRETERS = 1000


def _register() -> dict[str, User]:
    interpreters = Interpreter.objects.bulk_create(
        Interpreter(register_number=f"C{i:05d}", given_name=f"Tolk{i}", family_name="Benk",
                    gender="female" if i % 2 else "male", municipality="0301", county="03",
                    availability="full_time")
        for i in range(INTERPRETERS)
    )
    Qualification.objects.bulk_create(
        Qualification(interpreter=it, language="ara", category="ABCDE"[i % 5],
                      valid_from=dt.date(2020, 1, 1))
        for i, it in enumerate(interpreters)
    )
    users = [User(username=f"bench-{it.register_number}", role=Role.INTERPRETER, interpreter=it)
             for it in interpreters]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users)
    return {u.interpreter.register_number: u for u in User.objects.filter(
        role=Role.INTERPRETER).select_related("interpreter")}


def test_booking_offer_accept_cycles_with_8_clients() -> None:
    w = world()
    by_number = _register()
    base = (timezone.localtime() + dt.timedelta(days=5)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    timings: dict[str, list[float]] = {"book": [], "offer": [], "accept": []}
    errors: list[Any] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def client(n: int) -> None:
        booker, coordinator = client_for(w.booker), client_for(w.coordinator)
        interpreters = {number: client_for(user) for number, user in by_number.items()}
        try:
            barrier.wait()
            for i in range(CYCLES_PER_CLIENT):
                start = base + dt.timedelta(hours=3 * (n * CYCLES_PER_CLIENT + i))
                t0 = time.perf_counter()
                booked = booker.post("/api/v1/bookings/", {
                    "language": "ara", "modality": "video", "platform": "Teams (helsenett)",
                    "start": start.isoformat(),
                    "end": (start + dt.timedelta(hours=1)).isoformat(),
                    "duty_basis": "statute",
                }, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
                t1 = time.perf_counter()
                booking_id = booked.json()["id"]
                sent = coordinator.post(f"/api/v1/bookings/{booking_id}/offers/",
                                        {"limit": 3}, format="json")
                t2 = time.perf_counter()
                offer = sent.json()["offers"][0]
                accepted = interpreters[offer["register_number"]].post(
                    f"/api/v1/offers/{offer['id']}/accept/",
                    {"impartial": True, "confidentiality": True}, format="json",
                )
                t3 = time.perf_counter()
                if (booked.status_code, sent.status_code, accepted.status_code) != (
                    201, 201, 201
                ):
                    with lock:
                        errors.append((booked.status_code, sent.status_code,
                                       accepted.status_code, accepted.json()))
                with lock:
                    timings["book"].append((t1 - t0) * 1000)
                    timings["offer"].append((t2 - t1) * 1000)
                    timings["accept"].append((t3 - t2) * 1000)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    elapsed = time.perf_counter() - started
    cycles = CLIENTS * CYCLES_PER_CLIENT
    assert not errors, errors[:3]
    assert Assignment.objects.count() == cycles

    def fmt(name: str) -> str:
        values = timings[name]
        return (f"{name} p50 {statistics.median(values):.0f} ms / "
                f"p95 {statistics.quantiles(values, n=20)[-1]:.0f} ms")

    print(
        f"\nbooking cycle: {cycles} cycles by {CLIENTS} concurrent clients in {elapsed:.1f} s = "
        f"{cycles / elapsed:.1f} cycles/s; {fmt('book')}, {fmt('offer')}, {fmt('accept')}"
    )
