"""The same guarantees against a real Redis channel layer (REDIS_URL): a wave reaches every ranked
candidate through its own group, and an event produced while Redis cannot be reached is delivered
once it can."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.utils import timezone

from booking.models import Event
from booking.realtime import relay as realtime
from tests.booking.booking_helpers import interpreter_user, request, world
from tests.booking.wsclient import record, ws_open
from tests.conftest import client_for
from tests.factories import InterpreterUserFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
WAVE = 60


@pytest.fixture(autouse=True)
async def no_relay_left_behind():
    yield
    await realtime.relay_stop()


def _assert_redis_layer():
    layer = get_channel_layer()
    assert isinstance(layer, RedisPubSubChannelLayer), "REDIS_URL must select the Redis layer"


async def test_wave_to_many_candidates_reaches_each_exactly_once():
    _assert_redis_layer()

    @database_sync_to_async
    def scene():
        from booking.dispatch.services.bookings import booking_create

        w = world()
        users = [interpreter_user(category="A") for _ in range(WAVE)]
        extra = interpreter_user(category="E")  # ranked last, outside the wave
        now = timezone.now()
        start = (now + dt.timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
        booking, _ = booking_create(user=w.booker, data=request(start), now=now)
        return w, users, extra, booking

    w, users, extra, booking = await scene()
    sockets = [await ws_open("/ws/interpreter/", u) for u in users]
    extra_socket = await ws_open("/ws/interpreter/", extra)

    @database_sync_to_async
    def offer():
        return client_for(w.coordinator).post(
            f"/api/v1/bookings/{booking.pk}/offers/", {"limit": WAVE}, format="json"
        ).status_code

    assert await offer() in (200, 201)
    messages = await asyncio.gather(*(s.receive_json_from(timeout=5) for s in sockets))
    assert all(m["type"] == "offer.created" for m in messages)
    assert all(m["payload"]["booking_id"] == booking.pk for m in messages)
    assert len({m["payload"]["offer_id"] for m in messages}) == WAVE
    assert await extra_socket.receive_nothing(timeout=0.3)
    for s in [*sockets, extra_socket]:
        await s.disconnect()


async def test_event_produced_while_redis_is_unreachable_is_delivered_later(monkeypatch):
    _assert_redis_layer()
    user = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    # Nothing listens on port 1: every send fails with a refused connection.
    unreachable = RedisChannelLayer(hosts=["redis://127.0.0.1:1/0"])
    monkeypatch.setattr(realtime, "get_channel_layer", lambda *a, **k: unreachable)
    ids = await record(kind="offer.created", payload={"offer_id": 11},
                       interpreter_ids=[user.interpreter_id])
    pending = database_sync_to_async(Event.objects.filter(dispatched_at__isnull=True).count)
    assert await pending() == 1
    assert await comm.receive_nothing(timeout=0.3)

    monkeypatch.undo()
    await realtime.relay_start(interval=0.1, expire=None)
    message = await comm.receive_json_from(timeout=3)
    assert message["id"] == ids[0] and message["payload"] == {"offer_id": 11}
    for _ in range(30):
        if await pending() == 0:
            break
        await asyncio.sleep(0.05)
    assert await pending() == 0
    await comm.disconnect()


async def test_reconnect_since_over_redis_replays_exactly_the_missed():
    _assert_redis_layer()
    user = await database_sync_to_async(InterpreterUserFactory)()
    first = await record(kind="offer.created", payload={"offer_id": 1},
                         interpreter_ids=[user.interpreter_id])
    missed = []
    for n in range(3):
        missed += await record(kind="offer.created", payload={"offer_id": 2 + n},
                               interpreter_ids=[user.interpreter_id])
    comm = await ws_open(f"/ws/interpreter/?since={first[0]}", user)
    got = [(await comm.receive_json_from(timeout=2))["id"] for _ in missed]
    assert got == missed
    live = await record(kind="offer.withdrawn", payload={"offer_id": 2},
                        interpreter_ids=[user.interpreter_id])
    assert (await comm.receive_json_from(timeout=2))["id"] == live[0]
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_installations_on_other_redis_databases_do_not_hear_each_other(monkeypatch):
    """Pub/sub ignores the database number; the prefix from `tolk.env.channel_prefix` keeps two
    installations sharing one Redis server apart."""
    import os

    from tolk.env import channel_prefix

    monkeypatch.delenv("TOLK_CHANNEL_PREFIX", raising=False)
    base = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    first = RedisPubSubChannelLayer(hosts=[f"{base}/7"], prefix=channel_prefix(f"{base}/7"))
    second = RedisPubSubChannelLayer(hosts=[f"{base}/8"], prefix=channel_prefix(f"{base}/8"))
    try:
        mine = await first.new_channel()
        theirs = await second.new_channel()
        await first.group_add("organisation.1", mine)
        await second.group_add("organisation.1", theirs)
        await asyncio.sleep(0.1)  # subscriptions reach Redis
        await first.group_send("organisation.1", {"type": "outbox.event", "n": 1})
        assert (await asyncio.wait_for(first.receive(mine), 2))["n"] == 1
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(second.receive(theirs), 0.5)
    finally:
        await first.flush()
        await second.flush()
