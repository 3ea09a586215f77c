"""Shared fixtures, and the rule that a test needing PostgreSQL or Redis fails instead of skipping
when TOLK_REQUIRE_SERVICES=1 (set by .ci/run for the run against those services)."""

from __future__ import annotations

import contextlib
import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests import factories

REQUIRE_SERVICES = os.environ.get("TOLK_REQUIRE_SERVICES") == "1"


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 2):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        vendor = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in vendor:
            if REQUIRE_SERVICES:
                pytest.fail("needs PostgreSQL: set DATABASE_URL=postgres://... (required here)")
            pytest.skip("needs PostgreSQL (DATABASE_URL)")
    if item.get_closest_marker("redis"):
        url = os.environ.get("REDIS_URL", "")
        if not url or not _redis_reachable(url):
            if REQUIRE_SERVICES:
                pytest.fail(f"needs Redis at REDIS_URL={url!r} (required here)")
            pytest.skip("needs Redis (REDIS_URL)")


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    """Throttle counters and login failures in the cache (Redis with REDIS_URL) start empty."""
    from django.core.cache import cache

    # A test without Redis reachable does not need the cache cleared.
    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def admin_user(db: None) -> factories.AdminFactory:
    return factories.AdminFactory()


@pytest.fixture
def admin_api(admin_user: object) -> APIClient:
    return client_for(admin_user)


@pytest.fixture
def booker(db: None) -> object:
    return factories.BookerFactory()


@pytest.fixture
def booker_api(booker: object) -> APIClient:
    return client_for(booker)


@pytest.fixture
def coordinator(db: None) -> object:
    return factories.CoordinatorFactory()


@pytest.fixture
def coordinator_api(coordinator: object) -> APIClient:
    return client_for(coordinator)


@pytest.fixture
def analyst(db: None) -> object:
    return factories.UserFactory(role="analyst")


@pytest.fixture
def analyst_api(analyst: object) -> APIClient:
    return client_for(analyst)
