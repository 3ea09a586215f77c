"""Integrity under concurrency, against real PostgreSQL: real threads, real transactions."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import include, path
from django.utils import timezone

from booking.dispatch.services.offers import offers_send_wave
from booking.models import Assignment, AuditEntry, Booking, Offer
from tests import factories
from tests.booking.booking_helpers import interpreter_user, request, world
from tests.conftest import client_for

urlpatterns = [path("api/v1/", include("booking.urls"))]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls(__name__),
]
THREADS = 50


def _run_together(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Start every job at the same moment (barrier) in its own thread and connection."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def runner(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the result is inspected by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _start() -> dt.datetime:
    local = timezone.localtime() + dt.timedelta(days=7)
    return local.replace(hour=10, minute=0, second=0, microsecond=0)


def _accept(user: Any, offer_id: int) -> Callable[[], tuple[int, str]]:
    def job() -> tuple[int, str]:
        response = client_for(user).post(
            f"/api/v1/offers/{offer_id}/accept/",
            {"impartial": True, "confidentiality": True}, format="json",
        )
        return response.status_code, response.json().get("code", "")

    return job


def test_50_interpreters_accept_the_same_booking_exactly_one_wins() -> None:
    from booking.dispatch.services.bookings import booking_create

    w = world()
    users = [interpreter_user() for _ in range(THREADS)]
    booking, _ = booking_create(user=w.booker, data=request(_start()))
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=THREADS)
    assert len(offers) == THREADS
    by_interpreter = {o.interpreter_id: o.pk for o in offers}
    results = _run_together([_accept(u, by_interpreter[u.interpreter_id]) for u in users])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: THREADS - 1}, results
    assert {code for status, code in results if status == 409} <= {
        "booking_already_assigned", "offer_not_pending"
    }
    assert Assignment.objects.filter(booking=booking).count() == 1
    booking.refresh_from_db()
    assert booking.status == "assigned"
    assert Offer.objects.filter(booking=booking, status="accepted").count() == 1
    assert Offer.objects.filter(booking=booking, status="pending").count() == 0
    assert AuditEntry.objects.filter(booking=booking, action="accepted").count() == 1


def test_50_overlapping_bookings_for_one_interpreter_exactly_one_succeeds() -> None:
    from booking.dispatch.services.bookings import booking_create

    w = world()
    user = interpreter_user()
    start = _start()
    offer_ids = []
    for i in range(THREADS):
        booking, _ = booking_create(
            user=w.booker, data=request(start + dt.timedelta(minutes=i))
        )
        (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator)
        offer_ids.append(offer.pk)
    results = _run_together([_accept(user, offer_id) for offer_id in offer_ids])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: THREADS - 1}, results
    assert {code for status, code in results if status == 409} == {"interpreter_busy"}
    assert Assignment.objects.filter(interpreter=user.interpreter).count() == 1
    assert Booking.objects.filter(status="assigned").count() == 1


def test_exclusion_constraint_holds_without_the_service() -> None:
    """The database itself refuses overlapping blocked ranges for one interpreter, and a second
    live assignment for one booking."""
    w = world()
    interpreter = factories.InterpreterFactory()
    from booking.dispatch.services.bookings import booking_create

    start = _start()
    first, _ = booking_create(user=w.booker, data=request(start))
    second, _ = booking_create(user=w.booker, data=request(start + dt.timedelta(hours=2)))
    now = timezone.now()

    def make(booking: Booking, blocked_end: dt.datetime, **kw: Any) -> Assignment:
        return Assignment.objects.create(
            booking=booking, interpreter=kw.get("interpreter", interpreter), start=booking.start,
            end=booking.end, blocked_start=booking.start - dt.timedelta(minutes=15),
            blocked_end=blocked_end, category="A", category_checked_at=now, basis="qualified",
            declared_impartial=True, declared_confidentiality=True, declared_at=now,
            declaration_source="interpreter",
        )

    make(first, first.end + dt.timedelta(minutes=60))
    with pytest.raises(IntegrityError, match="assignment_no_overlap"), transaction.atomic():
        make(second, second.end)  # second's buffer starts 11:45, first's ends 12:00
    other = factories.InterpreterFactory()
    with pytest.raises(IntegrityError, match="assignment_one_per_booking"), transaction.atomic():
        make(first, first.end, interpreter=other)


def test_audit_trail_is_append_only_in_the_database() -> None:
    w = world()
    from booking.dispatch.services.bookings import booking_create

    booking, _ = booking_create(user=w.booker, data=request(_start()))
    entry = AuditEntry.objects.get(booking=booking)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_concurrent_retries_with_one_idempotency_key_make_one_booking() -> None:
    w = world()
    start = _start()
    payload = {
        "language": "ara", "modality": "onsite", "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=1)).isoformat(), "duty_basis": "statute",
        "municipality": "0301", "address": "Markveien 1",
    }

    def job() -> tuple[int, int]:
        response = client_for(w.booker).post("/api/v1/bookings/", payload, format="json",
                                              HTTP_IDEMPOTENCY_KEY="retry-42")
        return response.status_code, response.json().get("id")

    results = _run_together([job for _ in range(10)])
    assert Booking.objects.count() == 1
    assert {booking_id for _, booking_id in results} == {Booking.objects.get().pk}, results
    assert Counter(status for status, _ in results)[201] == 1
