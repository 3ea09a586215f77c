"""Faults: the database connection lost in the middle of a request, Redis down, a process killed
between commit and sending events, a register import interrupted halfway. Each time: a clear answer
and nothing half-written or lost."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from booking.dispatch.models import AuditEntry, Booking
from booking.models import Event, Interpreter, Qualification, RegisterImport, RegisterStatusEvent
from booking.register.services import REGISTER_COLUMNS, register_import
from tests.hardening.world import World, booking_payload, build_world

ROOT = Path(__file__).resolve().parents[2]


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _counts() -> dict[str, int]:
    return {
        "bookings": Booking.objects.count(),
        "audit": AuditEntry.objects.count(),
        "events": Event.objects.count(),
    }


@contextlib.contextmanager
def connection_lost_at(predicate: Callable[[str], bool]) -> Iterator[dict[str, bool]]:
    """Lose the database connection at the first statement matching `predicate`, after the
    request has already written something. On PostgreSQL the server really terminates the
    backend; on SQLite the driver's error is raised (a file database cannot lose a connection)."""
    state = {"wrote": False, "lost": False}

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not state["lost"] and state["wrote"] and predicate(sql):
            state["lost"] = True
            if connection.vendor == "postgresql":
                _terminate_backend(connection.connection.info.backend_pid)
            else:
                raise OperationalError("server closed the connection unexpectedly")
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            state["wrote"] = True
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(wrapper):
            yield state
    finally:
        if state["lost"]:
            # What request_finished does in a server (the test client switches it off): a
            # connection that failed is dropped, the next request opens a new one.
            connection.close()


def _terminate_backend(pid: int) -> None:
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
        user=settings["USER"], password=settings["PASSWORD"] or None,
        dbname=settings["NAME"], autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    # Wait until the server has really closed it.
    for _ in range(50):
        with psycopg.connect(
            host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
            user=settings["USER"], password=settings["PASSWORD"] or None,
            dbname=settings["NAME"], autocommit=True,
        ) as probe:
            alive = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]
            ).fetchone()
        if not alive or not alive[0]:
            return
        time.sleep(0.02)


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


# 1. Database connection lost mid-request ------------------------------------------------------

def test_database_lost_mid_booking_is_503_and_nothing_is_written(world: World) -> None:
    booker = _client(world.own["booker"])
    before = _counts()
    with connection_lost_at(lambda sql: "INSERT" in sql.upper()) as state:
        response = booker.post(reverse("booking-list"), booking_payload(world.own, days=40),
                               format="json")
    assert state["lost"], "the request never reached a second write"
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert set(response.json()) == {"code", "detail", "section", "fields"}
    assert int(response["Retry-After"]) > 0
    assert _counts() == before
    # The next request gets a fresh connection and succeeds.
    retry = booker.post(reverse("booking-list"), booking_payload(world.own, days=40),
                        format="json")
    assert retry.status_code == 201, retry.content
    assert _counts()["bookings"] == before["bookings"] + 1


def test_database_lost_mid_offer_accept_leaves_the_offer_open(world: World) -> None:
    interpreter = _client(world.own["interpreter_user"])
    offer_id = world.own["offer"]
    before = _counts()
    with connection_lost_at(lambda sql: True) as state:
        response = interpreter.post(
            reverse("offer-accept", kwargs={"pk": offer_id}),
            {"impartial": True, "confidentiality": True}, format="json",
        )
    assert state["lost"]
    assert response.status_code == 503
    assert _counts() == before
    from booking.dispatch.models import Offer

    assert Offer.objects.get(pk=offer_id).status == "pending"


def test_database_lost_on_a_web_page_is_503_not_500(world: World) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.own["booker"])
    with connection_lost_at(lambda sql: True) as state:
        state["wrote"] = True
        response = client.get("/")
    assert state["lost"]
    assert response.status_code == 503
    assert response["Retry-After"]


# 2. Redis down and back -----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisProcess:
    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(
                ("127.0.0.1", self.port), 0.1
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[RedisProcess]:
    if shutil.which("redis-server") is None:
        if os.environ.get("TOLK_REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is needed for the Redis fault test")
        pytest.skip("redis-server not installed")
    redis = RedisProcess()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def _delivered_while(group: str, run: Any, timeout: float = 2.0) -> list[dict[str, Any]]:
    """Join `group` as a websocket consumer would, run `run` (synchronous, in this thread), and
    return what reached the group. One event loop throughout: the pub/sub layer's subscription
    belongs to the loop it was made in."""
    import asyncio

    from asgiref.sync import sync_to_async

    async def scene() -> list[dict[str, Any]]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        await sync_to_async(run)()
        messages = []
        wait = timeout
        while True:
            try:
                messages.append(await asyncio.wait_for(layer.receive(channel), wait))
            except TimeoutError:
                break
            wait = 0.3
        await layer.group_discard(group, channel)
        return messages

    return async_to_sync(scene)()


def _run_jobs_once() -> None:
    call_command("run_jobs", iterations=1, interval=0.1, stdout=io.StringIO())


@pytest.mark.redis
def test_redis_down_booking_still_works_and_events_follow_when_it_is_back(
    world: World, private_redis: RedisProcess
) -> None:
    layer_config = {"default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [f"redis://127.0.0.1:{private_redis.port}/0"]},
    }}
    group = f"organisation.{world.own['customer'].id}"
    with override_settings(CHANNEL_LAYERS=layer_config):
        Event.objects.filter(dispatched_at__isnull=True).update(dispatched_at=time_now())
        private_redis.stop()
        response = _client(world.own["booker"]).post(
            reverse("booking-list"), booking_payload(world.own, days=41), format="json"
        )
        assert response.status_code == 201, response.content
        booking_id = response.json()["id"]
        pending = Event.objects.filter(dispatched_at__isnull=True)
        assert pending.filter(organisation=world.own["customer"]).exists()
        # Redis comes back (empty: it keeps nothing on disk); the client re-subscribes.
        private_redis.start()
        messages = _delivered_while(group, _run_jobs_once)
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    delivered = [m["event"] for m in messages]
    assert any(e["payload"].get("booking_id") == booking_id for e in delivered), delivered


@pytest.mark.redis
def test_redis_restart_under_an_open_socket_loses_no_event(
    world: World, private_redis: RedisProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A booker's socket stays open while Redis goes away and comes back empty: the booking made
    meanwhile still reaches it (live once the layer has subscribed again, or by catch-up)."""
    from asgiref.sync import sync_to_async

    from booking.realtime import consumers
    from tests.booking.wsclient import ws_open

    monkeypatch.setattr(consumers, "CATCH_UP_SECONDS", 0.5)
    monkeypatch.setattr(consumers, "SETTLE_SECONDS", 0.5)
    layer_config = {"default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [f"redis://127.0.0.1:{private_redis.port}/0"]},
    }}
    Event.objects.filter(dispatched_at__isnull=True).update(dispatched_at=time_now())

    def book() -> int:
        response = _client(world.own["booker"]).post(
            reverse("booking-list"), booking_payload(world.own, days=43), format="json"
        )
        assert response.status_code == 201, response.content
        return int(response.json()["id"])

    async def scene() -> tuple[int, list[dict[str, Any]]]:
        comm = await ws_open("/ws/bookings/", world.own["booker"])
        private_redis.stop()
        booking_id = await sync_to_async(book)()
        private_redis.start()
        await sync_to_async(_run_jobs_once)()
        received: list[dict[str, Any]] = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
            m.get("payload", {}).get("booking_id") == booking_id for m in received
        ):
            # (a timeout in receive_json_from would end the consumer)
            if not await comm.receive_nothing(timeout=0.5):
                received.append(await comm.receive_json_from(timeout=2))
        await comm.disconnect()
        return booking_id, received

    with override_settings(CHANNEL_LAYERS=layer_config):
        booking_id, received = async_to_sync(scene)()
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    ids = [m["id"] for m in received]
    assert len(ids) == len(set(ids)), "an event arrived twice"
    assert any(m["payload"].get("booking_id") == booking_id for m in received), received


def time_now() -> Any:
    from django.utils import timezone

    return timezone.now()


# 3. Process killed between commit and sending the events ----------------------------------------

CHILD = textwrap.dedent("""
    import json, os, signal, sys
    import django
    django.setup()
    from booking.realtime import relay as realtime
    # The process dies right after the commit, before a single event is sent.
    realtime.outbox_dispatch_after_commit = lambda: os.kill(os.getpid(), signal.SIGKILL)
    from rest_framework.test import APIClient
    from booking.models import User
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=int(sys.argv[1])))
    response = client.post("/api/v1/bookings/", json.loads(sys.argv[2]), format="json")
    print("still alive", response.status_code)
""")


@pytest.mark.postgres
def test_process_killed_after_commit_outbox_still_delivers(world: World) -> None:
    import json

    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
           f"{settings['PORT'] or 5432}/{settings['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tolk.settings.test"}
    Event.objects.filter(dispatched_at__isnull=True).update(dispatched_at=time_now())
    before = Booking.objects.count()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(world.own["booker"].pk),
         json.dumps(booking_payload(world.own, days=42))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    assert Booking.objects.count() == before + 1  # committed
    booking = Booking.objects.latest("id")
    pending = Event.objects.filter(dispatched_at__isnull=True)
    assert pending.exists(), "the change committed without its events"
    messages = _delivered_while(f"organisation.{world.own['customer'].id}", _run_jobs_once)
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    delivered = [m["event"] for m in messages]
    assert any(e["payload"].get("booking_id") == booking.id for e in delivered), delivered


# 4. Register import interrupted halfway ---------------------------------------------------------

def _register_snapshot() -> dict[str, Any]:
    return {
        "interpreters": sorted(Interpreter.objects.values_list(
            "register_number", "given_name", "family_name", "municipality", "email", "phone")),
        "qualifications": sorted(Qualification.objects.values_list(
            "interpreter__register_number", "language", "category", "valid_from", "valid_to",
            "status")),
        "status_events": RegisterStatusEvent.objects.count(),
        "imports": RegisterImport.objects.count(),
    }


def _register_file(existing: list[Interpreter], new: int) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(REGISTER_COLUMNS))
    writer.writeheader()
    base = {"gender": "female", "availability": "full_time", "modalities": "onsite|video",
            "phone": "", "valid_from": "2020-01-01", "valid_to": "", "status": "active",
            "police_certificate_valid_until": ""}
    for person in existing:
        writer.writerow({**base, "register_number": person.register_number,
                         "given_name": person.given_name, "family_name": "Endret",
                         "municipality": person.municipality, "email": "ny@example.no",
                         "language": "ara", "category": "A"})
    for n in range(new):
        writer.writerow({**base, "register_number": f"9{n:05d}", "given_name": f"Ny{n}",
                         "family_name": "Tolk", "municipality": "0301",
                         "email": f"ny{n}@example.no", "language": "pol", "category": "C"})
    # Suspend the first one, so the import also writes status changes.
    writer.writerow({**base, "register_number": existing[0].register_number,
                     "given_name": existing[0].given_name, "family_name": "Endret",
                     "municipality": existing[0].municipality, "email": "ny@example.no",
                     "language": "tir", "category": "B", "status": "suspended"})
    return out.getvalue().encode()


def test_register_import_interrupted_halfway_changes_nothing(world: World) -> None:
    existing = list(Interpreter.objects.order_by("id")[:6])
    content = _register_file(existing, new=40)
    before = _register_snapshot()
    writes = {"n": 0, "stop": 0}

    def interrupt(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes["n"] += 1
            if writes["n"] == writes["stop"]:
                raise OperationalError("connection lost halfway through the import")
        return execute(sql, params, many, context)

    # Count the import's write statements in a rolled-back run, then stop it at the middle.
    with transaction.atomic(), connection.execute_wrapper(interrupt):
        register_import(stream=io.BytesIO(content), file_name="register.csv")
        transaction.set_rollback(True)
    total, writes["n"], writes["stop"] = writes["n"], 0, max(writes["n"] // 2, 2)
    assert total >= 3
    with connection.execute_wrapper(interrupt), pytest.raises(OperationalError):
        register_import(stream=io.BytesIO(content), file_name="register.csv")
    assert writes["n"] == writes["stop"] < total
    assert _register_snapshot() == before
    # The same file imports completely once nothing interrupts it.
    result = register_import(stream=io.BytesIO(content), file_name="register.csv")
    assert result.ok and result.added >= 40
    assert _register_snapshot() != before


@pytest.mark.postgres
def test_register_import_process_killed_halfway_changes_nothing(
    world: World, tmp_path: Path
) -> None:
    existing = list(Interpreter.objects.order_by("id")[:6])
    path = tmp_path / "register.csv"
    path.write_bytes(_register_file(existing, new=400))
    before = _register_snapshot()
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
           f"{settings['PORT'] or 5432}/{settings['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tolk.settings.test"}
    child = textwrap.dedent(f"""
        import os, signal
        import django
        django.setup()
        from django.core.management import call_command
        from django.db import connection
        writes = [0]
        def die(execute, sql, params, many, context):
            if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
                writes[0] += 1
                if writes[0] == 3:  # of six bulk statements: halfway
                    os.kill(os.getpid(), signal.SIGKILL)
            return execute(sql, params, many, context)
        with connection.execute_wrapper(die):
            call_command("import_register", {str(path)!r})
        print("finished", writes[0])
    """)
    result = subprocess.run([sys.executable, "-c", child], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    assert _register_snapshot() == before


# 5. The production cache (throttle counters) with Redis down -------------------------------------

@pytest.mark.django_db
def test_login_and_throttles_work_while_the_cache_redis_is_down() -> None:
    from django.core.cache import caches

    from tests import factories

    factories.BookerFactory(username="kari", password="a-long-booker-passphrase-42")
    dead = {"default": {
        "BACKEND": "tolk.cache.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",
        "KEY_PREFIX": "tolk",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }}
    with override_settings(CACHES=dead):
        assert caches["default"].get("anything", "default") == "default"
        api = APIClient()
        response = api.post("/api/v1/auth/token/",
                            {"username": "kari", "password": "a-long-booker-passphrase-42"},
                            format="json")
        assert response.status_code == 200, response.content
        api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert api.post("/api/v1/auth/ws-ticket/").status_code == 201
        from django.test import Client

        assert Client().post("/login/", {"username": "kari", "password": "wrong"}).status_code \
            == 200


@pytest.mark.redis
def test_resilient_cache_stores_and_reads_when_redis_is_up() -> None:
    from django.core.cache import caches

    live = {"default": {
        "BACKEND": "tolk.cache.ResilientRedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "tolk-hardening-test",
    }}
    with override_settings(CACHES=live):
        cache = caches["default"]
        cache.set("throttle", [1.0, 2.0], 30)
        assert cache.get("throttle") == [1.0, 2.0]
        assert cache.add("throttle", "other") is False
        assert cache.delete("throttle") is True
        assert cache.get("throttle", "gone") == "gone"
