"""Real offers over the websockets: a coordinator's wave reaches exactly the ranked candidates,
an accept over the socket runs the same service and rules as REST, the others see the offer
withdrawn, organisations see their booking change, nobody else sees anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from booking.models import Event, OfferStatus
from booking.realtime.relay import outbox_dispatch_pending
from booking.rules import TL14_LANGUAGE, TL15_CONFIDENTIALITY, TL16_IMPARTIALITY
from tests import factories
from tests.booking.booking_helpers import World, interpreter_user, request, world
from tests.booking.wsclient import ws_open
from tests.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)
YES = {"impartial": True, "confidentiality": True}


@dataclass
class Scene:
    w: World
    booking_id: int
    users: dict[str, Any]  # "A", "B", "C" by category, "other": another language


@database_sync_to_async
def _scene() -> Scene:
    from booking.dispatch.services.bookings import booking_create

    w = world()
    users = {c: interpreter_user(category=c) for c in ("C", "A", "B")}
    users["other"] = interpreter_user(language="tir", category="A")
    now = timezone.now()
    start = (now + dt.timedelta(days=14)).replace(hour=10, minute=0, second=0, microsecond=0)
    booking, _ = booking_create(user=w.booker, data=request(start), now=now)
    return Scene(w=w, booking_id=booking.pk, users=users)


@database_sync_to_async
def _offer_wave(scene: Scene, limit: int) -> list[int]:
    response = client_for(scene.w.coordinator).post(
        f"/api/v1/bookings/{scene.booking_id}/offers/", {"limit": limit}, format="json"
    )
    assert response.status_code in (200, 201), response.json()
    return sorted(
        scene.w.booker.organisation.bookings.get(pk=scene.booking_id)
        .offers.values_list("interpreter_id", flat=True)
    )


@database_sync_to_async
def _offer_id(scene: Scene, key: str) -> int:
    return scene.users[key].interpreter.offers.get(booking_id=scene.booking_id).pk


@database_sync_to_async
def _rest_accept(user: Any, offer_id: int, body: dict) -> tuple[int, dict]:
    response = client_for(user).post(f"/api/v1/offers/{offer_id}/accept/", body, format="json")
    return response.status_code, response.json()


async def _sockets(scene: Scene) -> dict[str, Any]:
    return {key: await ws_open("/ws/interpreter/", user) for key, user in scene.users.items()}


async def _close(sockets: dict[str, Any]) -> None:
    for comm in sockets.values():
        await comm.disconnect()


async def test_wave_reaches_exactly_the_ranked_candidates():
    scene = await _scene()
    sockets = await _sockets(scene)
    offered = await _offer_wave(scene, limit=2)
    assert offered == sorted([scene.users["A"].interpreter_id, scene.users["B"].interpreter_id])
    for key in ("A", "B"):
        message = await sockets[key].receive_json_from(timeout=2)
        assert message["type"] == "offer.created"
        payload = message["payload"]
        assert payload["booking_id"] == scene.booking_id
        assert payload["offer_id"] == await _offer_id(scene, key)
        assert payload["language"] == "ara" and payload["modality"] == "onsite"
        assert {"start", "end", "municipality", "address", "topic_notes", "expires_at"} <= set(
            payload
        )
        assert "assessment_note" not in payload and "case_reference" not in payload
    for key in ("C", "other"):
        assert await sockets[key].receive_nothing(timeout=0.3), key
    await _close(sockets)


async def test_accept_over_the_socket_withdraws_the_others_and_tells_the_organisations():
    scene = await _scene()
    sockets = await _sockets(scene)
    booker_socket = await ws_open("/ws/bookings/", scene.w.booker)
    coordinator_socket = await ws_open("/ws/bookings/", scene.w.coordinator)
    stranger = await database_sync_to_async(factories.BookerFactory)()
    stranger_socket = await ws_open("/ws/bookings/", stranger)
    await _offer_wave(scene, limit=2)
    for comm in (booker_socket, coordinator_socket):
        changed = await comm.receive_json_from(timeout=2)
        assert changed["type"] == "booking.changed"
        assert changed["payload"]["booking_id"] == scene.booking_id
        assert changed["payload"]["to"] == "offered"
    created = {key: await sockets[key].receive_json_from(timeout=2) for key in ("A", "B")}

    offer_b = created["B"]["payload"]["offer_id"]
    await sockets["B"].send_json_to({"type": "offer.accept", "offer_id": offer_b,
                                     "request_id": 1, **YES})
    received = [await sockets["B"].receive_json_from(timeout=3) for _ in range(2)]
    result = next(m for m in received if m["type"] == "offer.accept.result")
    assert result["status"] == "accepted" and result["offer_id"] == offer_b
    assert result["request_id"] == 1 and result["booking_id"] == scene.booking_id
    assert any(m["type"] == "assignment.changed" for m in received)

    withdrawn = await sockets["A"].receive_json_from(timeout=2)
    assert withdrawn["type"] == "offer.withdrawn"
    assert withdrawn["payload"]["offer_id"] == created["A"]["payload"]["offer_id"]
    assert withdrawn["payload"]["reason"] == "taken"
    for comm in (booker_socket, coordinator_socket):
        changed = await comm.receive_json_from(timeout=2)
        assert changed["type"] == "booking.changed"
        assert (changed["payload"]["from"], changed["payload"]["to"]) == ("offered", "assigned")
    assert await stranger_socket.receive_nothing(timeout=0.3)
    for key in ("C", "other"):
        assert await sockets[key].receive_nothing(timeout=0.1)

    # The loser's late accept gets the same answer as over REST.
    await sockets["A"].send_json_to({"type": "offer.accept",
                                     "offer_id": created["A"]["payload"]["offer_id"], **YES})
    late = await sockets["A"].receive_json_from(timeout=2)
    status, rest = await _rest_accept(scene.users["A"], created["A"]["payload"]["offer_id"], YES)
    assert status == 409
    assert late["status"] == "error" and late["code"] == rest["code"]
    assert (late["section"], late["fields"]) == (rest["section"], rest["fields"])
    await _close(sockets)
    for comm in (booker_socket, coordinator_socket, stranger_socket):
        await comm.disconnect()


async def test_accept_over_the_socket_enforces_the_rules_like_rest():
    scene = await _scene()
    sockets = await _sockets(scene)
    await _offer_wave(scene, limit=3)
    offers = {}
    for key in ("A", "B", "C"):
        offers[key] = (await sockets[key].receive_json_from(timeout=2))["payload"]["offer_id"]
    other_offer = offers["B"]
    cases = [
        ({"impartial": True}, "invalid", "A"),
        ({"impartial": "yes", "confidentiality": True}, "invalid", "A"),
        ({"impartial": False, "confidentiality": True}, TL16_IMPARTIALITY, "A"),
        ({"impartial": True, "confidentiality": False}, TL15_CONFIDENTIALITY, "A"),
    ]
    for body, code, key in cases:
        await sockets[key].send_json_to({"type": "offer.accept", "offer_id": offers[key], **body})
        reply = await sockets[key].receive_json_from(timeout=2)
        status, rest = await _rest_accept(scene.users[key], offers[key], body)
        assert reply["type"] == "offer.accept.result" and reply["status"] == "error"
        assert reply["code"] == code == rest["code"], (body, reply, rest)
        assert reply["fields"] == rest["fields"] and reply["section"] == rest["section"]
        assert status == 400

    # Someone else's offer does not exist for this interpreter (404 over REST).
    await sockets["A"].send_json_to({"type": "offer.accept", "offer_id": other_offer, **YES})
    reply = await sockets["A"].receive_json_from(timeout=2)
    status, rest = await _rest_accept(scene.users["A"], other_offer, YES)
    assert status == 404 and reply["code"] == rest["code"] == "offer_not_found"

    # The register entry is suspended after the offer went out: § 14 stops the accept.
    @database_sync_to_async
    def suspend():
        factories.StatusEventFactory(interpreter=scene.users["C"].interpreter,
                                     kind="suspension", valid_from=dt.date(2020, 1, 1))

    await suspend()
    await sockets["C"].send_json_to({"type": "offer.accept", "offer_id": offers["C"], **YES})
    reply = await sockets["C"].receive_json_from(timeout=2)
    assert reply["status"] == "error" and reply["code"] == TL14_LANGUAGE
    assert reply["section"]

    # Nothing of this changed the offers; A can still take it.
    await sockets["A"].send_json_to({"type": "offer.accept", "offer_id": offers["A"], **YES})
    messages = [await sockets["A"].receive_json_from(timeout=2) for _ in range(2)]
    assert any(m.get("status") == "accepted" for m in messages)
    await _close(sockets)


async def test_decline_over_the_socket_sends_the_next_wave():
    scene = await _scene()
    sockets = await _sockets(scene)
    await _offer_wave(scene, limit=1)
    offer_a = (await sockets["A"].receive_json_from(timeout=2))["payload"]["offer_id"]
    assert await sockets["B"].receive_nothing(timeout=0.2)
    await sockets["A"].send_json_to({"type": "offer.decline", "offer_id": offer_a,
                                     "reason": "  Opptatt  "})
    reply = await sockets["A"].receive_json_from(timeout=2)
    assert reply == {"type": "offer.decline.result", "offer_id": offer_a, "status": "declined"}

    @database_sync_to_async
    def declined():
        offer = scene.users["A"].interpreter.offers.get(pk=offer_a)
        return offer.status, offer.decline_reason

    assert await declined() == (OfferStatus.DECLINED, "Opptatt")
    # The next wave (the default size) goes to the next ranked candidates: B, then C.
    nxt = await sockets["B"].receive_json_from(timeout=2)
    assert nxt["type"] == "offer.created" and nxt["payload"]["booking_id"] == scene.booking_id
    await sockets["A"].send_json_to({"type": "offer.decline", "offer_id": offer_a})
    again = await sockets["A"].receive_json_from(timeout=2)
    assert again["status"] == "error" and again["code"] == "offer_not_pending"
    await _close(sockets)


async def test_reconnect_with_since_gets_the_withdrawal_it_missed():
    scene = await _scene()
    sockets = await _sockets(scene)
    await _offer_wave(scene, limit=2)
    seen = await sockets["A"].receive_json_from(timeout=2)
    await sockets["A"].disconnect()
    offer_b = (await sockets["B"].receive_json_from(timeout=2))["payload"]["offer_id"]
    await sockets["B"].send_json_to({"type": "offer.accept", "offer_id": offer_b, **YES})
    for _ in range(2):
        await sockets["B"].receive_json_from(timeout=2)

    back = await ws_open(f"/ws/interpreter/?since={seen['id']}", scene.users["A"])
    missed = await back.receive_json_from(timeout=2)
    assert missed["type"] == "offer.withdrawn" and missed["id"] > seen["id"]
    assert await back.receive_nothing(timeout=0.3)
    await back.disconnect()
    del sockets["A"]
    await _close(sockets)


async def test_accept_while_the_layer_is_down_succeeds_and_events_follow(monkeypatch):
    scene = await _scene()
    sockets = await _sockets(scene)
    await _offer_wave(scene, limit=2)
    offers = {k: (await sockets[k].receive_json_from(timeout=2))["payload"]["offer_id"]
              for k in ("A", "B")}
    layer = get_channel_layer()
    real_send = layer.group_send

    async def broken(*args, **kwargs):
        raise ConnectionError("channel layer down")

    monkeypatch.setattr(layer, "group_send", broken)
    await sockets["B"].send_json_to({"type": "offer.accept", "offer_id": offers["B"], **YES})
    result = await sockets["B"].receive_json_from(timeout=3)
    assert result["type"] == "offer.accept.result" and result["status"] == "accepted"
    assert await sockets["A"].receive_nothing(timeout=0.3)
    pending = await database_sync_to_async(
        Event.objects.filter(dispatched_at__isnull=True).count
    )()
    assert pending >= 3  # withdrawn for A, assignment for B, booking.changed x2

    monkeypatch.setattr(layer, "group_send", real_send)
    assert await database_sync_to_async(outbox_dispatch_pending)() == pending
    withdrawn = await sockets["A"].receive_json_from(timeout=2)
    assert withdrawn["type"] == "offer.withdrawn" and withdrawn["payload"]["reason"] == "taken"
    assert (await sockets["B"].receive_json_from(timeout=2))["type"] == "assignment.changed"
    await _close(sockets)


async def test_a_personal_offer_on_the_exception_path_is_accepted_over_the_socket():
    """The coordinator's personal offer (exception path) reaches only the chosen interpreter, is
    refused without the declarations and becomes the assignment, with the exception, when the
    interpreter accepts over the socket with both."""
    scene = await _scene()
    unqualified = await database_sync_to_async(factories.InterpreterUserFactory)(
        interpreter=await database_sync_to_async(factories.InterpreterFactory)()
    )
    sockets = await _sockets(scene)
    mine = await ws_open("/ws/interpreter/", unqualified)

    @database_sync_to_async
    def personal_offer() -> dict:
        response = client_for(scene.w.coordinator).post(
            f"/api/v1/bookings/{scene.booking_id}/exception-assignment/",
            {"register_number": unqualified.interpreter.register_number,
             "exception": {"ground": "emergency", "decided_by": "Vakthavende lege",
                           "justification": "Akutt innleggelse; ingen kvalifisert tolk nåbar."}},
            format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    data = await personal_offer()
    assert data["booking"]["status"] == "offered" and data["assignment"] is None
    created = await mine.receive_json_from(timeout=2)
    assert created["type"] == "offer.created" and created["payload"]["personal"] is True
    offer_id = created["payload"]["offer_id"]
    assert offer_id == data["offer"]["id"]
    for comm in sockets.values():
        assert await comm.receive_nothing(timeout=0.2)

    await mine.send_json_to({"type": "offer.accept", "offer_id": offer_id, "impartial": True,
                             "confidentiality": False})
    refused = await mine.receive_json_from(timeout=2)
    assert refused["status"] == "error" and refused["code"] == TL15_CONFIDENTIALITY
    await mine.send_json_to({"type": "offer.accept", "offer_id": offer_id, **YES})
    received = [await mine.receive_json_from(timeout=3) for _ in range(2)]
    result = next(m for m in received if m["type"] == "offer.accept.result")
    assert result["status"] == "accepted"

    @database_sync_to_async
    def stored() -> tuple:
        from booking.models import Assignment

        a = Assignment.objects.select_related("booking").get(booking_id=scene.booking_id)
        return (a.booking.status, a.basis, a.exception_ground, a.declaration_source,
                a.declared_impartial, a.declared_confidentiality)

    assert await stored() == ("assigned", "exception", "emergency", "interpreter", True, True)
    await _close(sockets)
    await mine.disconnect()
