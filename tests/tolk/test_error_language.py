"""Errors reach each client in its own language: the same error is bokmål for one request and
English for the next, over REST and on a websocket, with the same code, section and fields."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone, translation
from rest_framework import exceptions

from booking.rules import TL6_DUTY_BASIS, TL16_IMPARTIALITY, section_of
from tests.booking.booking_helpers import interpreter_user, request, world
from tests.booking.wsclient import ORIGIN_HEADERS, ws_open
from tests.conftest import client_for
from tests.factories import BookerFactory, InterpreterUserFactory
from tolk.api import exception_handler

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
BOKMAL = {"HTTP_ACCEPT_LANGUAGE": "nb"}


def _booking_body(**overrides: Any) -> dict[str, Any]:
    start = (timezone.localtime() + dt.timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0)
    data = {
        "language": "ara", "modality": "onsite", "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=1)).isoformat(), "duty_basis": "necessary",
        "assessment_note": "Språkbarriere vurdert i samtale.", "municipality": "0301",
        "address": "Markveien 1, 0554 Oslo", "topic_notes": "Arbeidsavklaring",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_not_found_over_rest_in_each_language() -> None:
    api = client_for(BookerFactory())
    english = api.get("/api/v1/bookings/999999/", **ENGLISH)
    bokmal = api.get("/api/v1/bookings/999999/", **BOKMAL)
    default = api.get("/api/v1/bookings/999999/")
    assert english.status_code == bokmal.status_code == default.status_code == 404
    assert english.json() == {"code": "booking_not_found", "detail": "Booking not found.",
                              "section": None, "fields": {}}
    assert bokmal.json() == {**english.json(), "detail": "Fant ikke bestillingen."}
    assert default.json() == bokmal.json()


@pytest.mark.django_db
def test_a_rule_error_over_rest_in_each_language() -> None:
    w = world()
    api = client_for(w.booker)
    body = _booking_body(assessment_note="")
    english = api.post("/api/v1/bookings/", body, format="json", **ENGLISH)
    bokmal = api.post("/api/v1/bookings/", body, format="json", **BOKMAL)
    assert english.status_code == bokmal.status_code == 400
    assert english.json()["code"] == bokmal.json()["code"] == TL6_DUTY_BASIS
    assert english.json()["section"] == bokmal.json()["section"] == section_of(TL6_DUTY_BASIS)
    assert english.json()["fields"] == bokmal.json()["fields"]
    assert english.json()["detail"] == (
        "When an interpreter is necessary, describe the assessment of the need.")
    assert bokmal.json()["detail"] == (
        "Når tolk er nødvendig, må vurderingen av behovet beskrives.")


@pytest.mark.django_db
def test_a_parameterised_error_over_rest_in_each_language() -> None:
    api = client_for(BookerFactory())
    nested: Any = 1
    for _ in range(40):
        nested = [nested]
    payload = json.dumps(nested)
    english = api.post("/api/v1/bookings/", payload, content_type="application/json",
                       **ENGLISH)
    bokmal = api.post("/api/v1/bookings/", payload, content_type="application/json", **BOKMAL)
    assert english.status_code == bokmal.status_code == 400
    assert english.json()["code"] == bokmal.json()["code"] == "json_too_deep"
    assert english.json()["detail"] == (
        "The JSON document is nested too deeply (at most 32 levels).")
    assert bokmal.json()["detail"] == "JSON-dokumentet er nøstet for dypt (høyst 32 nivåer)."


def test_a_serializer_error_says_the_request_is_not_valid_in_bokmal_too() -> None:
    error = exceptions.ValidationError({"limit": ["A valid integer is required."]})
    with translation.override("nb"):
        bokmal = exception_handler(error, {})
    with translation.override("en"):
        english = exception_handler(error, {})
    assert bokmal is not None and english is not None
    assert bokmal.data["code"] == english.data["code"] == "invalid"
    assert english.data["detail"] == "The request is not valid."
    assert bokmal.data["detail"] == "Forespørselen er ikke gyldig."


# --- websocket --------------------------------------------------------------------------------


@database_sync_to_async
def _offer_for_interpreter() -> tuple[Any, int]:
    from booking.dispatch.services.bookings import booking_create
    from booking.models import Offer

    w = world()
    user = interpreter_user(category="A")
    booking, _ = booking_create(user=w.booker, data=request(
        (timezone.now() + dt.timedelta(days=14)).replace(hour=10, minute=0, second=0,
                                                          microsecond=0)), now=timezone.now())
    response = client_for(w.coordinator).post(f"/api/v1/bookings/{booking.pk}/offers/",
                                              {"limit": 5}, format="json")
    assert response.status_code in (200, 201), response.json()
    return user, Offer.objects.get(booking=booking, interpreter=user.interpreter).pk


async def _reply(comm: Any, message: dict[str, Any]) -> dict[str, Any]:
    await comm.send_json_to(message)
    return await comm.receive_json_from(timeout=3)


@pytest.mark.django_db(transaction=True)
async def test_errors_on_a_websocket_follow_the_sockets_language() -> None:
    user = await database_sync_to_async(InterpreterUserFactory)()
    english = await ws_open("/ws/interpreter/", user,
                            headers=[*ORIGIN_HEADERS, (b"accept-language", b"en-GB,en;q=0.9")])
    bokmal = await ws_open("/ws/interpreter/", user,
                           headers=[*ORIGIN_HEADERS, (b"cookie", b"django_language=nb")])
    message = {"type": "offer.accept", "offer_id": 1, "impartial": "yes", "request_id": "r1"}
    in_english, in_bokmal = await _reply(english, message), await _reply(bokmal, message)
    for reply in (in_english, in_bokmal):
        assert (reply["type"], reply["status"], reply["code"], reply["request_id"]) == (
            "offer.accept.result", "error", "invalid", "r1")
        assert reply["fields"] == {"impartial": ["Must be true or false."],
                                   "confidentiality": ["This field is required."]}
    assert in_english["detail"] == "The declarations are incomplete."
    assert in_bokmal["detail"] == "Erklæringene er ufullstendige."
    await english.disconnect()
    await bokmal.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_rule_error_on_a_websocket_matches_rest_in_its_language() -> None:
    user, offer_id = await _offer_for_interpreter()
    english = await ws_open("/ws/interpreter/", user,
                            headers=[*ORIGIN_HEADERS, (b"accept-language", b"en")])
    bokmal = await ws_open("/ws/interpreter/", user,
                           headers=[*ORIGIN_HEADERS, (b"accept-language", b"nb")])
    message = {"type": "offer.accept", "offer_id": offer_id, "impartial": False,
               "confidentiality": True}
    in_english, in_bokmal = await _reply(english, message), await _reply(bokmal, message)

    @database_sync_to_async
    def over_rest(language: str) -> dict[str, Any]:
        return client_for(user).post(
            f"/api/v1/offers/{offer_id}/accept/", {"impartial": False, "confidentiality": True},
            format="json", HTTP_ACCEPT_LANGUAGE=language).json()

    rest_english, rest_bokmal = await over_rest("en"), await over_rest("nb")
    for reply, rest in ((in_english, rest_english), (in_bokmal, rest_bokmal)):
        assert reply["status"] == "error"
        assert {k: reply[k] for k in ("code", "detail", "section", "fields")} == rest
        assert reply["code"] == TL16_IMPARTIALITY
        assert reply["section"] == section_of(TL16_IMPARTIALITY)
    assert in_english["detail"] == (
        "You cannot take the assignment without declaring that you are not disqualified.")
    assert in_bokmal["detail"] == (
        "Du kan ikke ta oppdraget uten å erklære at du ikke er inhabil.")
    await english.disconnect()
    await bokmal.disconnect()
