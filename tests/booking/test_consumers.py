import json

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async

from booking.outbox import event_record
from booking.realtime import outbox_dispatch_pending
from tests.factories import BookerFactory, InterpreterUserFactory
from tolk.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


class Socket(ApplicationCommunicator):
    """A websocket client speaking ASGI directly to the application."""

    async def receive_json_from(self, timeout=1):
        out = await self.receive_output(timeout)
        assert out["type"] == "websocket.send", out
        return json.loads(out["text"])

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


async def _connect(path, user=None):
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "websocket", "path": raw_path, "query_string": query.encode(),
        "headers": [(b"host", b"localhost"), (b"origin", b"http://localhost")],
        "subprotocols": [],
    }
    comm = Socket(application, scope)
    if user is not None:
        comm.scope["user"] = user
    await comm.send_input({"type": "websocket.connect"})
    out = await comm.receive_output(2)
    assert out["type"] == "websocket.accept", out
    return comm


@database_sync_to_async
def _record(**kwargs):
    from django.db import transaction

    with transaction.atomic():
        return [e.id for e in event_record(**kwargs)]


async def test_anonymous_socket_is_closed_4401():
    comm = await _connect("/ws/interpreter/")
    out = await comm.receive_output()
    assert out == {"type": "websocket.close", "code": 4401}


async def test_interpreter_gets_own_events_and_replay_since():
    user = await database_sync_to_async(InterpreterUserFactory)()
    other = await database_sync_to_async(InterpreterUserFactory)()
    first = await _record(kind="offer.created", payload={"offer_id": 1},
                          interpreter_ids=[user.interpreter_id])
    await _record(kind="offer.created", payload={"offer_id": 2},
                  interpreter_ids=[other.interpreter_id])
    comm = await _connect(f"/ws/interpreter/?since={first[0] - 1}", user)
    replayed = await comm.receive_json_from()
    assert replayed["id"] == first[0] and replayed["payload"] == {"offer_id": 1}
    live = await _record(kind="offer.withdrawn", payload={"offer_id": 1},
                         interpreter_ids=[user.interpreter_id])
    await database_sync_to_async(outbox_dispatch_pending)()
    message = await comm.receive_json_from(timeout=2)
    assert message["id"] == live[0] and message["type"] == "offer.withdrawn"
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_booker_on_interpreter_route_is_closed_4403():
    user = await database_sync_to_async(BookerFactory)()
    comm = await _connect("/ws/interpreter/", user)
    out = await comm.receive_output()
    assert out == {"type": "websocket.close", "code": 4403}


async def test_ticket_opens_socket_once():
    from tests.conftest import client_for

    user = await database_sync_to_async(InterpreterUserFactory)()
    response = await database_sync_to_async(
        lambda: client_for(user).post("/api/v1/auth/ws-ticket/")
    )()
    assert response.status_code == 201
    ticket = response.json()["ticket"]
    event = await _record(kind="offer.created", payload={"offer_id": 3},
                          interpreter_ids=[user.interpreter_id])
    comm = await _connect(f"/ws/interpreter/?ticket={ticket}&since=0")
    assert (await comm.receive_json_from())["id"] == event[0]
    await comm.disconnect()
    again = await _connect(f"/ws/interpreter/?ticket={ticket}")
    assert await again.receive_output() == {"type": "websocket.close", "code": 4401}


async def test_ticket_requires_authentication():
    from rest_framework.test import APIClient

    response = await database_sync_to_async(
        lambda: APIClient().post("/api/v1/auth/ws-ticket/")
    )()
    assert response.status_code in (401, 403)
