"""Throttling an attacker cannot walk around: the client address comes from the connection (or a
trusted proxy), failed logins lock a username out whatever the address, and the counts are shared
by every process (Redis) and raised atomically."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from tests import factories
from tolk.client import address_from

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-booker-passphrase-42"


def _rates(**rates: str) -> dict[str, Any]:
    from django.conf import settings

    return {**settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, **rates}}


def _spoofed(n: int) -> dict[str, str]:
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n % 250 + 1}, 203.0.113.{n % 200 + 1}"}


# -- the client address ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        ([], "192.0.2.10", "203.0.113.5", "192.0.2.10"),
        (["10.0.0.0/8"], "192.0.2.10", "203.0.113.5", "192.0.2.10"),
        (["10.0.0.0/8"], "10.1.2.3", "203.0.113.5", "203.0.113.5"),
        # The client's own entries stand left of what the proxy appended.
        (["10.0.0.0/8"], "10.1.2.3", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        # Two trusted proxies in a row.
        (["10.0.0.0/8", "172.16.0.1"], "10.1.2.3", "198.51.100.7, 172.16.0.1", "198.51.100.7"),
        (["10.0.0.0/8"], "10.1.2.3", "", "10.1.2.3"),
        (["10.0.0.0/8"], "10.1.2.3", "not-an-address", "10.1.2.3"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
        ([], "", "203.0.113.5", "unknown"),
    ],
)
def test_client_address(trusted, peer, forwarded, expected):
    with override_settings(TOLK_TRUSTED_PROXIES=trusted):
        assert address_from(peer, forwarded) == expected


# -- throttles -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_spoofed_forwarded_for_does_not_bypass_the_login_throttle():
    factories.BookerFactory(username="kari", password=PASSWORD)
    api = APIClient()
    statuses = []
    for n in range(60):
        # Every attempt a new username, so only the per-address throttle can stop it.
        response = api.post("/api/v1/auth/token/", {"username": f"guess{n}", "password": "x"},
                            format="json", **_spoofed(n))
        statuses.append(response.status_code)
    # The address's tenth failure locks it out (axes); the eleventh request is over the rate.
    assert statuses[:9] == [400] * 9
    assert set(statuses[9:]) == {429}
    blocked = api.post("/api/v1/auth/token/", {"username": "kari", "password": PASSWORD},
                       format="json", **_spoofed(99))
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled" and int(blocked["Retry-After"]) >= 1
    assert set(blocked.json()) == {"code", "detail", "section", "fields"}


@pytest.mark.django_db
def test_spoofed_forwarded_for_does_not_bypass_the_card_check_throttle():
    with override_settings(REST_FRAMEWORK=_rates(card="5/min")):
        api = APIClient()
        statuses = [
            api.get("/api/v1/interpreters/T-99999/card", **_spoofed(n)).status_code
            for n in range(8)
        ]
    assert statuses[:5] == [404] * 5
    assert statuses[5:] == [429] * 3


@pytest.mark.django_db
def test_a_trusted_proxy_is_honoured():
    with override_settings(REST_FRAMEWORK=_rates(card="3/min"),
                           TOLK_TRUSTED_PROXIES=["10.0.0.0/8"]):
        api = APIClient(REMOTE_ADDR="10.0.0.2")
        # Many clients behind the proxy: each has its own count.
        for n in range(6):
            response = api.get("/api/v1/interpreters/T-99999/card",
                               HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
            assert response.status_code == 404
        # One client that puts addresses of its own in front is still one client.
        statuses = [
            api.get("/api/v1/interpreters/T-99999/card",
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.77").status_code
            for n in range(5)
        ]
        assert statuses == [404, 404, 404, 429, 429]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_pass_beyond_the_rate():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises the requests; the concurrency run is on PostgreSQL")
    with override_settings(REST_FRAMEWORK=_rates(card="10/min")):
        statuses: list[int] = []
        lock = threading.Lock()
        barrier = threading.Barrier(8)

        def client() -> None:
            api = APIClient()
            barrier.wait()
            for _ in range(5):
                status = api.get("/api/v1/interpreters/T-99999/card").status_code
                with lock:
                    statuses.append(status)
            connection.close()

        threads = [threading.Thread(target=client) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses.count(404) == 10 and statuses.count(429) == 30


# -- the login lockout (django-axes) ---------------------------------------------------------------

@pytest.mark.django_db
def test_a_username_is_locked_out_whatever_the_address():
    factories.BookerFactory(username="kari", password=PASSWORD)
    factories.BookerFactory(username="ola", password=PASSWORD)
    for n in range(9):
        response = APIClient(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
            "/api/v1/auth/token/", {"username": "kari", "password": f"guess{n}"}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_credentials"
    locking = APIClient(REMOTE_ADDR="192.0.2.10").post(
        "/api/v1/auth/token/", {"username": "kari", "password": "guess9"}, format="json")
    assert locking.status_code == 429
    # The right password, from an address never seen, in English.
    blocked = APIClient(REMOTE_ADDR="198.51.100.1").post(
        "/api/v1/auth/token/", {"username": "kari", "password": PASSWORD}, format="json",
        HTTP_ACCEPT_LANGUAGE="en")
    assert blocked.status_code == 429
    body = blocked.json()
    assert set(body) == {"code", "detail", "section", "fields"}
    assert body["code"] == "login_locked"
    assert "Too many failed login attempts" in body["detail"] and "15 minutes" in body["detail"]
    assert int(blocked["Retry-After"]) == 15 * 60
    norsk = APIClient(REMOTE_ADDR="198.51.100.2").post(
        "/api/v1/auth/token/", {"username": "kari", "password": PASSWORD}, format="json")
    assert norsk.status_code == 429 and "innlogginger" in norsk.json()["detail"]
    # The web and admin logins are locked for her too; other users are not.
    for path in ("/login/", "/admin/login/"):
        web = Client(REMOTE_ADDR="198.51.100.3").post(path, {"username": "kari",
                                                             "password": PASSWORD})
        assert web.status_code == 429, path
    ok = APIClient(REMOTE_ADDR="198.51.100.4").post(
        "/api/v1/auth/token/", {"username": "ola", "password": PASSWORD}, format="json")
    assert ok.status_code == 200


@pytest.mark.django_db
def test_one_address_guessing_many_usernames_on_the_web_login_is_locked_out():
    client = Client(REMOTE_ADDR="192.0.2.50")
    statuses = [
        client.post("/login/", {"username": f"user{n}", "password": "x"},
                    HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(12)
    ]
    assert statuses[:9] == [200] * 9
    assert set(statuses[9:]) == {429}


# -- shared between processes (Redis) --------------------------------------------------------------

COUNT_IN_ANOTHER_PROCESS = """
import json, django
django.setup()
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView
from tolk.throttling import ClientRateThrottle

class View(APIView):
    throttle_scope = "card"

request = APIRequestFactory().get("/", REMOTE_ADDR="192.0.2.77",
                                  HTTP_X_FORWARDED_FOR="203.0.113.1")
from rest_framework.request import Request
print(json.dumps([ClientRateThrottle().allow_request(Request(request), View())
                  for _ in range(COUNT)]))
"""


@pytest.mark.redis
def test_counts_are_shared_by_every_process_through_redis():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tolk.settings.test"}
    env.pop("DATABASE_URL", None)

    def run(count: int) -> list[bool]:
        result = subprocess.run(
            [sys.executable, "-c", COUNT_IN_ANOTHER_PROCESS.replace("COUNT", str(count))],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    # The card check allows 120 a minute per address: two processes share one count. The count
    # is per fixed minute, so both runs start early in one minute (each takes a few seconds).
    if time.time() % 60 > 20:
        time.sleep(60 - time.time() % 60)
    first = run(70)
    second = run(70)
    assert all(first)
    assert second.count(True) == 50 and second[50:] == [False] * 20


@pytest.mark.redis
@pytest.mark.django_db
def test_login_failures_are_counted_in_redis_when_it_is_configured():
    from django.conf import settings
    from django.core.cache import cache

    from tolk.cache import ResilientRedisCache

    assert settings.AXES_HANDLER == "tolk.lockout.SharedCacheHandler"
    assert isinstance(cache, ResilientRedisCache) or type(cache).__name__ == "ConnectionProxy"
    factories.BookerFactory(username="kari", password=PASSWORD)
    for n in range(10):
        APIClient(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
            "/api/v1/auth/token/", {"username": "kari", "password": "wrong"}, format="json")
    keys = [key for key in cache._cache.get_client().keys("*") if b"axes" in key.lower()]
    assert keys, "the failures are kept in Redis"
    blocked = APIClient(REMOTE_ADDR="198.51.100.9").post(
        "/api/v1/auth/token/", {"username": "kari", "password": PASSWORD}, format="json")
    assert blocked.status_code == 429 and blocked.json()["code"] == "login_locked"
