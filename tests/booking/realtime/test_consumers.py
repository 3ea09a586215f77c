"""The websocket streams: who may connect, what each user receives, replay with `since`."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from booking.models import Event, WebsocketTicket
from booking.realtime import consumers
from booking.realtime.relay import event_message
from tests.booking.wsclient import record, ws_closed_with, ws_events, ws_open
from tests.conftest import client_for
from tests.factories import (
    BookerFactory,
    CoordinatorFactory,
    InterpreterUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _make(factory, **kwargs):
    return database_sync_to_async(factory)(**kwargs)


async def test_anonymous_socket_is_closed_4401():
    for path in ["/ws/interpreter/", "/ws/bookings/", "/ws/bookings/?since=0"]:
        comm = await ws_open(path)
        assert await ws_closed_with(comm) == 4401


async def test_wrong_role_for_the_route_is_closed_4403():
    for factory, path in [
        (BookerFactory, "/ws/interpreter/"),
        (CoordinatorFactory, "/ws/interpreter/"),
        (InterpreterUserFactory, "/ws/bookings/"),
        (UserFactory, "/ws/bookings/"),  # analyst
    ]:
        user = await _make(factory)
        comm = await ws_open(path, user)
        assert await ws_closed_with(comm) == 4403, (factory, path)


async def test_interpreter_gets_own_events_only_and_replay_since():
    user = await _make(InterpreterUserFactory)
    other = await _make(InterpreterUserFactory)
    old = await record(kind="offer.created", payload={"offer_id": 1},
                       interpreter_ids=[user.interpreter_id])
    first = await record(kind="offer.created", payload={"offer_id": 2},
                         interpreter_ids=[user.interpreter_id])
    await record(kind="offer.created", payload={"offer_id": 3},
                 interpreter_ids=[other.interpreter_id])
    comm = await ws_open(f"/ws/interpreter/?since={old[0]}", user)
    replayed = await comm.receive_json_from(timeout=2)
    assert replayed["id"] == first[0]
    assert replayed["type"] == "offer.created" and replayed["payload"] == {"offer_id": 2}
    assert await comm.receive_nothing(timeout=0.2)

    live = await record(kind="offer.withdrawn", payload={"offer_id": 2, "reason": "taken"},
                        interpreter_ids=[user.interpreter_id, other.interpreter_id])
    message = await comm.receive_json_from(timeout=2)
    assert message["id"] == live[0] and message["type"] == "offer.withdrawn"
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_without_since_only_live_events_arrive():
    user = await _make(InterpreterUserFactory)
    await record(kind="offer.created", payload={"offer_id": 1},
                 interpreter_ids=[user.interpreter_id])
    comm = await ws_open("/ws/interpreter/", user)
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_bookings_stream_is_per_organisation():
    booker = await _make(BookerFactory)
    colleague = await _make(BookerFactory, unit__organisation=booker.organisation)
    coordinator = await _make(CoordinatorFactory)
    stranger = await _make(BookerFactory)
    sockets = {
        name: await ws_open("/ws/bookings/", user)
        for name, user in [("booker", booker), ("colleague", colleague),
                           ("coordinator", coordinator), ("stranger", stranger)]
    }
    ids = await record(kind="booking.changed",
                       payload={"booking_id": 5, "status": "filled",
                                "from": "open", "to": "filled"},
                       organisation_ids=[booker.organisation_id, coordinator.organisation_id])
    for name in ("booker", "colleague"):
        assert (await sockets[name].receive_json_from(timeout=2))["id"] == ids[0]
    assert (await sockets["coordinator"].receive_json_from(timeout=2))["id"] == ids[1]
    assert await sockets["stranger"].receive_nothing(timeout=0.3)
    for comm in sockets.values():
        await comm.disconnect()


async def test_reconnect_with_since_replays_exactly_the_missed_events():
    user = await _make(InterpreterUserFactory)
    other = await _make(InterpreterUserFactory)
    comm = await ws_open("/ws/interpreter/?since=0", user)
    seen = await record(kind="offer.created", payload={"offer_id": 1},
                        interpreter_ids=[user.interpreter_id])
    assert (await comm.receive_json_from(timeout=2))["id"] == seen[0]
    await comm.disconnect()

    missed = []
    for n in range(3):
        missed += await record(kind="offer.created", payload={"offer_id": 10 + n},
                               interpreter_ids=[user.interpreter_id, other.interpreter_id])
    mine = missed[0::2]
    again = await ws_open(f"/ws/interpreter/?since={seen[0]}", user)
    assert [m["id"] for m in await ws_events(again, 3)] == mine
    assert await again.receive_nothing(timeout=0.3)
    live = await record(kind="assignment.changed", payload={"assignment_id": 1},
                        interpreter_ids=[user.interpreter_id])
    assert (await again.receive_json_from(timeout=2))["id"] == live[0]
    await again.disconnect()


async def test_event_committed_late_with_a_smaller_id_is_replayed():
    """Ids are taken at write time, so a transaction that commits later can carry a smaller id than
    the last event the client saw; it must not be lost on reconnect."""
    user = await _make(InterpreterUserFactory)
    ids = []
    for n in range(3):
        ids += await record(kind="offer.created", payload={"offer_id": n},
                            interpreter_ids=[user.interpreter_id])
    early, late, last = ids

    @database_sync_to_async
    def reorder():
        now = timezone.now()
        Event.objects.filter(id=early).update(dispatched_at=now - timedelta(seconds=5))
        Event.objects.filter(id=last).update(dispatched_at=now - timedelta(seconds=2))
        Event.objects.filter(id=late).update(dispatched_at=now)

    await reorder()
    comm = await ws_open(f"/ws/interpreter/?since={last}", user)
    assert (await comm.receive_json_from(timeout=2))["id"] == late
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_too_many_missed_events_ask_for_resync(monkeypatch):
    monkeypatch.setattr(consumers, "REPLAY_LIMIT", 2)
    user = await _make(InterpreterUserFactory)
    for n in range(3):
        await record(kind="offer.created", payload={"offer_id": n},
                     interpreter_ids=[user.interpreter_id])
    comm = await ws_open("/ws/interpreter/?since=0", user)
    assert await comm.receive_json_from(timeout=2) == {"type": "resync", "limit": 2}
    assert await comm.receive_nothing(timeout=0.2)
    await comm.disconnect()


async def test_invalid_since_is_an_error_and_close_4400():
    user = await _make(InterpreterUserFactory)
    for since in ["-1", "abc", "1.5", "99999999999999999999999"]:
        comm = await ws_open(f"/ws/interpreter/?since={since}", user)
        error = await comm.receive_json_from(timeout=2)
        assert error["type"] == "error" and error["code"] == "invalid"
        assert "since" in error["fields"]
        assert await ws_closed_with(comm) == 4400


async def test_duplicate_delivery_reaches_the_client_once():
    user = await _make(InterpreterUserFactory)
    comm = await ws_open("/ws/interpreter/", user)
    ids = await record(kind="offer.created", payload={"offer_id": 1},
                       interpreter_ids=[user.interpreter_id])
    assert (await comm.receive_json_from(timeout=2))["id"] == ids[0]
    event = await database_sync_to_async(Event.objects.get)(id=ids[0])
    await get_channel_layer().group_send(
        f"interpreter.{user.interpreter_id}",
        {"type": "outbox.event", "event": event_message(event)},
    )
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_ticket_opens_socket_once():
    user = await _make(InterpreterUserFactory)
    response = await database_sync_to_async(
        lambda: client_for(user).post("/api/v1/auth/ws-ticket/")
    )()
    assert response.status_code == 201
    ticket = response.json()["ticket"]
    event = await record(kind="offer.created", payload={"offer_id": 3},
                         interpreter_ids=[user.interpreter_id])
    comm = await ws_open(f"/ws/interpreter/?ticket={ticket}&since=0")
    assert (await comm.receive_json_from(timeout=2))["id"] == event[0]
    await comm.disconnect()
    again = await ws_open(f"/ws/interpreter/?ticket={ticket}")
    assert await ws_closed_with(again) == 4401


async def test_expired_ticket_is_refused():
    user = await _make(InterpreterUserFactory)
    ticket = await database_sync_to_async(WebsocketTicket.objects.create)(
        key="expired-ticket", user=user, expires_at=timezone.now() - timedelta(seconds=1)
    )
    comm = await ws_open(f"/ws/interpreter/?ticket={ticket.key}")
    assert await ws_closed_with(comm) == 4401


async def test_ticket_of_deactivated_user_is_refused():
    user = await _make(InterpreterUserFactory, is_active=False)
    ticket = await database_sync_to_async(WebsocketTicket.objects.create)(
        key="inactive-ticket", user=user, expires_at=timezone.now() + timedelta(seconds=30)
    )
    comm = await ws_open(f"/ws/interpreter/?ticket={ticket.key}")
    assert await ws_closed_with(comm) == 4401


async def test_ticket_requires_authentication():
    from rest_framework.test import APIClient

    response = await database_sync_to_async(
        lambda: APIClient().post("/api/v1/auth/ws-ticket/")
    )()
    assert response.status_code in (401, 403)
    assert response.json()["code"] in ("not_authenticated", "authentication_failed")


async def test_foreign_origin_is_refused():
    from channels.testing import WebsocketCommunicator

    from tolk.asgi import application

    user = await _make(InterpreterUserFactory)
    comm = WebsocketCommunicator(
        application, "/ws/interpreter/",
        headers=[(b"host", b"localhost"), (b"origin", b"https://evil.example")],
    )
    comm.scope["user"] = user
    connected, _ = await comm.connect(timeout=2)
    assert not connected



async def test_long_lived_socket_is_asked_to_reconnect(monkeypatch):
    monkeypatch.setattr(consumers, "MAX_CONNECTION_SECONDS", 0.2)
    user = await _make(InterpreterUserFactory)
    comm = await ws_open("/ws/interpreter/", user)
    assert await ws_closed_with(comm) == 4000
