"""Websocket test clients: Channels' WebsocketCommunicator against `tolk.asgi.application`."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from booking.realtime.outbox import event_record
from tolk.asgi import application

ORIGIN_HEADERS = [(b"host", b"localhost"), (b"origin", b"http://localhost")]


async def ws_open(
    path: str, user: Any = None, headers: list | None = None
) -> WebsocketCommunicator:
    """Open a socket; `user` stands for a logged-in session. Returns after the server's accept."""
    comm = WebsocketCommunicator(application, path, headers=headers or ORIGIN_HEADERS)
    if user is not None:
        comm.scope["user"] = user
    connected, _ = await comm.connect(timeout=3)
    assert connected
    return comm


async def ws_closed_with(comm: WebsocketCommunicator) -> int | None:
    out = await comm.receive_output(timeout=2)
    assert out["type"] == "websocket.close", out
    return out.get("code")


async def ws_events(comm: WebsocketCommunicator, count: int, timeout: float = 2) -> list[dict]:
    return [await comm.receive_json_from(timeout=timeout) for _ in range(count)]


@database_sync_to_async
def record(**kwargs: Any) -> list[int]:
    """Record events in a committed transaction (delivered after commit); returns their ids."""
    with transaction.atomic():
        return [e.id for e in event_record(**kwargs)]
