"""python manage.py import_assignments FILE"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from stats.services.imports import FACT_COLUMNS, assignments_import


class Command(BaseCommand):
    help = (
        "Import a provider's assignment file (CSV, UTF-8, comma-separated, one row per request; "
        "header: " + ",".join(FACT_COLUMNS) + "). The file is imported only if every row is "
        "valid; otherwise every problem is listed with its line, column and reason and nothing "
        "changes. (provider_org_number, reference) identifies a row: importing the same file "
        "again changes nothing, and a row with new values replaces the old one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to the provider's CSV file")
        parser.add_argument(
            "--json", action="store_true", help="print the full result as JSON on stdout"
        )

    @no_translations  # the command's messages are English, like its other output
    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        tty = sys.stderr.isatty()

        def progress(rows: int) -> None:
            if tty:
                self.stderr.write(f"\r{path.name}: {rows:,} rows read", ending="")

        with path.open("rb") as stream:
            result = assignments_import(stream=stream, file_name=path.name, progress=progress)
        if tty:
            self.stderr.write("")
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        for error in result.errors:
            self.stderr.write(f"{path}: {error.located()}")
        if result.errors_truncated:
            self.stderr.write(
                f"{path}: {result.error_count - len(result.errors)} more problem(s) not listed"
            )
        if not result.ok:
            raise CommandError(result.summary())
        self.stderr.write(result.summary())
