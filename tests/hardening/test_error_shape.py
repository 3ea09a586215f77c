"""Under /api/ every error is JSON in the one error shape, whatever produced it."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from tests import factories

SHAPE = {"code", "detail", "section", "fields"}


@pytest.fixture
def booker_client(db: None) -> APIClient:
    client = APIClient()
    client.force_authenticate(factories.BookerFactory())
    return client


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/no-such-endpoint/", 404, "not_found"),
        ("/api/v1/organisations/not-a-number/", 404, "not_found"),
        ("/api/v1/bookings/99999999/", 404, None),
        ("/api/nothing", 404, "not_found"),
    ],
)
def test_unknown_paths_answer_in_the_error_shape(
    booker_client: APIClient, path: str, status: int, code: str | None
) -> None:
    response = booker_client.get(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == SHAPE
    if code:
        assert body["code"] == code


def test_wrong_method_is_405_in_the_error_shape(booker_client: APIClient) -> None:
    response = booker_client.delete("/api/v1/languages/")
    assert response.status_code == 405
    assert set(response.json()) == SHAPE


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        json.dumps({"language": "ara" * 10000, "start": "yesterday", "end": None}).encode(),
        json.dumps([1, 2, 3]).encode(),
        json.dumps({"modality": {"nested": ["deep"] * 1000}}).encode(),
    ],
    ids=["broken", "binary", "huge-field", "array", "nested"],
)
def test_hostile_bodies_are_rejected_cleanly(booker_client: APIClient, body: bytes) -> None:
    response = booker_client.generic(
        "POST", "/api/v1/bookings/", body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert set(response.json()) == SHAPE


def test_body_over_the_upload_limit_is_rejected_cleanly(booker_client: APIClient) -> None:
    body = b'{"topic_notes": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    response = booker_client.generic(
        "POST", "/api/v1/bookings/", body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert set(response.json()) == SHAPE
