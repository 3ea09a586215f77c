"""Websocket clients that are not browsers: a phone app sends no `Origin`. A socket that proves
who it is with a one-time ticket needs none; a socket that relies on the session cookie must come
from an allowed origin, so that another site cannot open it with the user's cookie (CSWSH)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from booking.models import WebsocketTicket
from tests.booking.wsclient import record
from tests.conftest import client_for
from tests.factories import InterpreterUserFactory
from tolk.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

HOST = [(b"host", b"localhost")]


@database_sync_to_async
def _ticket_for(user: Any) -> str:
    response = client_for(user).post("/api/v1/auth/ws-ticket/")
    assert response.status_code == 201, response.content
    return response.json()["ticket"]


@database_sync_to_async
def _session_cookie(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}" \
        .encode()


async def _connect(path: str, headers: list[tuple[bytes, bytes]]) -> tuple[Any, bool]:
    comm = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await comm.connect(timeout=3)
    return comm, connected


async def test_a_ticket_without_origin_is_accepted_and_receives_events() -> None:
    user = await database_sync_to_async(InterpreterUserFactory)()
    ticket = await _ticket_for(user)
    comm, connected = await _connect(f"/ws/interpreter/?ticket={ticket}", HOST)
    assert connected
    ids = await record(kind="offer.created", payload={"offer_id": 1},
                       interpreter_ids=[user.interpreter_id])
    message = await comm.receive_json_from(timeout=3)
    assert message["id"] == ids[0]
    # Messages from the client are understood too.
    await comm.send_json_to({"type": "offer.decline", "offer_id": 999999})
    reply = await comm.receive_json_from(timeout=3)
    assert reply["type"] == "offer.decline.result" and reply["status"] == "error"
    await comm.disconnect()


async def test_a_cookie_without_origin_is_refused() -> None:
    user = await database_sync_to_async(InterpreterUserFactory)()
    cookie = await _session_cookie(user)
    comm, connected = await _connect("/ws/interpreter/", [*HOST, (b"cookie", cookie)])
    assert not connected
    await comm.disconnect()


async def test_the_same_cookie_from_the_site_itself_is_accepted() -> None:
    user = await database_sync_to_async(InterpreterUserFactory)()
    cookie = await _session_cookie(user)
    comm, connected = await _connect(
        "/ws/interpreter/", [*HOST, (b"origin", b"http://localhost"), (b"cookie", cookie)]
    )
    assert connected
    ids = await record(kind="offer.created", payload={"offer_id": 2},
                       interpreter_ids=[user.interpreter_id])
    assert (await comm.receive_json_from(timeout=3))["id"] == ids[0]
    await comm.disconnect()


async def test_without_origin_the_cookie_never_stands_in_for_a_bad_ticket() -> None:
    user = await database_sync_to_async(InterpreterUserFactory)()
    cookie = await _session_cookie(user)
    comm, connected = await _connect(
        "/ws/interpreter/?ticket=not-a-ticket", [*HOST, (b"cookie", cookie)]
    )
    assert connected
    output = await comm.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4401}


async def test_a_used_or_expired_ticket_without_origin_is_4401() -> None:
    user = await database_sync_to_async(InterpreterUserFactory)()
    ticket = await _ticket_for(user)
    first, connected = await _connect(f"/ws/interpreter/?ticket={ticket}", HOST)
    assert connected
    await first.disconnect()
    again, connected = await _connect(f"/ws/interpreter/?ticket={ticket}", HOST)
    assert connected
    assert (await again.receive_output(timeout=3))["code"] == 4401
    expired = await database_sync_to_async(WebsocketTicket.objects.create)(
        key="expired-no-origin", user=user, expires_at=timezone.now() - timedelta(seconds=1)
    )
    late, connected = await _connect(f"/ws/interpreter/?ticket={expired.key}", HOST)
    assert connected
    assert (await late.receive_output(timeout=3))["code"] == 4401


@pytest.mark.parametrize("origin", [b"https://evil.example", b"null"])
async def test_a_ticket_from_a_foreign_origin_is_still_refused(origin: bytes) -> None:
    user = await database_sync_to_async(InterpreterUserFactory)()
    ticket = await _ticket_for(user)
    comm, connected = await _connect(f"/ws/interpreter/?ticket={ticket}",
                                     [*HOST, (b"origin", origin)])
    assert not connected
    await comm.disconnect()
