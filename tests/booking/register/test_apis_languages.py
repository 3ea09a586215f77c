"""The language table through the API: search by common names with a no-match message, and codes
from clients resolved to the table's code (or refused with a clear code) in bookings and filters."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from booking.models import Booking
from tests.booking.booking_helpers import interpreter_user, world
from tests.booking.dispatch.test_apis_bookings import URL, _future, body
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LANGUAGES = "/api/v1/languages/"


@pytest.mark.parametrize(
    ("query", "first"),
    [("farsi", "pes"), ("dari", "prs"), ("sorani", "ckb"), ("kurmanji", "kmr"),
     ("badini", "kmr"), ("tigrinja", "tir"), ("kinesisk", "cmn"), ("mandarin", "cmn"),
     ("fas", "pes"), ("per", "pes"), ("fa", "pes"), ("fula", "ful"), ("nuer", "nus")],
)
def test_search_by_common_name_finds_the_language(
    booker_api: APIClient, query: str, first: str
) -> None:
    body = booker_api.get(LANGUAGES, {"q": query}).json()
    assert body["count"] >= 1 and body["results"][0]["code"] == first
    assert "code" not in body and "detail" not in body


def test_search_lists_offered_languages_without_register_interpreters(
    booker_api: APIClient,
) -> None:
    interpreter_user(language="pes")
    rows = {r["code"]: r for r in booker_api.get(LANGUAGES, {"q": "persisk"}).json()["results"]}
    assert rows["pes"]["qualified_interpreters"] == 1
    assert rows["pes"]["name_nb"] == "persisk (iransk)"
    assert rows["prs"]["qualified_interpreters"] == 0
    listed = booker_api.get(LANGUAGES, {"page_size": 500}).json()
    codes = [r["code"] for r in listed["results"]]
    assert listed["count"] == len(set(codes)) > 100
    assert codes[0] == "pes"  # most interpreters first
    assert "fas" not in codes and "nus" in codes


def test_search_without_a_match_says_so(booker_api: APIClient) -> None:
    body = booker_api.get(LANGUAGES, {"q": "klingon-ish"}).json()
    assert (body["count"], body["results"], body["code"]) == (0, [], "no_language_match")
    assert body["detail"].startswith("Ingen språk passer til «klingon-ish»")
    english = booker_api.get(LANGUAGES, {"q": "zzz"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["detail"].startswith("No language matches “zzz”")


def test_booking_with_a_macrolanguage_code_is_stored_under_the_table_code() -> None:
    w = world()
    interpreter_user(language="pes")
    api = client_for(w.booker)
    check = api.post(URL + "check/", body(language="fas"), format="json")
    assert check.status_code == 200, check.json()
    assert check.json()["free_qualified_interpreters"] == 1
    response = api.post(URL, body(language="per"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["language"] == "pes"
    assert Booking.objects.get().language == "pes"
    assert api.get(URL, {"language": "fas"}).json()["count"] == 1
    assert api.get(URL, {"language": "prs"}).json()["count"] == 0


def test_an_ambiguous_or_unknown_code_is_refused_and_nothing_saved() -> None:
    w = world()
    api = client_for(w.booker)
    response = api.post(URL, body(language="kur", start=_future(days=3)), format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "ambiguous_language"
    assert "ckb, kmr, sdh" in error["detail"]
    assert set(error) >= {"code", "detail", "section", "fields"} and "language" in error["fields"]
    unknown = api.post(URL, body(language="xx"), format="json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_language"
    assert Booking.objects.count() == 0
    listed = api.get(URL, {"language": "kur"})
    assert listed.status_code == 400 and "language" in listed.json()["fields"]


def test_interpreter_search_accepts_every_code_of_a_language(booker_api: APIClient) -> None:
    interpreter_user(language="pes")
    interpreter_user(language="prs")
    for code in ("pes", "fas", "per", "fa"):
        found = booker_api.get("/api/v1/interpreters/", {"language": code}).json()
        assert found["count"] == 1, code
