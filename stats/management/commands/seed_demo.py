"""`manage.py seed_demo`: load the demo data (register, organisations, one login per role)."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from booking import demo


class Command(BaseCommand):
    help = (
        "Load the Tolk demo data: a register of about 2,200 interpreters in about 70 languages, "
        "municipalities with units, interpreting providers, and the demo logins booker, "
        "coordinator, interpreter, analyst and admin (password 'demo'). Deterministic. "
        "Refuses to run with production settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true",
            help="Do nothing (and succeed) when the database already holds users or interpreters.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "TOLK_DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "seed_demo refuses to run here: demo data and demo passwords are not allowed with "
                "these settings (TOLK_DEMO_DATA_ALLOWED is off, as in production)."
            )
        if not demo.database_is_empty():
            if options["if_empty"]:
                self.stdout.write("seed_demo: the database already has data; nothing loaded.")
                self._print_logins()
                return
            raise CommandError(
                "seed_demo loads into an empty database only; this one already has users or "
                "interpreters (use --if-empty to skip quietly)."
            )
        started = time.monotonic()
        tty = sys.stderr.isatty()

        def progress(step: str) -> None:
            if tty:
                sys.stderr.write(f"\rseed_demo: {step:<40}")
                sys.stderr.flush()

        today = timezone.localdate()
        counts = demo.seed_demo(today=today, progress=progress)
        # area seeders: each area adds one call here that loads its own demo data.
        from booking import demo_bookings

        counts.update(demo_bookings.seed(today=today, progress=progress))
        from stats import demo as stats_demo

        counts.update(stats_demo.seed(today=today, progress=progress))
        if tty:
            sys.stderr.write("\r" + " " * 60 + "\r")
        self._print_logins()
        summary = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in counts.items())
        self.stdout.write(
            f"seed_demo: loaded {summary} in {time.monotonic() - started:.1f} s"
        )

    def _print_logins(self) -> None:
        self.stdout.write(
            "Demo logins (password 'demo'): booker (Oslo kommune, NAV Grünerløkka), coordinator "
            "(Tolketjenesten Oslo kommune), interpreter (register number "
            f"{demo.DEMO_INTERPRETER_NUMBER}), analyst (IMDi), admin."
        )
