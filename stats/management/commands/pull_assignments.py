"""python manage.py pull_assignments --source URL|NAME [--token-file FILE] --year YYYY"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from stats.services.pull import (
    DEFAULT_MAX_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    PullFailed,
    source_for,
    source_pull,
)


class Command(BaseCommand):
    help = (
        "Pull a year of assignment facts from another Tolk installation and import them. "
        "--source is the address of the other installation (e.g. https://tolk.example.no) or "
        "the name of a source configured in the admin (Statistics sources). The other "
        "installation's admin creates an export client for you; put its token in a file readable "
        "only by you and give --token-file (a configured source may store the token instead). "
        "The download is checked against the other installation's manifest (rows and SHA-256) "
        "and imported as one import only if everything arrived and every row is valid; "
        "otherwise nothing changes and the command says why. Pulling again later is safe: "
        "unchanged rows stay, changed rows replace the old ones, nothing is counted twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True,
                            help="address of the other installation, or a configured source name")
        parser.add_argument("--token-file", help="file holding the export client token")
        parser.add_argument("--year", type=int, required=True, help="the year to pull, e.g. 2025")
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS,
                            help="seconds to wait for the source each time it is to answer "
                            "(default %(default)s)")
        parser.add_argument("--max-seconds", type=float, default=DEFAULT_MAX_SECONDS,
                            help="seconds the whole download may take (default %(default)s)")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not 2000 <= year <= timezone.localdate().year:
            raise CommandError(f"--year {year}: give a year from 2000 to this year")
        if options["timeout"] <= 0 or options["max_seconds"] <= 0:
            raise CommandError("--timeout and --max-seconds must be more than 0 seconds")
        token = None
        if options["token_file"]:
            path = Path(options["token_file"])
            try:
                token = path.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(
                    f"{path}: cannot read the token file ({getattr(exc, 'strerror', None) or exc})"
                ) from None
            if not token:
                raise CommandError(f"{path}: the token file is empty")
        tty = sys.stderr.isatty()

        def progress(message: str) -> None:
            if tty:
                self.stderr.write(f"\r{message}\033[K", ending="")

        try:
            source = source_for(source=options["source"])
            result = source_pull(source=source, year=year, token=token,
                                 timeout=options["timeout"],
                                 max_seconds=options["max_seconds"], progress=progress)
        except PullFailed as exc:
            if tty:
                self.stderr.write("")
            raise CommandError(f"{options['source']} {year}: {exc.message_en} [{exc.code}] "
                               "Nothing was changed.") from None
        except DatabaseError as exc:
            # The import's transaction was rolled back with it.
            raise CommandError(f"{options['source']} {year}: this installation's database "
                               f"failed ({type(exc).__name__}). Nothing was changed.") from None
        if tty:
            self.stderr.write("")
        self.stderr.write(result.summary())
