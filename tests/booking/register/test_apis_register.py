"""The register and organisation APIs: search filters and order, the public card check, the import
endpoint, tokens, and that nobody sees another organisation's data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import Interpreter
from booking.register.services import REGISTER_COLUMNS
from tests import factories

pytestmark = pytest.mark.django_db


def _entry(number: str, family: str, language: str, category: str, **person: object) -> None:
    interpreter = Interpreter.objects.filter(register_number=number).first()
    if interpreter is None:
        interpreter = factories.InterpreterFactory(
            register_number=number, family_name=family, given_name="X", **person
        )
    factories.QualificationFactory(
        interpreter=interpreter, language=language, category=category
    )


@pytest.fixture
def register() -> None:
    _entry("T-1", "Berg", "ara", "C", municipality="0301", gender="female")
    _entry("T-2", "Aas", "ara", "C", municipality="4601", gender="male",
           availability="sporadic")
    _entry("T-3", "Dahl", "ara", "A", municipality="5001", gender="female", offers_phone=False)
    _entry("T-4", "Eng", "ara", "E", municipality="0301", gender="male")
    _entry("T-4", "Eng", "tir", "B")
    _entry("T-5", "Foss", "som", "A", municipality="0301")
    # Suspended: not qualified today, so not listed.
    _entry("T-6", "Gran", "ara", "A", municipality="0301")
    factories.StatusEventFactory(
        interpreter=Interpreter.objects.get(register_number="T-6"),
        valid_from=timezone.localdate() - dt.timedelta(days=3),
    )


def numbers(response: object) -> list[str]:
    return [r["register_number"] for r in response.json()["results"]]  # type: ignore[attr-defined]


def test_search_orders_a_to_e_then_name(booker_api: APIClient, register: None) -> None:
    response = booker_api.get("/api/v1/interpreters/", {"language": "ara"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert numbers(response) == ["T-3", "T-2", "T-1", "T-4"]
    assert body["results"][0]["best_category"] == "A"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"language": "ara", "category": ["A", "C"]}, ["T-3", "T-2", "T-1"]),
        ({"language": "ara", "county": "03"}, ["T-1", "T-4"]),
        ({"language": "ara", "municipality": "4601"}, ["T-2"]),
        ({"language": "ara", "gender": "male"}, ["T-2", "T-4"]),
        ({"language": "ara", "availability": "sporadic"}, ["T-2"]),
        ({"language": "ara", "modality": "phone"}, ["T-2", "T-1", "T-4"]),
        ({"language": "tir"}, ["T-4"]),
        ({"category": "A"}, ["T-3", "T-5"]),
    ],
)
def test_search_filters(
    booker_api: APIClient, register: None, params: dict, expected: list[str]
) -> None:
    assert numbers(booker_api.get("/api/v1/interpreters/", params)) == expected


def test_search_rejects_unknown_language_with_a_code(booker_api: APIClient) -> None:
    response = booker_api.get("/api/v1/interpreters/", {"language": "zzz"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] and "language" in body["fields"]


def test_contact_details_only_for_coordinators(
    booker_api: APIClient, coordinator_api: APIClient, register: None
) -> None:
    booker_row = booker_api.get("/api/v1/interpreters/", {"language": "som"}).json()["results"][0]
    assert booker_row["email"] is None and booker_row["phone"] is None
    coord_row = coordinator_api.get("/api/v1/interpreters/", {"language": "som"}).json()
    assert coord_row["results"][0]["email"]


def test_search_is_not_for_interpreters_analysts_or_anonymous(
    analyst_api: APIClient, api: APIClient
) -> None:
    assert analyst_api.get("/api/v1/interpreters/").status_code == 403
    assert api.get("/api/v1/interpreters/").status_code in (401, 403)


def test_card_check_is_public_and_has_no_contact_details(api: APIClient, register: None) -> None:
    for url in ("/api/v1/interpreters/T-4/card", "/api/v1/interpreters/T-4/card/"):
        response = api.get(url)
        assert response.status_code == 200
        card = response.json()
        assert card["name"] == "X Eng" and card["active"] is True
        assert [(x["language"], x["category"], x["active"]) for x in card["languages"]] == [
            ("tir", "B", True), ("ara", "E", True),
        ]
        assert "email" not in str(card) and "phone" not in str(card)


def test_card_check_shows_suspended_entry_as_not_active(api: APIClient, register: None) -> None:
    card = api.get("/api/v1/interpreters/T-6/card").json()
    assert card["active"] is False
    assert card["languages"][0]["active"] is False


def test_card_check_unknown_number_is_404_with_code(api: APIClient) -> None:
    response = api.get("/api/v1/interpreters/NOPE-1/card")
    assert response.status_code == 404
    assert response.json()["code"] == "interpreter_not_found"


def _csv(*rows: list[str]) -> SimpleUploadedFile:
    text = ",".join(REGISTER_COLUMNS) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    return SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")


GOOD = ["T-9", "Amal", "Haddad", "female", "0301", "part_time", "onsite|video", "", "",
        "ara", "A", "2020-01-01", "", "active", ""]


def test_import_endpoint_for_admins(admin_api: APIClient) -> None:
    response = admin_api.post("/api/v1/register/imports/", {"file": _csv(GOOD)}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["added"] == 1
    listed = admin_api.get("/api/v1/register/imports/").json()
    assert listed["count"] == 1 and listed["results"][0]["file_name"] == "register.csv"


def test_import_endpoint_rejects_bad_file_and_changes_nothing(admin_api: APIClient) -> None:
    bad = [*GOOD[:9], "ara", "Q", *GOOD[11:]]
    response = admin_api.post(
        "/api/v1/register/imports/", {"file": _csv(GOOD, bad)}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "register_import_invalid"
    assert body["errors"] == [
        {"line": 3, "column": "category", "code": "invalid_choice",
         "reason": body["errors"][0]["reason"]},
    ]
    assert not Interpreter.objects.exists()


def test_a_refused_register_file_is_explained_in_the_request_language(
    admin_api: APIClient,
) -> None:
    bad = [*GOOD[:9], "ara", "Q", *GOOD[11:]]
    english, bokmal = (
        admin_api.post("/api/v1/register/imports/", {"file": _csv(GOOD, bad)},
                       format="multipart", HTTP_ACCEPT_LANGUAGE=language).json()
        for language in ("en", "nb")
    )
    assert english["code"] == bokmal["code"] == "register_import_invalid"
    assert english["detail"] == "The file was not imported: every row must be valid. See errors."
    assert bokmal["detail"] == "Filen ble ikke importert: alle rader må være gyldige. Se errors."
    assert english["section"] is bokmal["section"] is None
    assert english["fields"] == bokmal["fields"] == {"file": ["register_import_invalid"]}


def test_import_endpoint_requires_a_file_and_an_admin(
    admin_api: APIClient, coordinator_api: APIClient
) -> None:
    assert admin_api.post("/api/v1/register/imports/", {}, format="multipart").status_code == 400
    response = coordinator_api.post(
        "/api/v1/register/imports/", {"file": _csv(GOOD)}, format="multipart"
    )
    assert response.status_code == 403
    assert not Interpreter.objects.exists()


def test_token_login_and_revocation(api: APIClient) -> None:
    factories.UserFactory(username="anne", password="correct-horse-42")
    assert api.post(
        "/api/v1/auth/token/", {"username": "anne", "password": "wrong"}, format="json"
    ).json()["code"] == "invalid_credentials"
    response = api.post(
        "/api/v1/auth/token/", {"username": "anne", "password": "correct-horse-42"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["username"] == "anne"
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_me_describes_the_caller(booker: object, booker_api: APIClient) -> None:
    me = booker_api.get("/api/v1/me/").json()
    assert me["role"] == "booker"
    assert me["organisation"]["id"] == booker.organisation_id  # type: ignore[attr-defined]
    assert me["unit"]["id"] == booker.unit_id  # type: ignore[attr-defined]


def test_organisations_are_isolated(booker: object, booker_api: APIClient) -> None:
    other = factories.OrganisationFactory()
    listed = booker_api.get("/api/v1/organisations/").json()
    assert [o["id"] for o in listed["results"]] == [booker.organisation_id]  # type: ignore[attr-defined]
    assert booker_api.get(f"/api/v1/organisations/{other.pk}/").status_code == 404
    own = booker_api.get(f"/api/v1/organisations/{booker.organisation_id}/")  # type: ignore[attr-defined]
    assert own.status_code == 200


def test_admin_sees_every_organisation(admin_api: APIClient) -> None:
    factories.OrganisationFactory.create_batch(3)
    assert admin_api.get("/api/v1/organisations/").json()["count"] == 3


def test_languages_lists_register_languages_with_counts(
    booker_api: APIClient, register: None
) -> None:
    body = booker_api.get("/api/v1/languages/").json()
    rows = {r["code"]: r for r in body["results"]}
    assert rows["ara"]["qualified_interpreters"] == 4
    assert rows["ara"]["name_en"] == "Arabic" and rows["ara"]["name_nb"] == "arabisk"
    searched = booker_api.get("/api/v1/languages/", {"q": "tigr"}).json()["results"]
    # Tigrinya (in the register) first, then Tigré, which the language table offers as well.
    assert [r["code"] for r in searched] == ["tir", "tig"]


def test_schema_and_docs_are_served(api: APIClient) -> None:
    assert api.get("/api/schema/").status_code == 200
    assert api.get("/api/docs/").status_code == 200


def test_import_endpoint_refuses_a_file_over_the_limit(admin_api: APIClient, settings: Any) -> None:
    settings.TOLK_IMPORT_MAX_BYTES = {**settings.TOLK_IMPORT_MAX_BYTES, "register": 10}
    response = admin_api.post("/api/v1/register/imports/", {"file": _csv(GOOD)},
                              format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert response.json()["fields"] == {"file": ["file_too_large"]}
    assert not Interpreter.objects.exists()


@pytest.mark.parametrize("column", [1, 2, 7, 8])  # given and family name, email, phone
def test_import_endpoint_a_nul_character_is_a_row_error(admin_api: APIClient, column: int) -> None:
    """No database text can hold a NUL (PostgreSQL refuses it): a row error, never a 500."""
    bad = list(GOOD)
    bad[column] = "Am\x00al"
    response = admin_api.post(
        "/api/v1/register/imports/", {"file": _csv(bad)}, format="multipart"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "register_import_invalid"
    assert any((e["line"], e["column"], e["code"]) == (2, REGISTER_COLUMNS[column],
                                                      "invalid_character")
               for e in body["errors"]), body["errors"]
    assert not Interpreter.objects.exists()


@pytest.mark.parametrize(("language", "reason"), [
    ("en", "'x' is not one of: female, male, other."),
    ("nb", "'x' er ikke en av: female, male, other."),
])
def test_import_endpoint_row_errors_are_in_the_requests_language(
    admin_api: APIClient, language: str, reason: str
) -> None:
    bad = list(GOOD)
    bad[3] = "x"
    response = admin_api.post("/api/v1/register/imports/", {"file": _csv(bad)},
                              format="multipart", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["line"], e["column"], e["code"], e["reason"]) for e in errors] == [
        (2, "gender", "invalid_choice", reason),
    ]
