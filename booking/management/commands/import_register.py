"""python manage.py import_register FILE"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from booking.register.services import REGISTER_COLUMNS, register_import


class Command(BaseCommand):
    help = (
        "Import the National Register of Interpreters from a CSV file (UTF-8, one row per "
        "interpreter and language, header: " + ",".join(REGISTER_COLUMNS) + "). The file is "
        "applied only if every row is valid; otherwise every problem is listed with its line and "
        "column and nothing changes. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to the register CSV file")
        parser.add_argument(
            "--json", action="store_true", help="print the full result as JSON on stdout"
        )

    @no_translations  # the command's messages are English, like its other output
    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        started = time.monotonic()
        if sys.stderr.isatty():
            self.stderr.write(f"Importing {path} ...")
        with path.open("rb") as stream:
            result = register_import(stream=stream, file_name=path.name)
        if options["json"]:
            import json

            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        for error in result.errors:
            self.stderr.write(f"{path}: {error.located()}")
        elapsed = time.monotonic() - started
        if not result.ok:
            raise CommandError(result.summary())
        self.stderr.write(f"{result.summary()} ({elapsed:.1f} s)")
