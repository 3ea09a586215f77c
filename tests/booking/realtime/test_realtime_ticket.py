"""POST /api/v1/auth/ws-ticket/: one-time tickets for non-browser websocket clients."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from booking.models import WebsocketTicket
from tests.conftest import client_for
from tests.factories import InterpreterUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_ticket_is_random_short_lived_and_replaces_expired_ones():
    user = InterpreterUserFactory()
    old = WebsocketTicket.objects.create(key="old", user=user,
                                         expires_at=timezone.now() - timedelta(minutes=1))
    api = client_for(user)
    first = api.post("/api/v1/auth/ws-ticket/").json()["ticket"]
    second = api.post("/api/v1/auth/ws-ticket/").json()["ticket"]
    assert first != second and len(first) >= 40
    ticket = WebsocketTicket.objects.get(key=first)
    assert ticket.user == user and ticket.used_at is None
    assert timedelta(seconds=25) < ticket.expires_at - timezone.now() <= timedelta(seconds=30)
    assert not WebsocketTicket.objects.filter(pk=old.pk).exists()


def test_ticket_requests_are_throttled():
    api = client_for(InterpreterUserFactory())
    for _ in range(60):
        assert api.post("/api/v1/auth/ws-ticket/").status_code == 201
    response = api.post("/api/v1/auth/ws-ticket/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
