"""python manage.py need_report --year YYYY [--format json|csv|csv-excel|xlsx] [--output FILE]"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from booking.models import Modality, ProviderType, Sector
from stats.exports import CSV_FORMATS, report_csv, report_xlsx
from stats.filters import report_filters
from stats.selectors import need_report
from tolk.errors import ValidationFailed
from tolk.reference.geo import COUNTIES


class Command(BaseCommand):
    help = (
        "Build the yearly need report: requests, assignments, unfilled and cancelled requests, "
        "hours, cost and qualified share, in total and by language, provider type, modality, "
        "sector, county and register category, with shortage measures and the change from the "
        "previous year. Small numbers are protected with the cell key method (published figures "
        "are slightly perturbed, the same in every report) unless --unsuppressed is given. "
        "JSON goes "
        "to standard output unless --output names a file; xlsx needs --output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the year, e.g. 2025")
        parser.add_argument(
            "--format", choices=["json", *CSV_FORMATS, "xlsx"], default="json",
            help="output format (default json): csv for programs (comma, decimal point), "
            "csv-excel to open in Excel with Norwegian settings (UTF-8 with BOM, semicolon, "
            "decimal comma), xlsx a workbook",
        )
        parser.add_argument("--output", help="write to this file instead of standard output")
        parser.add_argument("--county", choices=sorted(COUNTIES), help="only this county")
        parser.add_argument("--sector", choices=Sector.values, help="only this sector")
        parser.add_argument("--provider-type", choices=ProviderType.values,
                            help="only this provider type")
        parser.add_argument("--modality", choices=Modality.values, help="only this modality")
        parser.add_argument(
            "--unsuppressed", action="store_true",
            help="the exact figures, without the protection of small numbers (for internal "
            "analysis only: never publish this output)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not 2000 <= year <= timezone.localdate().year:
            raise CommandError(f"--year: {year} is not a year between 2000 and this year")
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx" and not output:
            raise CommandError("--format xlsx writes a binary file: give --output FILE")
        try:
            filters = report_filters(options)
        except ValidationFailed as exc:
            raise CommandError(f"{exc.message_en} {exc.fields}") from exc
        started = time.monotonic()
        report = need_report(year=year, filters=filters, suppress=not options["unsuppressed"])
        if fmt == "json":
            content: str | bytes = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        elif fmt in CSV_FORMATS:
            content = report_csv(report, dialect=fmt)
        else:
            content = report_xlsx(report)
        if output:
            path = Path(output)
            try:
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    path.write_text(content, encoding="utf-8", newline="")
            except OSError as exc:
                raise CommandError(f"{path}: cannot write ({exc.strerror})") from exc
        else:
            self.stdout.write(content, ending="")  # type: ignore[arg-type]
        totals = report["totals"]
        where = f" to {output}" if output else ""
        self.stderr.write(
            f"need report {year}: {totals['requests']} requests, {totals['assignments']} "
            f"assignments, {len(report['by_language'])} languages, "
            f"{'exact' if options['unsuppressed'] else 'protected (cell key)'}, {fmt}{where} "
            f"({time.monotonic() - started:.1f} s)"
        )
        if sys.stderr.isatty() and options["unsuppressed"]:
            self.stderr.write("note: unsuppressed figures are for internal analysis only")
