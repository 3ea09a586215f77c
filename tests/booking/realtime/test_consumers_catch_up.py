"""Catch-up on an open socket: events the channel layer lost on the way still arrive, once."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from booking.models import Event, Organisation
from booking.realtime import consumers
from tests.booking.wsclient import record, ws_open
from tests.factories import BookerFactory, InterpreterUserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick(monkeypatch):
    """A catch-up round every 50–150 ms; an event counts as settled once it was sent out."""
    monkeypatch.setattr(consumers, "CATCH_UP_SECONDS", 0.1)
    monkeypatch.setattr(consumers, "SETTLE_SECONDS", 0.0)


@database_sync_to_async
def lost_on_the_way(*, interpreter_id=None, organisation_id=None, n=1, sent_ago=10.0):
    """Events written and marked sent out, as if the channel layer had dropped them."""
    sent = timezone.now() - timedelta(seconds=sent_ago)
    return [
        Event.objects.create(kind="offer.created", payload={"offer_id": 100 + i},
                             interpreter_id=interpreter_id, organisation_id=organisation_id,
                             dispatched_at=sent).id
        for i in range(n)
    ]


async def test_event_lost_by_the_layer_reaches_the_open_socket(quick):
    user = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    ids = await lost_on_the_way(interpreter_id=user.interpreter_id, n=2)
    received = [await comm.receive_json_from(timeout=2) for _ in ids]
    assert [m["id"] for m in received] == ids
    assert received[0]["type"] == "offer.created"
    assert received[0]["payload"] == {"offer_id": 100}
    # Later rounds do not send them again.
    assert await comm.receive_nothing(timeout=0.4)
    await comm.disconnect()


async def test_event_delivered_live_is_not_sent_again(quick):
    user = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    ids = await record(kind="offer.created", payload={"offer_id": 1},
                       interpreter_ids=[user.interpreter_id])
    assert (await comm.receive_json_from(timeout=2))["id"] == ids[0]
    assert await comm.receive_nothing(timeout=0.4)
    await comm.disconnect()


async def test_events_from_before_the_socket_opened_are_not_sent(quick):
    user = await database_sync_to_async(InterpreterUserFactory)()
    await lost_on_the_way(interpreter_id=user.interpreter_id)
    comm = await ws_open("/ws/interpreter/", user)
    assert await comm.receive_nothing(timeout=0.4)
    await comm.disconnect()


async def test_other_streams_are_not_caught_up(quick):
    user = await database_sync_to_async(InterpreterUserFactory)()
    other = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    await lost_on_the_way(interpreter_id=other.interpreter_id)
    assert await comm.receive_nothing(timeout=0.4)
    await comm.disconnect()


async def test_event_not_yet_settled_waits_then_arrives_once(monkeypatch):
    monkeypatch.setattr(consumers, "CATCH_UP_SECONDS", 0.1)
    monkeypatch.setattr(consumers, "SETTLE_SECONDS", 60.0)
    user = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    # Sent out a moment ago: the live message may still be on its way, so catch-up waits...
    fresh = await lost_on_the_way(interpreter_id=user.interpreter_id, sent_ago=1.0)
    # ...while an older lost one behind it is sent at once.
    older = await lost_on_the_way(interpreter_id=user.interpreter_id, sent_ago=120.0)
    assert (await comm.receive_json_from(timeout=2))["id"] == older[0]
    assert await comm.receive_nothing(timeout=0.4)
    # Once it has settled, the held event is sent, and the older one is not repeated.
    monkeypatch.setattr(consumers, "SETTLE_SECONDS", 0.0)
    assert (await comm.receive_json_from(timeout=2))["id"] == fresh[0]
    assert await comm.receive_nothing(timeout=0.4)
    await comm.disconnect()


async def test_event_waiting_in_the_outbox_is_caught_up_once_sent_out(quick):
    user = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    (waiting,) = await lost_on_the_way(interpreter_id=user.interpreter_id)

    @database_sync_to_async
    def not_sent(event_id, value):
        Event.objects.filter(id=event_id).update(dispatched_at=value)

    await not_sent(waiting, None)
    assert await comm.receive_nothing(timeout=0.4)
    await not_sent(waiting, timezone.now() - timedelta(seconds=1))
    assert (await comm.receive_json_from(timeout=2))["id"] == waiting
    await comm.disconnect()


async def test_organisation_stream_is_caught_up(quick):
    booker = await database_sync_to_async(BookerFactory)()
    comm = await ws_open("/ws/bookings/", booker)
    other = await database_sync_to_async(Organisation.objects.exclude(
        pk=booker.organisation_id).first)()
    if other is not None:
        await lost_on_the_way(organisation_id=other.pk)
    ids = await lost_on_the_way(organisation_id=booker.organisation_id)
    assert (await comm.receive_json_from(timeout=2))["id"] == ids[0]
    assert await comm.receive_nothing(timeout=0.4)
    await comm.disconnect()


async def test_too_many_lost_events_ask_for_resync(quick, monkeypatch):
    monkeypatch.setattr(consumers, "REPLAY_LIMIT", 2)
    user = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    await lost_on_the_way(interpreter_id=user.interpreter_id, n=3)
    assert await comm.receive_json_from(timeout=2) == {"type": "resync", "limit": 2}
    # Caught up to the newest: nothing follows.
    assert await comm.receive_nothing(timeout=0.4)
    await comm.disconnect()


async def test_catch_up_survives_a_failing_database_round(quick, monkeypatch):
    user = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    calls = []
    real = consumers.events_after_each

    async def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("connection lost")
        return await real(**kwargs)

    monkeypatch.setattr(consumers, "events_after_each", flaky)
    ids = await lost_on_the_way(interpreter_id=user.interpreter_id)
    assert (await comm.receive_json_from(timeout=3))["id"] == ids[0]
    assert len(calls) >= 2
    await comm.disconnect()


async def test_one_read_a_round_for_all_the_sockets_of_a_process(quick, monkeypatch):
    users = [await database_sync_to_async(InterpreterUserFactory)() for _ in range(3)]
    booker = await database_sync_to_async(BookerFactory)()
    sockets = [await ws_open("/ws/interpreter/", u) for u in users]
    sockets += [await ws_open("/ws/bookings/", booker) for _ in range(2)]
    reads = []
    real = consumers.events_after_each

    async def counted(**kwargs):
        reads.append(sorted(kwargs["after"]))
        return await real(**kwargs)

    monkeypatch.setattr(consumers, "events_after_each", counted)
    lost = [await lost_on_the_way(interpreter_id=u.interpreter_id) for u in users]
    lost.append(await lost_on_the_way(organisation_id=booker.organisation_id))
    for socket, ids in zip(sockets, [*lost, lost[-1]], strict=True):
        assert (await socket.receive_json_from(timeout=2))["id"] == ids[0]
    # Every read covers the four streams (two sockets share the organisation's) at once.
    assert reads and all(len(streams) == 4 for streams in reads)
    for socket in sockets:
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()


async def test_a_closed_socket_leaves_the_rounds(quick):
    user = await database_sync_to_async(InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    rounds = consumers.catch_up_rounds()
    assert len(rounds.sockets) == 1
    await comm.disconnect()
    assert not rounds.sockets
