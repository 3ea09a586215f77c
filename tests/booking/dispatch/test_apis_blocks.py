"""The § 16 block API: list, create with its effects, refusals with the error shape, delete, and
tenant isolation."""

from __future__ import annotations

import pytest
from django.urls import include, path

from booking.models import InterpreterBlock
from tests import factories
from tests.booking.booking_helpers import interpreter_user, world
from tests.conftest import client_for

urlpatterns = [path("api/v1/", include("booking.urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

URL = "/api/v1/blocks/"
REASON = "Tolken kjenner familien i saken."


def test_booker_blocks_and_lists_their_organisations_blocks() -> None:
    w, other = world(), world()
    interpreter = interpreter_user().interpreter
    response = client_for(w.booker).post(URL, {
        "register_number": interpreter.register_number, "reason": REASON,
        "case_reference": "2026/55",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisation"] == w.customer.org_number
    assert body["register_number"] == interpreter.register_number
    assert body["case_reference"] == "2026/55" and body["reason"] == REASON
    assert body["created_by"] == w.booker.username
    assert (body["withdrawn_offers"], body["reopened_assignments"]) == (0, 0)
    listed = client_for(w.booker).get(URL).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert client_for(other.booker).get(URL).json()["count"] == 0
    filtered = client_for(w.booker).get(URL, {"register_number": "nobody"}).json()
    assert filtered["count"] == 0


def test_refusals_have_the_error_shape_and_change_nothing() -> None:
    w = world()
    interpreter = interpreter_user().interpreter
    client = client_for(w.booker)
    short = client.post(URL, {"register_number": interpreter.register_number, "reason": "nei"},
                        format="json")
    assert short.status_code == 400
    assert short.json()["code"] == "block_reason_required" and short.json()["section"] == "16"
    missing = client.post(URL, {"reason": REASON}, format="json")
    assert missing.status_code == 400 and "register_number" in missing.json()["fields"]
    unknown = client.post(URL, {"register_number": "NOPE", "reason": REASON}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "interpreter_not_found"
    bad_org = client.post(URL, {"register_number": interpreter.register_number,
                                "reason": REASON, "organisation": "12"}, format="json")
    assert bad_org.status_code == 400
    assert not InterpreterBlock.objects.exists()
    client.post(URL, {"register_number": interpreter.register_number, "reason": REASON},
                format="json")
    again = client.post(URL, {"register_number": interpreter.register_number, "reason": REASON},
                        format="json")
    assert again.status_code == 409 and again.json()["code"] == "block_exists"


def test_other_roles_are_refused() -> None:
    w = world()
    for user in (w.coordinator, interpreter_user(), factories.UserFactory(role="analyst")):
        assert client_for(user).get(URL).status_code == 403
    assert client_for(None).get(URL).status_code in (401, 403)


def test_delete_is_404_for_another_organisation_and_204_for_the_owner() -> None:
    w, other = world(), world()
    interpreter = interpreter_user().interpreter
    created = client_for(w.booker).post(URL, {"register_number": interpreter.register_number,
                                              "reason": REASON}, format="json").json()
    assert client_for(other.booker).delete(f"{URL}{created['id']}/").status_code == 404
    assert client_for(w.booker).delete(f"{URL}{created['id']}/").status_code == 204
    assert client_for(w.booker).delete(f"{URL}{created['id']}/").status_code == 404


def test_admin_blocks_for_a_named_organisation() -> None:
    w = world()
    interpreter = interpreter_user().interpreter
    admin = factories.AdminFactory()
    response = client_for(admin).post(URL, {
        "register_number": interpreter.register_number, "reason": REASON,
        "organisation": w.customer.org_number,
    }, format="json")
    assert response.status_code == 201 and response.json()["organisation"] == w.customer.org_number
    without = client_for(admin).post(URL, {"register_number": interpreter.register_number,
                                           "reason": REASON}, format="json")
    assert without.status_code == 400 and without.json()["code"] == "organisation_required"
