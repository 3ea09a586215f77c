"""The coordinator's dispatch board and per-booking dispatch page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from booking.models import Offer
from tests import factories
from tests.booking.booking_helpers import book, interpreter_user, qualified, soon, world

pytestmark = pytest.mark.django_db


def test_board_shows_the_providers_open_bookings_only(client: Client) -> None:
    mine, other = world(), world()
    own = book(mine, soon())
    foreign = book(other, soon())
    client.force_login(mine.coordinator)
    body = client.get("/dispatch/").content.decode()
    assert f'data-booking-id="{own.pk}"' in body
    assert f'data-booking-id="{foreign.pk}"' not in body
    assert client.get(f"/dispatch/{foreign.pk}/").status_code == 404
    assert 'data-socket-path="/ws/bookings/"' in body


def test_dispatch_page_ranks_candidates_and_explains_exclusions(client: Client) -> None:
    w = world()
    a = qualified(language="ara", category="A", register_number="R-A")
    qualified(language="ara", category="C", register_number="R-C")
    video_only = qualified(language="ara", category="A", register_number="R-V", offers_onsite=False)
    booking = book(w, soon())
    client.force_login(w.coordinator)
    body = client.get(f"/dispatch/{booking.pk}/").content.decode()
    assert body.index("R-A") < body.index("R-C")  # category A ranks first
    assert 'data-excluded-url="?fragment=excluded"' in body
    # The exclusions come as a fragment the page fetches, or inline without JavaScript.
    fragment = client.get(f"/dispatch/{booking.pk}/", {"fragment": "excluded"}).content.decode()
    assert "<html" not in fragment
    assert "R-V" in fragment and "Tilbyr ikke denne tolkeformen" in fragment
    assert "R-A" not in fragment
    inline = client.get(f"/dispatch/{booking.pk}/", {"excluded": "1"}).content.decode()
    assert "Tilbyr ikke denne tolkeformen" in inline
    explained = client.get(f"/dispatch/{booking.pk}/", {"explain": video_only.register_number})
    assert "Tilbyr ikke denne tolkeformen" in explained.content.decode()
    ranked = client.get(f"/dispatch/{booking.pk}/", {"explain": a.register_number})
    assert "er kandidat, rangert som nr. 1" in ranked.content.decode()
    unknown = client.get(f"/dispatch/{booking.pk}/", {"explain": "X-404"}).content.decode()
    assert 'role="alert"' in unknown


def test_send_wave_offers_the_top_candidates(client: Client) -> None:
    w = world()
    users = [interpreter_user(language="ara") for _ in range(3)]
    booking = book(w, soon())
    client.force_login(w.coordinator)
    response = client.post(f"/dispatch/{booking.pk}/offers/", {"limit": "2"})
    assert response.status_code == 302
    assert Offer.objects.filter(booking=booking).count() == 2
    booking.refresh_from_db()
    assert booking.status == "offered"
    page = client.get(response["Location"]).content.decode()
    assert "Tilbud sendt til 2 tolker" in page
    assert users  # three candidates existed, two got the first wave


def test_wave_limit_is_validated(client: Client) -> None:
    w = world()
    booking = book(w, soon())
    client.force_login(w.coordinator)
    assert client.post(f"/dispatch/{booking.pk}/offers/", {"limit": "0"}).status_code == 400
    assert client.post(f"/dispatch/{booking.pk}/offers/", {"limit": "x"}).status_code == 400
    assert not Offer.objects.exists()


def test_no_candidates_marks_the_booking_unfilled(client: Client) -> None:
    w = world()
    booking = book(w, soon(), language="din")
    client.force_login(w.coordinator)
    response = client.post(f"/dispatch/{booking.pk}/offers/", {"limit": "5"})
    booking.refresh_from_db()
    assert booking.status == "unfilled"
    assert "merket udekket" in client.get(response["Location"]).content.decode()
    board = client.get("/dispatch/").content.decode()
    assert f'data-booking-id="{booking.pk}"' in board


def test_dispatch_refuses_bookers(client: Client) -> None:
    client.force_login(factories.BookerFactory())
    assert client.get("/dispatch/").status_code == 403


def test_offer_to_chosen_candidates_only(client: Client) -> None:
    w = world()
    first = interpreter_user(language="ara", category="A")
    chosen = interpreter_user(language="ara", category="C")
    booking = book(w, soon())
    client.force_login(w.coordinator)
    number = chosen.interpreter.register_number
    page = client.get(f"/dispatch/{booking.pk}/").content.decode()
    assert f'value="{number}"' in page
    response = client.post(
        f"/dispatch/{booking.pk}/offers/", {"limit": "", "register_numbers": [number]}
    )
    assert response.status_code == 302
    offered = list(Offer.objects.filter(booking=booking).values_list("interpreter_id", flat=True))
    assert offered == [chosen.interpreter_id]
    assert first.interpreter_id not in offered
    bad = client.post(f"/dispatch/{booking.pk}/offers/", {"register_numbers": ["<x>"]})
    assert bad.status_code == 400


def test_board_comes_in_pages(client: Client, monkeypatch) -> None:
    from frontend.views import coordinator as views

    monkeypatch.setattr(views, "BOARD_PAGE_SIZE", 1)
    w = world()
    sooner, later = book(w, soon(10)), book(w, soon(20))
    client.force_login(w.coordinator)
    one = client.get("/dispatch/").content.decode()
    two = client.get("/dispatch/?page=2").content.decode()
    assert f'data-booking-id="{sooner.pk}"' in one and f'data-booking-id="{later.pk}"' not in one
    assert f'data-booking-id="{later.pk}"' in two
    assert 'data-rows-url="?fragment=rows&amp;page=2"' in two
    rows = client.get("/dispatch/?fragment=rows&page=2").content.decode()
    assert f'data-booking-id="{later.pk}"' in rows and f'data-booking-id="{sooner.pk}"' not in rows


def test_dispatch_page_marks_a_personal_offer(client: Client) -> None:
    from booking.dispatch.services.exception_path import offer_send_personal
    from booking.rules import ExceptionRecord

    w = world()
    interpreter = factories.InterpreterFactory()
    booking = book(w, soon())
    offer_send_personal(
        booking_id=booking.pk, user=w.coordinator, register_number=interpreter.register_number,
        exception=ExceptionRecord(ground="cannot_wait", decided_by="Fagleder",
                                  justification="Vedtaksfristen løper ut; ingen ledig tolk."),
    )
    client.force_login(w.coordinator)
    body = client.get(f"/dispatch/{booking.pk}/").content.decode()
    assert "data-personal-offer" in body
    assert "personlig tilbud, unntak etter § 7" in body
    # The customer's booker reads the step in the audit trail.
    client.force_login(w.booker)
    audit = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Personlig tilbud sendt (unntaksvei): Åpen → Tilbudt" in audit
    assert "Vedtaksfristen løper ut; ingen ledig tolk." in audit


def test_board_puts_acute_bookings_first_with_a_marker(client: Client) -> None:
    from django.utils import timezone

    from booking.dispatch.services.bookings import booking_create
    from tests.booking.booking_helpers import request

    w = world()
    planned = book(w, soon(2))
    start = timezone.localtime() + dt.timedelta(days=3)
    acute, _ = booking_create(user=w.booker, data=request(start, case_reference="A"),
                              now=start - dt.timedelta(hours=6))
    client.force_login(w.coordinator)
    body = client.get("/dispatch/").content.decode()
    # Acute first although it starts later, and marked so.
    assert body.index(f'data-booking-id="{acute.pk}"') < body.index(
        f'data-booking-id="{planned.pk}"')
    row = body[body.index(f'data-booking-id="{acute.pk}"'):]
    assert "data-acute-marker" in row[:row.index("</tr>")] and ">Akutt<" in row
    planned_row = body[body.index(f'data-booking-id="{planned.pk}"'):]
    assert "data-acute-marker" not in planned_row[:planned_row.index("</tr>")]


def test_acute_first_wave_form_offers_the_larger_wave(client: Client, settings) -> None:
    from django.utils import timezone

    from booking.dispatch.services.bookings import booking_create
    from tests.booking.booking_helpers import request

    settings.TOLK_ACUTE_FIRST_WAVE = 12
    w = world()
    qualified(language="ara")
    start = timezone.localtime() + dt.timedelta(days=3)
    acute, _ = booking_create(user=w.booker, data=request(start),
                              now=start - dt.timedelta(hours=6))
    client.force_login(w.coordinator)
    body = client.get(f"/dispatch/{acute.pk}/").content.decode()
    assert 'name="limit" value="12"' in body


def test_board_shows_time_to_fill_for_the_last_30_days(client: Client) -> None:
    from django.utils import timezone

    from booking.models import Booking

    w = world()
    now = timezone.now()
    for acute, minutes in ((True, 10), (True, 30), (False, 240)):
        b = book(w, soon(2))
        Booking.objects.filter(pk=b.pk).update(acute=acute, time_to_fill_seconds=minutes * 60,
                                               filled_at=now, status="assigned")
    client.force_login(w.coordinator)
    body = client.get("/dispatch/").content.decode()
    panel = body[body.index("data-fill-times"):]
    assert "Tid til tolk, siste 30 dager" in panel
    acute_row = panel[panel.index("Akutt"):panel.index("Ikke akutt")]
    assert [cell.split("<")[0] for cell in acute_row.split('<td class="num">')[1:]] == [
        "2", "10", "30"]
    planned_row = panel[panel.index("Ikke akutt"):]
    assert [cell.split("<")[0] for cell in planned_row.split('<td class="num">')[1:4]] == [
        "1", "240", "240"]
