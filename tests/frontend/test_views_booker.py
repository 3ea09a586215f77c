"""The booker's pages through the Django test client: book, list, detail, cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from booking.dispatch.services.offers import offer_accept, offers_send_wave
from booking.models import AuditEntry, Booking
from booking.rules import Declarations
from tests import factories
from tests.booking.booking_helpers import World, book, interpreter_user, qualified, soon, world

pytestmark = pytest.mark.django_db


def _form(start: dt.datetime, **overrides: str) -> dict[str, str]:
    data = {
        "idempotency_key": "form-key-1",
        "language": "ara",
        "modality": "onsite",
        "date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": (start + dt.timedelta(hours=1)).strftime("%H:%M"),
        "municipality": "0301",
        "address": "Markveien 1, 0554 Oslo",
        "duty_basis": "necessary",
        "assessment_note": "Må forstå vedtaket om arbeidsavklaringspenger.",
        "topic_notes": "Oppfølging av arbeidsavklaringspenger",
        "platform": "",
    }
    data.update(overrides)
    return data


def test_booking_form_lists_register_languages_and_approved_platforms(client: Client) -> None:
    w = world()
    qualified(language="tir")
    client.force_login(w.booker)
    response = client.get("/book/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="tir"' in body
    assert "Teams (helsenett)" in body
    assert 'data-check-url="/api/v1/bookings/check/"' in body
    assert "§ 6" in body


def test_booking_is_created_through_the_service_and_shown(client: Client) -> None:
    w = world()
    qualified(language="ara")
    client.force_login(w.booker)
    response = client.post("/book/", _form(soon()))
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/"
    assert booking.customer == w.customer
    assert booking.duty_basis == "necessary"
    assert booking.address == "Markveien 1, 0554 Oslo"
    assert AuditEntry.objects.filter(booking=booking, action="created").exists()
    detail = client.get(response["Location"]).content.decode()
    assert "Revisjonsspor" in detail
    assert "Åpen" in detail


def test_a_resubmitted_form_does_not_book_twice(client: Client) -> None:
    w = world()
    client.force_login(w.booker)
    data = _form(soon())
    client.post("/book/", data)
    client.post("/book/", data)
    assert Booking.objects.count() == 1


def test_remote_booking_needs_an_approved_platform(client: Client) -> None:
    w = world()
    client.force_login(w.booker)
    response = client.post("/book/", _form(soon(), modality="video", address=""))
    assert response.status_code == 400
    assert "Velg plattform" in response.content.decode()
    response = client.post(
        "/book/", _form(soon(), modality="video", platform="Skype privat", address="")
    )
    assert response.status_code == 400
    assert Booking.objects.count() == 0
    ok = client.post("/book/", _form(soon(), modality="video", platform="Teams (helsenett)"))
    assert ok.status_code == 302


def test_rule_violation_is_shown_and_nothing_saved(client: Client) -> None:
    w = world()
    client.force_login(w.booker)
    # § 6: a "necessary" interpreter needs the assessment of the need.
    response = client.post("/book/", _form(soon(), assessment_note=""))
    assert response.status_code == 400
    body = response.content.decode()
    assert "vurderingen av behovet" in body
    assert Booking.objects.count() == 0


def test_end_before_start_is_refused(client: Client) -> None:
    w = world()
    client.force_login(w.booker)
    response = client.post("/book/", _form(soon(), end_time="08:00"))
    assert response.status_code == 400
    assert "Slutt må være etter start" in response.content.decode()


def test_my_bookings_shows_only_the_organisations_own(client: Client) -> None:
    mine, other = world(), world()
    own = book(mine, soon())
    foreign = book(other, soon())
    client.force_login(mine.booker)
    body = client.get("/bookings/").content.decode()
    assert f'data-booking-id="{own.pk}"' in body
    assert f'data-booking-id="{foreign.pk}"' not in body
    assert client.get(f"/bookings/{foreign.pk}/").status_code == 404
    rows = client.get("/bookings/", {"fragment": "rows"}).content.decode()
    assert "<html" not in rows and f'data-booking-id="{own.pk}"' in rows
    assert client.get("/bookings/", {"status": "nonsense"}).status_code == 200


def _accept(w: World, booking: Booking) -> None:
    user = interpreter_user()
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator,
                                register_numbers=[user.interpreter.register_number])
    offer_accept(offer_id=offer.pk, user=user,
                 declarations=Declarations(impartial=True, confidentiality=True))


def test_cancel_needs_confirmation_and_warns_when_late(client: Client) -> None:
    w = world()
    booking = book(w, timezone.localtime() + dt.timedelta(hours=5))
    client.force_login(w.booker)
    # Made 5 hours before the start and nobody has accepted: not late yet, and the page says
    # it will be once an interpreter accepts.
    waiting = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert 'id="late-warning"' not in waiting and 'id="late-from-acceptance"' in waiting
    _accept(w, booking)
    detail = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert 'id="late-warning"' in detail
    refused = client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "Flyttet"})
    assert refused.status_code == 400
    booking.refresh_from_db()
    assert booking.status == "assigned"
    done = client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "Flyttet", "confirm": "on"})
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.late_cancellation is True
    again = client.post(f"/bookings/{booking.pk}/cancel/", {"confirm": "on"})
    assert again.status_code == 302  # a clear message, not an error page
    followed = client.get(again["Location"]).content.decode()
    assert "allerede" in followed


def test_cancel_before_any_acceptance_is_not_late(client: Client) -> None:
    w = world()
    booking = book(w, timezone.localtime() + dt.timedelta(hours=5))
    client.force_login(w.booker)
    done = client.post(f"/bookings/{booking.pk}/cancel/", {"confirm": "on"})
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.late_cancellation is False
    assert "Det var en sen avbestilling" not in client.get(done["Location"]).content.decode()


def test_booking_form_tells_when_cancelling_after_acceptance_is_late(client: Client) -> None:
    w = world()
    client.force_login(w.booker)
    body = client.get("/book/").content.decode()
    # Before sending: the rule beside the form, and the check's warning text, in bokmål.
    assert "Når en tolk har takket ja, er avbestilling senere enn 24 timer" in body
    assert "Bestillingen starter om mindre enn %(hours)s timer" in body
    english = client.get("/book/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The booking starts in less than %(hours)s hours" in english
    # The check's suggestion of video or phone for an acute on-site booking, in both languages.
    assert "Over skjerm er %(video)s ledige, over telefon %(phone)s" in body
    assert "Over video %(video)s are free, over phone %(phone)s" in english


def test_cancel_in_good_time_has_no_late_warning(client: Client) -> None:
    w = world()
    booking = book(w, soon(days=10))
    client.force_login(w.booker)
    assert 'id="late-warning"' not in client.get(f"/bookings/{booking.pk}/").content.decode()


def test_another_organisations_booking_cannot_be_cancelled(client: Client) -> None:
    mine, other = world(), world()
    foreign = book(other, soon())
    client.force_login(mine.booker)
    response = client.post(f"/bookings/{foreign.pk}/cancel/", {"confirm": "on"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "open"


def test_booker_pages_refuse_other_roles(client: Client) -> None:
    client.force_login(factories.InterpreterUserFactory())
    assert client.get("/book/").status_code == 403
    assert client.get("/bookings/").status_code == 403


def test_audit_trail_reads_as_sentences(client: Client) -> None:
    w = world()
    booking = book(w, soon())
    client.force_login(w.booker)
    client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "Flyttet", "confirm": "on"})
    body = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Bestilt: – → Åpen" in body
    assert "Avbestilt: Åpen → Avlyst" in body
    assert "(Bestiller)" in body
    assert "Flyttet" in body


# --- § 16 blocks ------------------------------------------------------------------------------


def test_blocks_page_blocks_lists_and_lifts(client: Client) -> None:
    from booking.models import InterpreterBlock

    w = world()
    interpreter = qualified()
    client.force_login(w.booker)
    assert client.get("/blocks/").status_code == 200
    response = client.post("/blocks/", {
        "register_number": interpreter.register_number, "case_reference": "2026/77",
        "reason": "Tolken er nabo til parten.",
    })
    assert response.status_code == 302 and response.url == "/blocks/"
    block = InterpreterBlock.objects.get()
    assert (block.organisation, block.case_reference) == (w.customer, "2026/77")
    page = client.get("/blocks/").content.decode()
    assert interpreter.register_number in page and "2026/77" in page
    assert client.post(f"/blocks/{block.pk}/delete/").status_code == 302
    assert not InterpreterBlock.objects.exists()


def test_blocks_page_shows_errors_and_changes_nothing(client: Client) -> None:
    from booking.models import InterpreterBlock

    w = world()
    client.force_login(w.booker)
    unknown = client.post("/blocks/", {"register_number": "T0", "reason": "Kjenner parten godt."})
    assert unknown.status_code == 400
    short = client.post("/blocks/", {"register_number": qualified().register_number,
                                     "reason": "kort"})
    assert short.status_code == 400
    assert not InterpreterBlock.objects.exists()
    other = world()
    client.force_login(other.booker)
    theirs = InterpreterBlock.objects.create(organisation=w.customer, interpreter=qualified(),
                                             reason="Kjenner parten godt.")
    assert client.post(f"/blocks/{theirs.pk}/delete/").status_code == 404
    assert InterpreterBlock.objects.filter(pk=theirs.pk).exists()


# --- long lists in pages -----------------------------------------------------------------------


def test_my_bookings_come_in_pages_and_keep_the_filter(client: Client, monkeypatch) -> None:
    from frontend.views import booker as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    w = world()
    first, second, third = (book(w, soon(days)) for days in (10, 11, 12))
    client.force_login(w.booker)

    def shown(url: str) -> list[int]:
        body = client.get(url).content.decode()
        return [b.pk for b in (first, second, third) if f'data-booking-id="{b.pk}"' in body]

    # Newest start first: the third and second, then the first on page 2.
    assert shown("/bookings/") == [second.pk, third.pk]
    assert shown("/bookings/?page=2") == [first.pk]
    # Not a page number: the first page; past the end: the last.
    assert shown("/bookings/?page=x") == [second.pk, third.pk]
    assert shown("/bookings/?page=99") == [first.pk]
    # The live refresh of page 2 fetches page 2's rows.
    assert shown("/bookings/?fragment=rows&page=2") == [first.pk]
    body = client.get("/bookings/?status=offered&page=1").content.decode()
    assert 'data-rows-url="?fragment=rows&amp;status=offered&amp;page=1"' in body
    page = client.get("/bookings/").content.decode()
    assert 'rel="next" href="?page=2"' in page and 'rel="prev"' not in page
    assert "1 av 2" in page or "1 of 2" in page
    filtered = client.get(f"/bookings/?status={first.status}").content.decode()
    assert f'href="?status={first.status}&amp;page=2"' in filtered


def test_blocks_come_in_pages(client: Client, monkeypatch) -> None:
    from booking.models import InterpreterBlock
    from frontend.views import booker as views

    monkeypatch.setattr(views, "BLOCKS_PAGE_SIZE", 1)
    w = world()
    older, newer = qualified(), qualified()
    for interpreter in (older, newer):
        InterpreterBlock.objects.create(organisation=w.customer, interpreter=interpreter,
                                        reason="Kjenner parten godt.", created_by=w.booker)
    client.force_login(w.booker)
    one = client.get("/blocks/").content.decode()
    two = client.get("/blocks/?page=2").content.decode()
    assert newer.register_number in one and older.register_number not in one
    assert older.register_number in two and newer.register_number not in two
    assert 'rel="prev" href="?page=1"' in two


def test_the_written_declaration_of_an_adhoc_interpreter_is_shown(client: Client) -> None:
    from booking.dispatch.services.exception_path import assignment_record_adhoc
    from booking.rules import ExceptionRecord, WrittenDeclaration

    w = world()
    booking = book(w, soon())
    declared_at = timezone.now() - dt.timedelta(minutes=30)
    assignment_record_adhoc(
        booking_id=booking.pk, user=w.coordinator, adhoc_name="Amina Tolk", adhoc_age=40,
        exception=ExceptionRecord(ground="emergency", decided_by="Vakthavende lege",
                                  justification="Akutt; ingen kvalifisert tolk nåbar."),
        written_declaration=WrittenDeclaration(declared_by="Amina Tolk", declared_at=declared_at,
                                               impartial=True, confidentiality=True),
    )
    client.force_login(w.booker)
    body = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert 'data-declarations="written"' in body
    assert "skriftlig av Amina Tolk; registrert av" in body
    assert timezone.localtime(declared_at).strftime("%d.%m.%Y %H:%M") in body
    assert "Tildelt etter dokumentert unntak" in body
