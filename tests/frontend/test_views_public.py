"""Public pages, the role-based start page, error pages and the language switch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def test_start_page_for_anonymous_has_login_and_card_check(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="nb">' in body
    assert 'href="/login/"' in body
    assert 'action="/card/"' in body


@pytest.mark.parametrize(
    ("factory", "target"),
    [
        (factories.BookerFactory, "/bookings/"),
        (factories.InterpreterUserFactory, "/interpreter/offers/"),
        (factories.CoordinatorFactory, "/dispatch/"),
        (lambda: factories.UserFactory(role="analyst"), "/statistics/"),
    ],
)
def test_start_page_sends_each_role_to_its_own_page(client: Client, factory, target) -> None:
    client.force_login(factory())
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == target


def test_navigation_shows_only_the_roles_own_pages(client: Client) -> None:
    client.force_login(factories.BookerFactory())
    body = client.get("/book/").content.decode()
    assert 'href="/bookings/"' in body
    assert 'href="/dispatch/"' not in body
    assert 'href="/statistics/"' not in body
    assert 'aria-current="page"' in body


def test_card_check_shows_languages_and_today_status(client: Client) -> None:
    interpreter = factories.InterpreterFactory(register_number="T-5001")
    factories.QualificationFactory(interpreter=interpreter, language="ara", category="A")
    factories.QualificationFactory(interpreter=interpreter, language="tir", category="C")
    today = timezone.localdate()
    factories.StatusEventFactory(
        interpreter=interpreter, language="tir", kind="suspension",
        valid_from=today - dt.timedelta(days=1), valid_to=None,
    )
    response = client.get("/card/", {"number": "T-5001"})
    assert response.status_code == 200
    body = response.content.decode()
    assert interpreter.full_name in body
    assert "Arabisk" in body
    assert "Kvalifisert" in body
    # The suspended language is shown, marked with why it does not count today.
    assert "Tigrinja" in body
    assert "Suspensjon" in body
    # Contact data is never part of the public card.
    assert interpreter.email not in body
    assert interpreter.phone not in body


def test_card_check_unknown_number_is_404_with_a_clear_message(client: Client) -> None:
    response = client.get("/card/", {"number": "T-0000"})
    assert response.status_code == 404
    assert "Ingen tolk har tolkenummer T-0000" in response.content.decode()


def test_card_check_rejects_malformed_numbers(client: Client) -> None:
    response = client.get("/card/", {"number": "<script>"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "bare bokstaver, sifre og bindestrek" in body
    assert "<script>" not in body


def test_card_detail_is_what_the_qr_code_opens(client: Client) -> None:
    interpreter = factories.InterpreterFactory(register_number="T-7")
    factories.QualificationFactory(interpreter=interpreter)
    assert client.get("/card/T-7/").status_code == 200
    assert client.get("/card/T-8/").status_code == 404
    assert client.get("/card/bad%20number/").status_code == 404


def test_english_is_one_click_away(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/card/"})
    assert response.status_code == 302
    body = client.get("/card/").content.decode()
    assert '<html lang="en">' in body
    assert "Check an interpreter card" in body


def test_login_page_and_failed_login(client: Client) -> None:
    factories.BookerFactory(username="anne")
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.content.decode()
    response = client.post("/login/", {"username": "anne", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    ok = client.post("/login/", {"username": "anne", "password": "demo-password-123"})
    assert ok.status_code == 302


def test_logout_is_a_post(client: Client) -> None:
    client.force_login(factories.BookerFactory())
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/bookings/").status_code == 302  # back to the login page


def test_unknown_page_is_the_house_404(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Vi fant ikke siden" in response.content.decode()


def test_unknown_api_path_is_json_in_the_api_error_shape(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found", "detail": "Ikke funnet.", "section": None, "fields": {},
    }


def test_wrong_role_gets_the_house_403(client: Client) -> None:
    client.force_login(factories.InterpreterUserFactory())
    response = client.get("/dispatch/")
    assert response.status_code == 403
    assert "Du har ikke tilgang til denne siden" in response.content.decode()


def test_anonymous_user_is_sent_to_login_with_next(client: Client) -> None:
    response = client.get("/book/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/book/"


def test_server_error_page_renders_without_a_request_context(rf) -> None:
    from frontend.views.errors import server_error

    response = server_error(rf.get("/bookings/"))
    assert response.status_code == 500
    assert "Noe gikk galt hos oss" in response.content.decode()
    api = server_error(rf.get("/api/v1/bookings/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
