"""The interpreter's pages: offers with both declarations, decline, assignments, calendar, card."""

from __future__ import annotations

import pytest
from django.test import Client

from booking.dispatch.services.offers import offers_send_wave
from booking.models import Assignment, Booking, CalendarToken, Event, Offer
from tests import factories
from tests.booking.booking_helpers import book, interpreter_user, soon, world

pytestmark = pytest.mark.django_db


def _offered(language: str = "ara") -> tuple[object, object, Offer]:
    w = world()
    user = interpreter_user(language=language)
    booking = book(w, soon())
    offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=5)
    return w, user, Offer.objects.get(booking=booking, interpreter=user.interpreter)


def test_offers_page_lists_open_offers_and_where_to_resume_the_stream(client: Client) -> None:
    _w, user, offer = _offered()
    client.force_login(user)
    body = client.get("/interpreter/offers/").content.decode()
    assert f'data-offer-id="{offer.pk}"' in body
    assert "Arabisk" in body
    assert "tolkeloven § 16" in body and "tolkeloven § 15" in body
    last = Event.objects.filter(interpreter=user.interpreter).latest("id").id
    assert f'data-since="{last}"' in body
    assert 'data-socket-path="/ws/interpreter/"' in body


def test_offers_page_has_a_text_for_each_reason_an_offer_is_withdrawn(client: Client) -> None:
    _w, user, _offer = _offered()
    client.force_login(user)
    texts = client.get("/interpreter/offers/").context["live_texts"]
    assert texts["withdrawn_taken"] == "En annen tolk tok oppdraget."
    assert texts["withdrawn_cancelled"] == "Bestillingen ble avbestilt."
    assert texts["withdrawn_expired"] == "Tilbudet har utløpt."
    assert "tolkeloven § 16" in texts["withdrawn_blocked"]
    assert "åpen for andre" in texts["withdrawn_blocked"]
    assert texts["withdrawn_rules"] == "Du oppfyller ikke lenger et krav for denne bestillingen."
    english = client.get("/interpreter/offers/", HTTP_ACCEPT_LANGUAGE="en").context["live_texts"]
    assert "section 16 of the Interpreter Act" in english["withdrawn_blocked"]


def test_offer_card_fragment_is_only_for_the_own_open_offer(client: Client) -> None:
    _w, user, offer = _offered()
    client.force_login(user)
    fragment = client.get(f"/interpreter/offers/{offer.pk}/card/")
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    client.force_login(interpreter_user())
    assert client.get(f"/interpreter/offers/{offer.pk}/card/").status_code == 404


def test_accept_without_both_declarations_is_refused(client: Client) -> None:
    _w, user, offer = _offered()
    client.force_login(user)
    response = client.post(f"/interpreter/offers/{offer.pk}/accept/", {"impartial": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/interpreter/offers/"
    assert not Assignment.objects.exists()
    page = client.get("/interpreter/offers/").content.decode()
    assert "taushetsplikten" in page


def test_accept_with_declarations_gives_the_assignment(client: Client) -> None:
    _w, user, offer = _offered()
    client.force_login(user)
    response = client.post(
        f"/interpreter/offers/{offer.pk}/accept/", {"impartial": "on", "confidentiality": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/interpreter/assignments/"
    assignment = Assignment.objects.get()
    assert assignment.interpreter == user.interpreter
    assert assignment.declared_impartial and assignment.declared_confidentiality
    page = client.get("/interpreter/assignments/").content.decode()
    assert "Arabisk" in page
    assert "Markveien 1" in page


def test_decline_records_the_reason(client: Client) -> None:
    _w, user, offer = _offered()
    client.force_login(user)
    client.post(f"/interpreter/offers/{offer.pk}/decline/", {"reason": "Opptatt"})
    offer.refresh_from_db()
    assert offer.status == "declined"
    assert offer.decline_reason == "Opptatt"


def test_another_interpreters_offer_cannot_be_accepted(client: Client) -> None:
    _w, _user, offer = _offered()
    client.force_login(interpreter_user())
    client.post(
        f"/interpreter/offers/{offer.pk}/accept/", {"impartial": "on", "confidentiality": "on"}
    )
    assert not Assignment.objects.exists()


def test_accept_and_decline_need_post(client: Client) -> None:
    _w, user, offer = _offered()
    client.force_login(user)
    assert client.get(f"/interpreter/offers/{offer.pk}/accept/").status_code == 405


def test_calendar_address_is_made_and_rotated(client: Client) -> None:
    user = interpreter_user()
    client.force_login(user)
    assert "/api/v1/me/calendar.ics" not in client.get("/interpreter/assignments/").content.decode()
    client.post("/interpreter/calendar/")
    first = CalendarToken.objects.get(user=user).key
    page = client.get("/interpreter/assignments/").content.decode()
    assert f"/api/v1/me/calendar.ics?token={first}" in page
    client.post("/interpreter/calendar/")
    second = CalendarToken.objects.get(user=user).key
    assert second != first
    feed = client.get(f"/api/v1/me/calendar.ics?token={second}")
    assert feed.status_code == 200
    assert client.get(f"/api/v1/me/calendar.ics?token={first}").status_code in (401, 403, 404)


def test_register_card_has_a_qr_code_to_the_public_check(client: Client) -> None:
    user = interpreter_user()
    client.force_login(user)
    body = client.get("/interpreter/card/").content.decode()
    number = user.interpreter.register_number
    assert f"http://testserver/card/{number}/" in body
    assert "<svg" in body
    assert 'role="img"' in body and "QR-kode" in body


def test_interpreter_pages_refuse_bookers(client: Client) -> None:
    client.force_login(factories.BookerFactory())
    for url in ("/interpreter/offers/", "/interpreter/assignments/", "/interpreter/card/"):
        assert client.get(url).status_code == 403


def test_giving_an_assignment_back_reopens_the_booking(client: Client) -> None:
    _w, user, offer = _offered()
    client.force_login(user)
    client.post(
        f"/interpreter/offers/{offer.pk}/accept/", {"impartial": "on", "confidentiality": "on"}
    )
    booking_id = offer.booking_id
    page = client.get("/interpreter/assignments/").content.decode()
    assert f"/interpreter/assignments/{booking_id}/give-back/" in page
    unconfirmed = client.post(f"/interpreter/assignments/{booking_id}/give-back/", {})
    assert unconfirmed.status_code == 302
    assert Assignment.objects.get().status == "active"
    client.post(
        f"/interpreter/assignments/{booking_id}/give-back/", {"confirm": "on", "reason": "Syk"}
    )
    assert Assignment.objects.get().status == "cancelled"
    offer.booking.refresh_from_db()
    assert offer.booking.status in ("open", "offered", "unfilled")
    assert "Du ga fra deg oppdraget" in client.get("/interpreter/assignments/").content.decode()
    other = interpreter_user()
    client.force_login(other)
    response = client.post(f"/interpreter/assignments/{booking_id}/give-back/", {"confirm": "on"})
    assert response.status_code == 404


def test_assignments_page_listens_and_its_list_comes_again_without_a_cancelled_one(
    client: Client,
) -> None:
    from booking.dispatch.services.bookings import booking_cancel

    w, user, offer = _offered()
    client.force_login(user)
    client.post(
        f"/interpreter/offers/{offer.pk}/accept/", {"impartial": "on", "confidentiality": "on"}
    )
    assignment = Assignment.objects.get()
    page = client.get("/interpreter/assignments/")
    body = page.content.decode()
    last = Event.objects.filter(interpreter=user.interpreter).latest("id").id
    assert f'data-since="{last}"' in body
    assert 'data-socket-path="/ws/interpreter/"' in body
    assert "frontend/js/assignments.js" in body
    assert page.context["live_texts"]["changed_cancelled"] == \
        "Et oppdrag ble avbestilt og står ikke lenger i listen din."
    listed = client.get("/interpreter/assignments/?fragment=list").content.decode()
    assert "<html" not in listed and f'data-assignment-id="{assignment.pk}"' in listed
    booking_cancel(booking_id=offer.booking_id, user=w.booker, reason="Saken er avlyst")
    event = Event.objects.filter(interpreter=user.interpreter).latest("id")
    assert event.kind == "assignment.changed" and event.payload["change"] == "cancelled"
    listed = client.get("/interpreter/assignments/?fragment=list").content.decode()
    assert f'data-assignment-id="{assignment.pk}"' not in listed
    assert "Du har ingen kommende oppdrag." in listed


def test_a_personal_offer_says_so_and_names_the_documented_exception(client: Client) -> None:
    from booking.dispatch.services.exception_path import offer_send_personal
    from booking.rules import ExceptionRecord

    w = world()
    user = factories.InterpreterUserFactory(interpreter=factories.InterpreterFactory())
    booking = book(w, soon())
    offer = offer_send_personal(
        booking_id=booking.pk, user=w.coordinator, register_number=user.interpreter.register_number,
        exception=ExceptionRecord(ground="cannot_wait", decided_by="Fagleder",
                                  justification="Vedtaksfristen løper ut; ingen ledig tolk."),
    )
    client.force_login(user)
    body = client.get(f"/interpreter/offers/{offer.pk}/card/").content.decode()
    assert "data-personal-offer" in body
    assert "Et personlig tilbud" in body
    assert "tolkeloven § 7): Vedtaksfristen løper ut; ingen ledig tolk." in body
    # Accepting from the page gives the declarations like any offer.
    client.post(f"/interpreter/offers/{offer.pk}/accept/",
                {"impartial": "on", "confidentiality": "on"})
    assignment = Assignment.objects.get(booking=booking)
    assert (assignment.basis, assignment.declaration_source) == ("exception", "interpreter")


def test_an_acute_offer_is_marked(client: Client) -> None:
    _w, user, offer = _offered()
    client.force_login(user)
    assert "data-acute-marker" not in client.get("/interpreter/offers/").content.decode()
    Booking.objects.filter(pk=offer.booking_id).update(acute=True)
    body = client.get("/interpreter/offers/").content.decode()
    assert "data-acute-marker" in body and ">Akutt<" in body
