"""API tokens: hashed at rest, expiring (sliding), one per device, listed and revoked by their
owner; tokens from before (DRF authtoken) carried over as digests."""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-booker-passphrase-42"


def _login(username: str = "kari") -> dict:
    response = APIClient().post("/api/v1/auth/token/",
                                {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _as(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


@pytest.fixture
def kari():
    return factories.BookerFactory(username="kari", password=PASSWORD)


def test_token_is_stored_only_as_a_digest(kari):
    body = _login()
    token = body["token"]
    assert set(body) == {"token", "token_id", "expiry"}
    row = AuthToken.objects.get(user=kari)
    assert row.digest == hashlib.sha512(token.encode()).hexdigest()
    assert token not in {row.digest, row.token_key}
    assert body["token_id"] == row.token_key and len(row.token_key) < len(token) // 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        stored = " ".join(str(value) for row_values in cursor.fetchall() for value in row_values)
    assert token not in stored
    assert _as(token).get("/api/v1/me/").status_code == 200


def test_each_login_is_a_token_of_its_own(kari):
    phone, laptop = _login()["token"], _login()["token"]
    assert phone != laptop
    assert AuthToken.objects.filter(user=kari).count() == 2
    assert _as(phone).delete("/api/v1/auth/token/").status_code == 204
    assert _as(phone).get("/api/v1/me/").status_code == 401
    assert _as(laptop).get("/api/v1/me/").status_code == 200


def test_token_expires_and_use_slides_the_expiry(kari):
    body = _login()
    token = body["token"]
    expiry = timezone.datetime.fromisoformat(body["expiry"])
    assert timedelta(hours=9) < expiry - timezone.now() <= timedelta(hours=10)
    # Used shortly before it ends: the end moves a full lifetime ahead.
    AuthToken.objects.filter(user=kari).update(expiry=timezone.now() + timedelta(minutes=5))
    assert _as(token).get("/api/v1/me/").status_code == 200
    moved = AuthToken.objects.get(user=kari).expiry
    assert moved - timezone.now() > timedelta(hours=9)
    # Not used in time: gone.
    AuthToken.objects.filter(user=kari).update(expiry=timezone.now() - timedelta(seconds=1))
    response = _as(token).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=kari).exists()


@override_settings(REST_KNOX={"TOKEN_TTL": timedelta(hours=10), "AUTO_REFRESH": True,
                              "AUTO_REFRESH_MAX_TTL": timedelta(hours=12),
                              "TOKEN_LIMIT_PER_USER": 20})
def test_sliding_never_goes_beyond_the_longest_lifetime(kari):
    token = _login()["token"]
    AuthToken.objects.filter(user=kari).update(created=timezone.now() - timedelta(hours=11),
                                               expiry=timezone.now() + timedelta(minutes=5))
    assert _as(token).get("/api/v1/me/").status_code == 200
    assert AuthToken.objects.get(user=kari).expiry - timezone.now() < timedelta(hours=1, minutes=1)


def test_own_tokens_are_listed_and_revoked_by_id(kari):
    first, second = _login(), _login()
    mallory = factories.BookerFactory(username="mallory", password=PASSWORD)
    theirs = _login("mallory")
    listing = _as(first["token"]).get("/api/v1/auth/tokens/")
    assert listing.status_code == 200
    results = listing.json()["results"]
    assert {r["token_id"] for r in results} == {first["token_id"], second["token_id"]}
    assert {r["token_id"]: r["current"] for r in results} == {
        first["token_id"]: True, second["token_id"]: False}
    assert all("token" not in r and r["expiry"] and r["created"] for r in results)
    # Someone else's token is not found, and stays.
    other = _as(first["token"]).delete(f"/api/v1/auth/tokens/{theirs['token_id']}/")
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert AuthToken.objects.filter(user=mallory).exists()
    assert _as(first["token"]).delete(
        f"/api/v1/auth/tokens/{second['token_id']}/").status_code == 204
    assert _as(second["token"]).get("/api/v1/me/").status_code == 401
    assert [r["token_id"] for r in _as(first["token"]).get("/api/v1/auth/tokens/")
            .json()["results"]] == [first["token_id"]]


@override_settings(REST_KNOX={"TOKEN_TTL": timedelta(hours=10), "AUTO_REFRESH": True,
                              "TOKEN_LIMIT_PER_USER": 3})
def test_beyond_the_limit_the_oldest_token_goes(kari):
    tokens = [_login()["token"] for _ in range(4)]
    assert AuthToken.objects.filter(user=kari).count() == 3
    assert _as(tokens[0]).get("/api/v1/me/").status_code == 401
    assert all(_as(t).get("/api/v1/me/").status_code == 200 for t in tokens[1:])


def test_a_token_header_that_is_not_utf8_is_refused_not_an_error(kari):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token \xff\xfe")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
def test_tokens_from_drf_authtoken_are_carried_over_as_digests(kari):
    migration = importlib.import_module("booking.migrations.0008_api_tokens_hashed")
    old_key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
                       "created timestamp, user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)",
                       [old_key, timezone.now(), kari.pk])
    with connection.schema_editor(atomic=False) as editor:
        migration.move_tokens(global_apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    row = AuthToken.objects.get(user=kari)
    assert row.digest == hashlib.sha512(old_key.encode()).hexdigest() and row.expiry
    assert _as(old_key).get("/api/v1/me/").status_code == 200
