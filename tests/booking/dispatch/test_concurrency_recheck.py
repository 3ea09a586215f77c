"""The re-check under concurrency, against real PostgreSQL: a register import that ends an
interpreter's qualification while they accept their offers. Whatever the interleaving, nobody
deadlocks and no assignment on a day they are not qualified survives."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from booking.dispatch.services.bookings import booking_create
from booking.dispatch.services.offers import offer_accept, offers_send_wave
from booking.models import Assignment, AssignmentStatus
from booking.register.services import REGISTER_COLUMNS, register_import
from booking.rules import Declarations
from tests.booking.booking_helpers import request, world
from tests.booking.dispatch.test_concurrency import _run_together
from tests.booking.dispatch.test_services_recheck import csv_row, person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
BOOKINGS = 6
YES = Declarations(impartial=True, confidentiality=True)


def test_import_ending_a_qualification_while_offers_are_accepted() -> None:
    w = world()
    user = person("A")
    first_day = timezone.localdate() + dt.timedelta(days=20)
    offers = []
    for n in range(BOOKINGS):
        start = dt.datetime.combine(first_day + dt.timedelta(days=n), dt.time(10, 0),
                                    tzinfo=dt.UTC)
        booking, _ = booking_create(user=w.booker, data=request(start))
        (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator,
                                    register_numbers=[user.interpreter.register_number])
        offers.append(offer)
    # Accepted before the file arrives: one assignment already stands.
    offer_accept(offer_id=offers[0].pk, user=user, declarations=YES)
    text = "\n".join([",".join(REGISTER_COLUMNS), csv_row(
        user.interpreter, valid_to=(first_day - dt.timedelta(days=1)).isoformat())]) + "\n"

    def do_import() -> Any:
        return register_import(stream=io.BytesIO(text.encode()), file_name="register.csv")

    def accept(offer_id: int) -> Any:
        def job() -> Any:
            return offer_accept(offer_id=offer_id, user=user, declarations=YES)
        return job

    results = _run_together([do_import, *[accept(o.pk) for o in offers[1:]]])

    imported = results[0]
    assert not isinstance(imported, Exception), imported
    assert imported.ok
    for outcome in results[1:]:
        # Either accepted before the import (then reopened by it) or refused after it.
        assert isinstance(outcome, Assignment) or getattr(outcome, "code", "") in (
            "offer_not_pending", "TL14_LANGUAGE", "booking_not_open",
        ), repr(outcome)
    assert not Assignment.objects.filter(
        interpreter=user.interpreter, status=AssignmentStatus.ACTIVE
    ).exists()
    assert imported.reopened_assignments >= 1
    assert imported.reopened_assignments + imported.withdrawn_offers == BOOKINGS
    connection.close()


def test_daily_pass_runs_once_when_processes_start_it_together() -> None:
    from booking.dispatch.services import recheck
    from booking.models import DailyJobRun

    w = world()
    user = person("A")
    start = timezone.localtime() + dt.timedelta(days=5)
    booking, _ = booking_create(user=w.booker, data=request(start.replace(hour=10, minute=0)))
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator,
                                register_numbers=[user.interpreter.register_number])
    offer_accept(offer_id=offer.pk, user=user, declarations=YES)
    # The entry ends before the job, written where no service re-checks it.
    user.interpreter.qualifications.update(valid_to=timezone.localdate())
    recheck._done_day = None

    results = _run_together([recheck.recheck_daily_due for _ in range(4)])

    ran = [r for r in results if r is not None]
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(ran) == 1 and ran[0].reopened_assignments == 1
    assert DailyJobRun.objects.get().finished_at is not None
    recheck._done_day = None
    connection.close()


def test_nowait_lock_is_none_while_another_transaction_holds_the_booking() -> None:
    import threading

    from django.db import transaction

    from booking.dispatch.locks import lock_booking, lock_booking_nowait

    w = world()
    start = timezone.localtime() + dt.timedelta(days=5)
    booking, _ = booking_create(user=w.booker, data=request(start.replace(hour=10, minute=0)))
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        try:
            with transaction.atomic():
                lock_booking(booking_id=booking.pk)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            assert lock_booking_nowait(booking_id=booking.pk) is None
            # The transaction goes on after the refused lock.
            assert Assignment.objects.count() == 0
    finally:
        release.set()
        thread.join(10)
    with transaction.atomic():
        assert lock_booking_nowait(booking_id=booking.pk) == booking
