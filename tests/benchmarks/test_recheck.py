"""Benchmark: the daily re-check of the coming 28 days at national scale, against PostgreSQL:
10,000 interpreters and 84,000 future assignments (3,000 a day). Nothing changed: it must be
cheap (a few queries, nothing written but the day's claim); then ten interpreters' entries end,
and the next day's pass reopens their assignments in the window and offers them again.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench1 \\
        .venv/bin/pytest tests/benchmarks/test_recheck.py -s -p no:randomly
"""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.dispatch.services import recheck
from booking.models import Assignment, AssignmentStatus, Qualification
from tests.booking.booking_helpers import world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

INTERPRETERS = 10_000
PER_DAY = 3_000
DAYS = 28
LAPSING = 10


def _generate(customer_id: int, unit_id: int, provider_id: int, user_id: int,
              first_day: dt.datetime) -> None:
    """Interpreters in 40 languages with a police certificate; booking g is on day g / 3000 at
    08:00 + (g % 8) h, assigned to interpreter g % 10000 in their language (one a day each at
    most, so the exclusion constraint holds)."""
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO booking_interpreter (register_number, given_name, family_name, gender,
                municipality, county, availability, offers_onsite, offers_video, offers_phone,
                email, phone, police_certificate_valid_until, created_at, updated_at)
            SELECT 'R' || g, 'Tolk' || g, 'Etternavn' || g, 'female', '0301', '03',
                   'full_time', true, true, true, '', '', DATE '2030-01-01', %s, %s
            FROM generate_series(0, %s - 1) g
            """,
            [now, now, INTERPRETERS],
        )
        cur.execute("SELECT min(id) FROM booking_interpreter WHERE register_number LIKE 'R%%'")
        first_id = cur.fetchone()[0]
        cur.execute(
            """
            INSERT INTO booking_qualification (interpreter_id, language, category, valid_from,
                valid_to, status)
            SELECT i.id,
                   (ARRAY['tir','som','pol','prs','fas','ckb','kmr','pus','urd','ukr','rus',
                          'lit','ron','tha','vie','tur','spa','fra','por','eng','amh','orm',
                          'swa','mya','cmn','tam','bos','srp','hrv','sqi','hun','lav','bul',
                          'deu','ita','hin','pan','ben','nep','ara'])[1 + (i.id - %s) %% 40],
                   (ARRAY['A','B','C','D','E'])[1 + i.id %% 5], DATE '2020-01-01', NULL::date,
                   'active'
            FROM booking_interpreter i WHERE i.register_number LIKE 'R%%'
            """,
            [first_id],
        )
        cur.execute("SELECT coalesce(max(id), 0) FROM booking_booking")
        offset = cur.fetchone()[0]
        cur.execute(
            """
            INSERT INTO booking_booking (id, customer_id, unit_id, provider_id, created_by_id,
                created_at, updated_at, language, dialect, modality, start, "end", municipality,
                address, platform, sector, duty_basis, assessment_note, topic_notes,
                terminology_notes, case_reference, preferred_gender, min_category,
                qualified_required, police_certificate_required, rule_set, status, wave,
                cancelled_by, cancel_reason, late_cancellation)
            SELECT %s + g + 1, %s, %s, %s, %s, %s, %s, q.language, '', 'video',
                   %s + make_interval(days => g / %s, hours => g %% 8),
                   %s + make_interval(days => g / %s, hours => g %% 8 + 1),
                   '0301', '', 'Teams', 'welfare', 'necessary', '', '', '', '', '', '',
                   true, false, 'exception-only', 'assigned', 1, '', '', false
            FROM generate_series(0, %s - 1) g
            JOIN booking_qualification q ON q.interpreter_id = %s + g %% %s
            """,
            [offset, customer_id, unit_id, provider_id, user_id, now, now, first_day, PER_DAY,
             first_day, PER_DAY, PER_DAY * DAYS, first_id, INTERPRETERS],
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('booking_booking', 'id'), "
            "(SELECT max(id) FROM booking_booking))"
        )
        cur.execute(
            """
            INSERT INTO booking_assignment (booking_id, interpreter_id, offer_id, adhoc_name,
                adhoc_age, status, start, "end", blocked_start, blocked_end, travel_minutes,
                category, category_checked_at, basis, exception_ground,
                exception_justification, exception_decided_by, child_exception_ground,
                child_exception_reason, declared_impartial, declared_confidentiality,
                declared_at, created_at, created_by_id, ended_at, end_reason)
            SELECT b.id, %s + (b.id - %s - 1) %% %s, NULL, '', NULL, 'active', b.start,
                   b."end", b.start, b."end", 0, 'A', %s, 'qualified', '', '', '', '', '',
                   true, true, %s, %s, NULL, NULL, ''
            FROM booking_booking b WHERE b.id > %s
            """,
            [first_id, offset, INTERPRETERS, now, now, now, offset],
        )
        cur.execute("ANALYZE")


@pytest.mark.timeout(1800)
def test_daily_recheck_84000_assignments() -> None:
    w = world()
    today = timezone.localtime().replace(hour=0, minute=5, second=0, microsecond=0)
    first_day = today + dt.timedelta(days=1, hours=8)
    _generate(w.customer.pk, w.booker.unit_id, w.provider.pk, w.booker.pk, first_day)
    future = Assignment.objects.filter(status=AssignmentStatus.ACTIVE).count()
    assert future == PER_DAY * DAYS
    recheck._done_day = None

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        quiet = recheck.recheck_daily_due(now=today)
    quiet_seconds = time.perf_counter() - started
    assert quiet is not None and not quiet.changed
    again_started = time.perf_counter()
    assert recheck.recheck_daily_due(now=today + dt.timedelta(hours=1)) is None
    again_ms = (time.perf_counter() - again_started) * 1000
    tracemalloc.start()
    assert not recheck.recheck_upcoming(now=today).changed
    _, quiet_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # Ten interpreters' entries end tonight: the next day's pass takes them off.
    lapsing = list(
        Qualification.objects.filter(interpreter__register_number__startswith="R")
        .order_by("interpreter_id").values_list("interpreter_id", flat=True)[:LAPSING]
    )
    Qualification.objects.filter(interpreter_id__in=lapsing).update(
        valid_to=(today + dt.timedelta(days=1)).date()
    )
    expected = Assignment.objects.filter(
        interpreter_id__in=lapsing, status=AssignmentStatus.ACTIVE,
        start__gte=today + dt.timedelta(days=2), start__lte=today + dt.timedelta(days=29),
    ).count()
    recheck._done_day = None
    started = time.perf_counter()
    busy = recheck.recheck_daily_due(now=today + dt.timedelta(days=1))
    busy_seconds = time.perf_counter() - started
    assert busy is not None
    assert busy.reopened_assignments == expected > 0

    print(
        f"\ndaily re-check, {future:,} future assignments ({PER_DAY:,} a day, {DAYS} days), "
        f"{INTERPRETERS:,} interpreters, PostgreSQL: nothing changed {quiet_seconds:.2f} s, "
        f"{len(queries)} queries, peak traced memory {quiet_peak / 1e6:.0f} MB; "
        f"the same day again {again_ms:.1f} ms; {LAPSING} interpreters lapsed: "
        f"{busy.reopened_assignments} assignments reopened and offered again in "
        f"{busy_seconds:.2f} s"
    )
