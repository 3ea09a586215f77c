"""The audit trail cannot be changed or deleted through the application, and on PostgreSQL not by a
plain UPDATE or DELETE either."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.test import Client
from django.urls import reverse

from booking.dispatch.models import AuditEntry, Booking
from tests.hardening.world import ROLES, World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _trail(booking_id: int) -> list[tuple]:
    return list(
        AuditEntry.objects.filter(booking_id=booking_id)
        .order_by("id")
        .values_list("id", "action", "from_status", "to_status", "reason", "actor_id")
    )


def test_every_state_change_so_far_is_in_the_trail(world: World) -> None:
    booking_id = world.own["booking_assigned"]
    trail = _trail(booking_id)
    assert len(trail) >= 3  # created, offered, assigned
    assert trail[-1][3] == Booking.objects.get(pk=booking_id).status


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_audit_endpoint_is_read_only_for_every_role(world: World, method: str) -> None:
    booking_id = world.own["booking_assigned"]
    before = _trail(booking_id)
    url = reverse("booking-audit", kwargs={"pk": booking_id})
    for role in ROLES:
        response = getattr(world.client(role), method)(
            url, {"reason": "rewritten", "to_status": "cancelled"}, format="json"
        )
        assert response.status_code in (401, 403, 405), (role, method, response.status_code)
    assert _trail(booking_id) == before


def test_audit_endpoint_serves_the_trail_it_stores(world: World) -> None:
    booking_id = world.own["booking_assigned"]
    response = world.client("booker").get(reverse("booking-audit", kwargs={"pk": booking_id}))
    assert response.status_code == 200
    served = [(e["id"], e["to"] or "") for e in response.json()["results"]]
    assert served == [(t[0], t[3]) for t in _trail(booking_id)]


def test_admin_cannot_change_or_delete_the_trail(world: World) -> None:
    booking_id = world.own["booking_assigned"]
    before = _trail(booking_id)
    client = Client()
    client.force_login(world.users["admin"])
    # No admin page of its own for audit entries; bookings are read-only and cannot be deleted.
    assert client.get("/admin/booking/auditentry/").status_code == 404
    change = f"/admin/booking/booking/{booking_id}/change/"
    assert client.get(change).status_code == 200
    client.post(change, {
        "audit_entries-TOTAL_FORMS": "1", "audit_entries-INITIAL_FORMS": "1",
        "audit_entries-0-id": str(before[0][0]), "audit_entries-0-reason": "rewritten",
        "audit_entries-0-DELETE": "on",
    })
    assert client.post(f"/admin/booking/booking/{booking_id}/delete/",
                       {"post": "yes"}).status_code in (403, 302)
    assert Booking.objects.filter(pk=booking_id).exists()
    assert _trail(booking_id) == before


@pytest.mark.postgres
def test_postgres_refuses_plain_update_and_delete(world: World) -> None:
    booking_id = world.own["booking_assigned"]
    before = _trail(booking_id)
    statements = [
        ("UPDATE booking_auditentry SET reason = 'rewritten' WHERE booking_id = %s", booking_id),
        ("UPDATE booking_auditentry SET to_status = 'cancelled' WHERE booking_id = %s",
         booking_id),
        ("DELETE FROM booking_auditentry WHERE booking_id = %s", booking_id),
    ]
    for sql, param in statements:
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(sql, [param])
    # The ORM goes through the same statements.
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        AuditEntry.objects.filter(booking_id=booking_id).update(reason="rewritten")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        AuditEntry.objects.filter(booking_id=booking_id).delete()
    assert _trail(booking_id) == before
    # Appending is still possible: that is how the trail grows.
    with transaction.atomic():
        AuditEntry.objects.create(booking_id=booking_id, action="note", reason="appended")
    assert len(_trail(booking_id)) == len(before) + 1
