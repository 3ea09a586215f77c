"""The job loop: relay undispatched outbox events and expire due offers every few seconds, and once
a day re-check the coming weeks' assignments against the register and guidelines. For
servers that run without the ASGI lifespan, and in production with TOLK_OUTBOX_RELAY=jobs, where
only these processes send events: they LISTEN on PostgreSQL and send as soon as a transaction
that recorded events commits. Several copies may run at once: rows are claimed, offers locked."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from booking.dispatch.services.offers import offers_expire_due
from booking.realtime.relay import (
    OutboxListener,
    daily_recheck_guarded,
    outbox_dispatch_pending,
    relay_in_jobs,
)

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send pending websocket events (the outbox) and expire offers past their deadline, "
        "every --interval seconds until stopped with Ctrl-C; once a day (the first round after "
        "midnight, whichever process is first) re-check the next TOLK_RECHECK_DAYS days' "
        "assignments and offers against the register. Not needed when uvicorn runs with "
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
        listener = OutboxListener() if relay_in_jobs() else None
        next_expiry = 0.0
        try:
            while iterations == 0 or rounds < iterations:
                sent += outbox_dispatch_pending()
                if time.monotonic() >= next_expiry:
                    try:
                        expired += offers_expire_due()
                    except Exception:
                        # A broken round must not stop the relay; the next round tries again.
                        failed += 1
                        logger.warning("offer expiry failed", exc_info=True)
                    daily_recheck_guarded()
                    next_expiry = time.monotonic() + interval
                rounds += 1
                if tty:
                    sys.stderr.write(f"\rrun_jobs: round {rounds}, {sent} events relayed, "
                                     f"{expired} offers expired")
                    sys.stderr.flush()
                if iterations == 0 or rounds < iterations:
                    if listener is not None:
                        listener.wait(max(next_expiry - time.monotonic(), 0.01))
                    else:
                        time.sleep(interval)
        except KeyboardInterrupt:
            pass
        finally:
            if listener is not None:
                listener.close()
        if tty:
            sys.stderr.write("\n")
        self.stdout.write(
            f"run_jobs: {rounds} rounds, {sent} events relayed, {expired} offers expired"
            + (f", {failed} rounds with errors" if failed else "")
        )
