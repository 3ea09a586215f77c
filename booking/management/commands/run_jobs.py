"""The production job loop: relay undispatched outbox events and expire due offers."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from booking.realtime import outbox_dispatch_pending


def _offers_expire_due() -> Any:
    try:
        from booking.services.offers import offers_expire_due
    except ImportError:
        return None
    return offers_expire_due


class Command(BaseCommand):
    help = "Relay outbox events to websocket clients and expire offers, every --interval seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.5)
        parser.add_argument(
            "--iterations", type=int, default=0, help="Stop after this many rounds (0 = forever)."
        )

    def handle(self, *args: Any, interval: float, iterations: int, **options: Any) -> None:
        expire = _offers_expire_due()
        rounds = sent = 0
        try:
            while iterations == 0 or rounds < iterations:
                sent += outbox_dispatch_pending()
                if expire is not None:
                    expire()
                rounds += 1
                if iterations == 0 or rounds < iterations:
                    time.sleep(max(interval, 0.1))
        except KeyboardInterrupt:
            pass
        self.stdout.write(f"run_jobs: {rounds} rounds, {sent} events relayed")
