"""How long the web pages take to render with the demo data (seed_demo plus a year of provider
facts), through the Django test client: p50/p95 per page in milliseconds. Run on purpose:

    .venv/bin/pytest tests/benchmarks/test_pages.py -s -p no:randomly

Against PostgreSQL set DATABASE_URL (pytest-django creates test_<name>)."""

from __future__ import annotations

import datetime as dt
import io
import statistics
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from booking.models import Booking, User
from stats.services.imports import assignments_import

ROUNDS = 20

pytestmark = pytest.mark.django_db


def _facts(year: int, rows: int) -> io.BytesIO:
    languages = ["ara"] * 33 + ["tir"] * 9 + ["som"] * 8 + ["pol"] * 7 + ["prs"] * 6 + ["ukr"] * 20
    out = ["provider_org_number,provider_type,reference,date,language,modality,sector,"
           "municipality,interpreter_category,outcome,duration_minutes,cost_nok"]
    for i in range(rows):
        done = i % 10 != 0
        out.append(
            f"920039596,private,bench-{year}-{i},{year}-{1 + i % 12:02d}-{1 + i % 28:02d},"
            f"{languages[i % len(languages)]},{['onsite', 'video', 'phone'][i % 3]},"
            f"{['health', 'welfare', 'justice', 'other'][i % 4]},{['0301', '4601', '5001'][i % 3]},"
            f"{'ABCDE'[i % 5] if done and i % 3 else ''},{'completed' if done else 'unfilled'},"
            f"{60 if done else ''},{'1100.00' if done else ''}"
        )
    return io.BytesIO(("\n".join(out) + "\n").encode())


def _time(client: Client, url: str) -> tuple[float, float]:
    client.get(url)  # warm caches (templates, translations)
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def test_page_render_times_with_demo_data() -> None:
    started = time.perf_counter()
    call_command("seed_demo", verbosity=0)
    year = timezone.localdate().year - 1
    for y in (year - 1, year):
        result = assignments_import(stream=_facts(y, 20_000), file_name=f"bench-{y}.csv")
        assert result.ok
    print(f"\nset-up: seed_demo and 40,000 provider facts in {time.perf_counter() - started:.1f} s")

    users = {u.username: u for u in User.objects.filter(
        username__in=["booker", "coordinator", "interpreter", "analyst"])}
    open_booking = Booking.objects.filter(
        status__in=["open", "offered"], start__gt=timezone.now() + dt.timedelta(hours=1),
        provider=users["coordinator"].organisation,
    ).order_by("start").first()
    assert open_booking is not None
    pages = [
        ("booker", "/bookings/"),
        ("booker", "/book/"),
        ("booker", f"/bookings/{open_booking.pk}/"),
        ("interpreter", "/interpreter/offers/"),
        ("interpreter", "/interpreter/assignments/"),
        ("interpreter", "/interpreter/card/"),
        ("coordinator", "/dispatch/"),
        ("coordinator", f"/dispatch/{open_booking.pk}/"),
        ("analyst", f"/statistics/?year={year}"),
        (None, "/card/?number=T-10001"),
    ]
    print(f"{'page':45} {'p50 ms':>8} {'p95 ms':>8}")
    for username, url in pages:
        client = Client()
        if username:
            client.force_login(users[username])
        p50, p95 = _time(client, url)
        print(f"{(username or 'public') + ' ' + url:45} {p50:8.1f} {p95:8.1f}")
