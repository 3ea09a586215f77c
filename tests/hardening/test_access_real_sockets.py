"""Access ends on real sockets: a real server (two uvicorn workers, PostgreSQL, the Redis channel
layer), real websocket clients opened with one-time tickets, and the changes made from another
process (an admin's `manage.py shell`, the API on either worker). Each socket is closed with 4401
within seconds and receives nothing more; an unused ticket opens nothing."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import subprocess
import time
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.benchmarks.harness import (
    PYTHON,
    ROOT,
    BenchDatabase,
    Server,
    close_clients,
    http_json,
    open_interpreter_clients,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CLOSE_WITHIN_SECONDS = 5.0


def _database_name() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return f"{urlparse(url).path.lstrip('/') or 'tolk'}_sockets"


def _shell(db: BenchDatabase, redis_url: str, code: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT,
        env=db.env(REDIS_URL=redis_url), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


RECORD = """
import json
from django.db import transaction
from booking.realtime.outbox import event_record
with transaction.atomic():
    events = event_record(kind="offer.created",
                          payload={"offer_id": 1, "address": "Storgata 1", "topic": "barnevern"},
                          interpreter_ids=INTERPRETERS)
print(json.dumps([e.id for e in events]))
"""

CHANGE = """
from booking.models import Role, User
user = User.objects.get(pk=USER_ID)
change = "CHANGE"
if change == "deactivate":
    user.is_active = False
elif change == "role":
    user.role = Role.ANALYST
    user.interpreter = None
else:
    user.set_password("a-brand-new-passphrase-43")
user.save()
"""


async def _closed_with(client: Any, since: float, what: str) -> int | None:
    await asyncio.wait_for(client.connection.wait_closed(), CLOSE_WITHIN_SECONDS)
    print(f"[access] {what}: socket closed {1000 * (time.perf_counter() - since):.0f} ms after "
          "the change returned")
    return client.connection.close_code


def test_revocation_closes_real_sockets_across_workers() -> None:
    redis_url = os.environ["REDIS_URL"]
    with BenchDatabase.fresh(_database_name(),
                             server_url=os.environ["DATABASE_URL"]) as db:
        world = db.populate(interpreters=4)
        # A loop of its own in a thread of its own: an async test before this one may have left
        # the main thread's event loop set.
        with (Server(db, workers=2, redis_url=redis_url) as server,
              concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool):
            pool.submit(asyncio.run, _scenario(db, server, world, redis_url)).result()


async def _scenario(db: BenchDatabase, server: Server, world: Any, redis_url: str) -> None:
    import httpx
    import websockets

    entries = world.interpreters
    interpreter_ids = [e["interpreter_id"] for e in entries]
    clients = await open_interpreter_clients(server, world)
    by_interpreter = {c.interpreter_id: c for c in clients}
    ordered = [by_interpreter[i] for i in interpreter_ids]
    try:
        async with httpx.AsyncClient(base_url=server.http, timeout=30) as http:
            # A spare ticket of the user about to be deactivated, never used.
            status, spare = await http_json(http, "POST", "/api/v1/auth/ws-ticket/",
                                            token=entries[1]["token"])
            assert status == 201

            first = json.loads(_shell(db, redis_url, RECORD.replace(
                "INTERPRETERS", repr(interpreter_ids))).strip().splitlines()[-1])
            await asyncio.gather(*(
                asyncio.wait_for(c.expect(lambda m, ids=first: m.get("id") in ids), 10)
                for c in ordered
            ))

            # 0: the token is revoked through the API.
            started = time.perf_counter()
            response = await http.delete("/api/v1/auth/token/",
                                         headers={"Authorization": f"Token {entries[0]['token']}"})
            assert response.status_code == 204
            returned = time.perf_counter()
            print(f"[access] token revoked: the DELETE took {1000 * (returned - started):.0f} ms")
            assert await _closed_with(ordered[0], returned, "token revoked") == 4401
            # 1-3: the account is deactivated, its role changed, its password changed, by an
            # administrator in another process.
            for n, change in ((1, "deactivate"), (2, "role"), (3, "password")):
                _shell(db, redis_url, CHANGE.replace("USER_ID", str(entries[n]["user_id"]))
                       .replace("CHANGE", change))
                assert await _closed_with(ordered[n], time.perf_counter(), change) == 4401, change

            # Nothing more reaches any of them, and every token is dead.
            later = json.loads(_shell(db, redis_url, RECORD.replace(
                "INTERPRETERS", repr(interpreter_ids))).strip().splitlines()[-1])
            await asyncio.sleep(1.0)
            for client in ordered:
                assert not [r for r in client.received if r.message.get("id") in later]
            for entry in entries:
                status, body = await http_json(http, "GET", "/api/v1/me/", token=entry["token"])
                assert status == 401, (entry, body)

        # The spare ticket of the deactivated user opens nothing.
        async with websockets.connect(f"{server.ws}/ws/interpreter/?ticket={spare['ticket']}",
                                      origin=server.http) as late:
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(late.recv(), CLOSE_WITHIN_SECONDS)
            assert late.close_code == 4401
    finally:
        await close_clients(clients)
