"""The job loop for servers that run without the ASGI lifespan (the relay then does not start in the
server processes): relay undispatched outbox events and expire due offers every few seconds.
Several copies may run at once: rows are claimed, offers are locked."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from booking.realtime import outbox_dispatch_pending
from booking.services.offers import offers_expire_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send pending websocket events (the outbox) and expire offers past their deadline, "
        "every --interval seconds until stopped with Ctrl-C. Not needed when uvicorn runs with "
        "lifespan on: every server process then does this itself."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=2.0,
                            help="Seconds between rounds (at least 0.1; default 2).")
        parser.add_argument("--iterations", type=int, default=0,
                            help="Stop after this many rounds (default 0: run until stopped).")

    def handle(self, *args: Any, interval: float, iterations: int, **options: Any) -> None:
        if interval < 0.1:
            raise CommandError("--interval must be at least 0.1 seconds.")
        if iterations < 0:
            raise CommandError("--iterations must be 0 (forever) or more.")
        rounds = sent = expired = failed = 0
        tty = sys.stderr.isatty()
        try:
            while iterations == 0 or rounds < iterations:
                sent += outbox_dispatch_pending()
                try:
                    expired += offers_expire_due()
                except Exception:
                    # A broken round must not stop the relay; the next round tries again.
                    failed += 1
                    logger.warning("offer expiry failed", exc_info=True)
                rounds += 1
                if tty:
                    sys.stderr.write(f"\rrun_jobs: round {rounds}, {sent} events relayed, "
                                     f"{expired} offers expired")
                    sys.stderr.flush()
                if iterations == 0 or rounds < iterations:
                    time.sleep(interval)
        except KeyboardInterrupt:
            pass
        if tty:
            sys.stderr.write("\n")
        self.stdout.write(
            f"run_jobs: {rounds} rounds, {sent} events relayed, {expired} offers expired"
            + (f", {failed} rounds with errors" if failed else "")
        )
