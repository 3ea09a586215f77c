"""The relay inside each server process: started by the ASGI lifespan, woken after commit, and
sending whatever a failed dispatch left behind."""

import asyncio

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from booking.models import Event
from booking.realtime import relay as realtime
from tests.booking.wsclient import record, ws_open
from tests.factories import InterpreterUserFactory
from tolk.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def no_relay_left_behind():
    yield
    await realtime.relay_stop()


def _pending():
    return database_sync_to_async(Event.objects.filter(dispatched_at__isnull=True).count)()


async def _until(predicate, timeout=3.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_lifespan_starts_and_stops_the_relay(settings):
    settings.TOLK_RELAY_INTERVAL_SECONDS = 0.2
    lifespan = ApplicationCommunicator(application, {"type": "lifespan"})
    await lifespan.send_input({"type": "lifespan.startup"})
    assert await lifespan.receive_output(2) == {"type": "lifespan.startup.complete"}
    assert realtime._relay is not None and realtime._relay.running
    await lifespan.send_input({"type": "lifespan.shutdown"})
    assert await lifespan.receive_output(2) == {"type": "lifespan.shutdown.complete"}
    assert realtime._relay is None


async def test_relay_disabled_with_interval_zero(settings):
    settings.TOLK_RELAY_INTERVAL_SECONDS = 0
    assert await realtime.relay_start() is None
    assert realtime._relay is None


async def test_after_commit_wakes_the_relay_instead_of_sending_in_the_request(monkeypatch):
    user = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    # A long interval: delivery within a second can only come from the wake-up after commit.
    relay = await realtime.relay_start(interval=60, expire=None)
    calls = []
    original = realtime.outbox_dispatch_pending

    def counting():
        calls.append(1)
        return original()

    relay._dispatch = relay._in_thread(counting)
    await asyncio.sleep(0.1)
    calls.clear()
    ids = await record(kind="offer.created", payload={"offer_id": 1},
                       interpreter_ids=[user.interpreter_id])
    message = await comm.receive_json_from(timeout=1)
    assert message["id"] == ids[0]
    assert calls, "sent by the relay, not by the committing thread"
    assert await _until(lambda: _zero(_pending))
    await comm.disconnect()


async def test_event_produced_while_the_layer_fails_is_delivered_by_the_relay(monkeypatch):
    user = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    layer = get_channel_layer()
    real_send = layer.group_send

    async def broken(*args, **kwargs):
        raise ConnectionError("channel layer down")

    monkeypatch.setattr(layer, "group_send", broken)
    ids = await record(kind="offer.created", payload={"offer_id": 7},
                       interpreter_ids=[user.interpreter_id])
    assert await _pending() == 1
    assert await comm.receive_nothing(timeout=0.3)

    relay = await realtime.relay_start(interval=0.1, expire=None)
    await asyncio.sleep(0.3)
    assert await _pending() == 1, "still down: nothing lost, nothing sent"
    monkeypatch.setattr(layer, "group_send", real_send)
    message = await comm.receive_json_from(timeout=2)
    assert message["id"] == ids[0] and message["payload"] == {"offer_id": 7}
    assert await _until(lambda: _zero(_pending))
    assert relay.sent >= 1
    await comm.disconnect()


async def _zero(count):
    return await count() == 0


async def test_relay_keeps_running_when_a_job_fails():
    rounds = []

    def failing_expire():
        rounds.append(1)
        raise RuntimeError("offer expiry broke")

    relay = await realtime.relay_start(interval=0.05, expire=failing_expire)
    assert await _until(lambda: _at_least(rounds, 3))
    assert relay.running


async def _at_least(items, n):
    return len(items) >= n


async def test_relay_expires_offers_every_interval():
    calls = []

    def expire():
        calls.append(1)
        return 0

    await realtime.relay_start(interval=0.05, expire=expire)
    assert await _until(lambda: _at_least(calls, 3))


async def test_hanging_layer_times_out_and_keeps_the_events(monkeypatch):
    user = await database_sync_to_async(InterpreterUserFactory)()
    layer = get_channel_layer()
    monkeypatch.setattr(realtime, "SEND_TIMEOUT_SECONDS", 0.2)

    async def hanging(*args, **kwargs):
        await asyncio.sleep(30)

    monkeypatch.setattr(layer, "group_send", hanging)
    started = asyncio.get_running_loop().time()
    await record(kind="offer.created", payload={"offer_id": 1},
                 interpreter_ids=[user.interpreter_id])
    assert asyncio.get_running_loop().time() - started < 5
    assert await _pending() == 1


def test_a_broken_connection_is_dropped_before_the_next_round(monkeypatch):
    from django.db import connection

    Event.objects.count()  # open the connection
    closed = []
    connection.errors_occurred = True
    monkeypatch.setattr(connection, "is_usable", lambda: False)
    monkeypatch.setattr(connection, "close", lambda: closed.append(1))
    realtime._drop_broken_connections()
    assert closed == [1]


def test_a_healthy_connection_stays_open(monkeypatch):
    from django.db import connection

    Event.objects.count()
    closed = []
    monkeypatch.setattr(connection, "close", lambda: closed.append(1))
    connection.errors_occurred = True
    realtime._drop_broken_connections()
    assert closed == [] and not connection.errors_occurred
