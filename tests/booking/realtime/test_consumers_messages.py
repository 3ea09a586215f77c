"""Client messages on the websocket: anything malformed gets a machine-readable error and the socket
stays open."""

import json

import pytest
from channels.db import database_sync_to_async

from booking.realtime import consumers
from tests.booking.wsclient import ws_open
from tests.factories import BookerFactory, InterpreterUserFactory

# A socket re-checks its user's access in the database after joining its groups, so the users are
# stored, in committed transactions the consumer's own connection can see.
pytestmark = pytest.mark.django_db(transaction=True)


def _interpreter():
    """A logged-in interpreter; these messages never reach a service."""
    return database_sync_to_async(InterpreterUserFactory)()


@pytest.fixture
async def interpreter_socket():
    comm = await ws_open("/ws/interpreter/", await _interpreter())
    yield comm
    await comm.disconnect()


async def _still_open(comm):
    """The socket still answers after an error."""
    await comm.send_json_to({"type": "no.such.type"})
    reply = await comm.receive_json_from(timeout=2)
    assert reply["type"] == "error" and reply["code"] == "invalid"


async def test_malformed_message_is_an_error_and_socket_stays_open(interpreter_socket):
    for text in ["not json", "[1, 2]", json.dumps({"offer_id": 1}), json.dumps({"type": 5}),
                 "null"]:
        await interpreter_socket.send_to(text_data=text)
        reply = await interpreter_socket.receive_json_from(timeout=2)
        assert reply["type"] == "error", text
        assert set(reply) >= {"code", "detail", "section", "fields"}
        assert reply["code"] == "invalid"
    await _still_open(interpreter_socket)


async def test_binary_message_is_refused(interpreter_socket):
    await interpreter_socket.send_to(bytes_data=b"\x00\x01")
    reply = await interpreter_socket.receive_json_from(timeout=2)
    assert reply["type"] == "error" and reply["code"] == "invalid"
    await _still_open(interpreter_socket)


async def test_oversized_message_is_refused(interpreter_socket):
    await interpreter_socket.send_json_to({"type": "offer.decline", "offer_id": 1,
                                           "reason": "x" * (consumers.MAX_MESSAGE_BYTES + 1)})
    reply = await interpreter_socket.receive_json_from(timeout=2)
    assert reply["type"] == "error" and reply["code"] == "invalid"
    await _still_open(interpreter_socket)


async def test_accept_needs_a_valid_offer_id(interpreter_socket):
    for n, offer_id in enumerate([None, "12", 0, -3, True, 1.5, 2**70]):
        message = {"type": "offer.accept", "impartial": True, "confidentiality": True,
                   "request_id": f"r{n}"}
        if offer_id is not None:
            message["offer_id"] = offer_id
        await interpreter_socket.send_json_to(message)
        reply = await interpreter_socket.receive_json_from(timeout=2)
        assert reply["type"] == "offer.accept.result"
        assert reply["status"] == "error" and reply["code"] == "invalid"
        assert "offer_id" in reply["fields"]
        assert reply["request_id"] == f"r{n}"
    await _still_open(interpreter_socket)


async def test_decline_reason_must_be_short_text(interpreter_socket):
    for reason in [5, ["no"], "x" * 501]:
        await interpreter_socket.send_json_to({"type": "offer.decline", "offer_id": 1,
                                               "reason": reason})
        reply = await interpreter_socket.receive_json_from(timeout=2)
        assert reply["type"] == "offer.decline.result" and reply["status"] == "error"
        assert "reason" in reply["fields"]


async def test_request_id_must_be_short(interpreter_socket):
    await interpreter_socket.send_json_to({"type": "offer.accept", "request_id": "x" * 65})
    reply = await interpreter_socket.receive_json_from(timeout=2)
    assert reply["type"] == "error" and "request_id" in reply["fields"]


async def test_message_flood_is_throttled(interpreter_socket):
    for _ in range(consumers.MESSAGE_BURST):
        await interpreter_socket.send_json_to({"type": "no.such.type"})
    for _ in range(consumers.MESSAGE_BURST):
        assert (await interpreter_socket.receive_json_from(timeout=2))["code"] == "invalid"
    await interpreter_socket.send_json_to({"type": "no.such.type"})
    assert (await interpreter_socket.receive_json_from(timeout=2))["code"] == "throttled"


async def test_bookings_route_accepts_no_offer_messages():
    user = await database_sync_to_async(BookerFactory)()
    comm = await ws_open("/ws/bookings/", user)
    await comm.send_json_to({"type": "offer.accept", "offer_id": 1, "impartial": True,
                             "confidentiality": True})
    reply = await comm.receive_json_from(timeout=2)
    assert reply["type"] == "error" and reply["code"] == "invalid" and "type" in reply["fields"]
    await comm.disconnect()


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ([], "nb"),
        ([(b"accept-language", b"en-GB,en;q=0.9")], "en"),
        ([(b"accept-language", b"nn-NO,en;q=0.5")], "nb"),
        ([(b"accept-language", b"de-DE")], "nb"),
        ([(b"cookie", b"django_language=en"), (b"accept-language", b"nb")], "en"),
        ([(b"cookie", b"\x00;;==bad"), (b"accept-language", b"en")], "en"),
    ],
)
def test_socket_language_from_cookie_or_browser(headers, language):
    assert consumers.scope_language({"headers": headers}) == language
