"""When access ends, every way in ends: API tokens, sessions, unused websocket tickets and open
websockets (closed with 4401, nothing more sent), whether the token was revoked, the password
changed, the account deactivated or the role changed."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from booking.accounts import services as access
from booking.models import Role, WebsocketTicket
from booking.realtime import consumers
from tests.booking.wsclient import record, ws_closed_with, ws_open
from tests.factories import BookerFactory, InterpreterUserFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-interpreter-passphrase-42"


@database_sync_to_async
def _interpreter() -> Any:
    return InterpreterUserFactory(username="amal", password=PASSWORD)


@database_sync_to_async
def _login_token(username: str = "amal") -> str:
    response = APIClient().post("/api/v1/auth/token/",
                                {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


@database_sync_to_async
def _ticket(token: str) -> str:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.post("/api/v1/auth/ws-ticket/")
    assert response.status_code == 201, response.content
    return response.json()["ticket"]


@database_sync_to_async
def _api_status(token: str, method: str = "get", path: str = "/api/v1/me/") -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return getattr(api, method)(path).status_code


async def _ticket_socket(token: str) -> Any:
    return await ws_open(f"/ws/interpreter/?ticket={await _ticket(token)}")


async def _offer_to(user: Any, interpreter_id: int | None = None) -> int:
    """An offer event with an address and topic notes, as the real offers carry."""
    ids = await record(kind="offer.created",
                       payload={"offer_id": 1, "address": "Storgata 1", "topic": "barnevern"},
                       interpreter_ids=[interpreter_id or user.interpreter_id])
    return ids[0]


async def _assert_receives(comm: Any, event_id: int) -> None:
    message = await comm.receive_json_from(timeout=3)
    assert message["id"] == event_id


async def _assert_closed_and_silent(
    comm: Any, user: Any, interpreter_id: int | None = None
) -> None:
    assert await ws_closed_with(comm) == consumers.CLOSE_UNAUTHENTICATED
    await _offer_to(user, interpreter_id)
    assert await comm.receive_nothing(timeout=0.3)


async def test_revoking_the_token_closes_its_socket_and_voids_its_unused_tickets():
    user = await _interpreter()
    token = await _login_token()
    other_device = await _login_token()
    comm = await _ticket_socket(token)
    other_socket = await _ticket_socket(other_device)
    unused = await _ticket(token)
    event_id = await _offer_to(user)
    await _assert_receives(comm, event_id)
    await _assert_receives(other_socket, event_id)

    assert await _api_status(token, "delete", "/api/v1/auth/token/") == 204

    await _assert_closed_and_silent(comm, user)
    assert await _api_status(token) == 401
    late = await ws_open(f"/ws/interpreter/?ticket={unused}")
    assert await ws_closed_with(late) == 4401
    # The user's other device keeps its token and its socket.
    assert await _api_status(other_device) == 200
    message = await other_socket.receive_json_from(timeout=3)
    assert message["type"] == "offer.created"
    await other_socket.disconnect()


@pytest.mark.parametrize("change", ["deactivate", "role", "password", "unlink"])
async def test_account_changes_end_every_way_in(change: str):
    user = await _interpreter()
    token = await _login_token()
    ticket_socket = await _ticket_socket(token)
    session_socket = await ws_open("/ws/interpreter/", user)
    unused = await _ticket(token)
    browser = Client()

    @database_sync_to_async
    def log_in_browser() -> int:
        browser.force_login(user)
        return browser.get("/api/v1/me/").status_code

    assert await log_in_browser() == 200

    @database_sync_to_async
    def apply() -> None:
        if change == "deactivate":
            user.is_active = False
            user.save()
        elif change == "role":
            user.role = Role.ANALYST
            user.interpreter = None
            user.save()
        elif change == "password":
            user.set_password("a-brand-new-passphrase-43")
            user.save(update_fields=["password"])
        else:  # linked to another register entry
            from tests.factories import InterpreterFactory

            user.interpreter = InterpreterFactory()
            user.save()

    interpreter_id = user.interpreter_id
    await apply()

    await _assert_closed_and_silent(ticket_socket, user, interpreter_id)
    await _assert_closed_and_silent(session_socket, user, interpreter_id)
    assert await _api_status(token) == 401
    assert await database_sync_to_async(lambda: AuthToken.objects.filter(user=user).count())() == 0
    assert not await database_sync_to_async(
        lambda: WebsocketTicket.objects.filter(key=unused).exists())()
    late = await ws_open(f"/ws/interpreter/?ticket={unused}")
    assert await ws_closed_with(late) == 4401
    # The browser's session ended too.
    assert await database_sync_to_async(lambda: browser.get("/api/v1/me/").status_code)() in {
        401, 403}


async def test_booker_socket_closes_when_moved_to_another_organisation():
    booker = await database_sync_to_async(BookerFactory)()
    comm = await ws_open("/ws/bookings/", booker)

    @database_sync_to_async
    def move() -> None:
        organisation = OrganisationFactory()
        booker.organisation = organisation
        booker.unit = organisation.units.create(name="Ny enhet", sector=booker.unit.sector,
                                                municipality=booker.unit.municipality)
        booker.save()

    await move()
    assert await ws_closed_with(comm) == 4401


async def test_the_catch_up_round_closes_sockets_when_the_close_message_was_lost(monkeypatch):
    user = await _interpreter()
    token = await _login_token()
    comm = await _ticket_socket(token)
    session_socket = await ws_open("/ws/interpreter/", user)
    # The channel layer loses every close message.
    monkeypatch.setattr(access, "_close_sockets", lambda group: None)

    @database_sync_to_async
    def deactivate() -> None:
        user.is_active = False
        user.save()

    await deactivate()
    assert await comm.receive_nothing(timeout=0.2)  # nothing told it yet
    await consumers.catch_up_rounds().round()
    await _assert_closed_and_silent(comm, user)
    await _assert_closed_and_silent(session_socket, user)


async def test_the_catch_up_round_closes_a_socket_whose_token_expired(monkeypatch):
    user = await _interpreter()
    token = await _login_token()
    comm = await _ticket_socket(token)
    from django.utils import timezone

    await database_sync_to_async(
        lambda: AuthToken.objects.filter(user=user).update(expiry=timezone.now())
    )()
    await consumers.catch_up_rounds().round()
    await _assert_closed_and_silent(comm, user)


async def test_a_socket_of_an_unchanged_user_stays_open_through_the_round():
    user = await _interpreter()
    token = await _login_token()
    comm = await _ticket_socket(token)

    @database_sync_to_async
    def harmless() -> None:
        user.first_name = "Amal"
        user.save()
        user.save(update_fields=["last_login"])

    await harmless()
    await consumers.catch_up_rounds().round()
    event_id = await _offer_to(user)
    await _assert_receives(comm, event_id)
    await comm.disconnect()



async def test_access_that_ends_while_the_socket_opens_is_not_missed(monkeypatch):
    user = await _interpreter()
    token = await _login_token()
    ticket = await _ticket(token)
    monkeypatch.setattr(access, "_close_sockets", lambda group: None)
    consume = consumers.ticket_consume

    async def consume_then_deactivate(key: str) -> Any:
        found = await consume(key)

        @database_sync_to_async
        def deactivate() -> None:
            user.is_active = False
            user.save()

        await deactivate()  # before the socket has joined its groups: no message can reach it
        return found

    monkeypatch.setattr(consumers, "ticket_consume", consume_then_deactivate)
    comm = await ws_open(f"/ws/interpreter/?ticket={ticket}")
    await _assert_closed_and_silent(comm, user)
