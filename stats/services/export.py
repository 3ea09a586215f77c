"""The facts of a year out of this installation, in the provider file format the import reads.

`GET /api/v1/stats/facts/?year=YYYY&format=csv` streams every fact of the year (platform bookings
as `tolk-<booking id>`, and imported rows) as the CSV that `import_assignments` and
`POST /api/v1/stats/imports/` take. The body is produced from one query read with a server-side
cursor in chunks, so memory stays flat for a national year.

The receiver verifies it got everything with the export's manifest: the response names the export
in the header `Tolk-Export-Id` (and `Link: <...>; rel="manifest"`), and when the last byte has been
produced the row count, byte count and SHA-256 of exactly the bytes sent are stored under that id,
to be read from `GET /api/v1/stats/facts/manifests/<id>/`. A header cannot carry the hash of a
body that is still being produced, an HTTP trailer is dropped by most clients and proxies, and a
trailing comment line would not be CSV the importer reads; a manifest written after the body is
one pass over the facts and describes exactly what was sent.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from booking.models import User
from stats.models import AssignmentFact, ExportClient, FactExport
from stats.services.imports import FACT_COLUMNS

CHUNK_ROWS = 5_000
# Rows written into one piece of the response body (about 100 KB).
PIECE_ROWS = 1_000


def export_filename(year: int) -> str:
    return f"tolk-facts-{year}.csv"


def _field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _facts(year: int) -> Any:
    """The year's facts in id order, as tuples of the file's columns."""
    return (
        AssignmentFact.objects
        .filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
        .order_by("id")
        .values_list(*FACT_COLUMNS)
        .iterator(chunk_size=CHUNK_ROWS)
    )


@dataclass
class FactStream:
    """The body of one export, piece by piece, and its manifest when it is done. Iterate it (WSGI)
    or iterate `aiter()` (ASGI: the database is read in a worker thread, piece by piece, so the
    event loop never holds more than one piece)."""

    export: FactExport

    def __post_init__(self) -> None:
        self._hash = hashlib.sha256()
        self._rows = 0
        self._bytes = 0

    def _piece(self, text: str) -> bytes:
        data = text.encode()
        self._hash.update(data)
        self._bytes += len(data)
        return data

    def __iter__(self) -> Iterator[bytes]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FACT_COLUMNS)
        pending = 0
        for row in _facts(self.export.year):
            writer.writerow([_field(value) for value in row])
            self._rows += 1
            pending += 1
            if pending >= PIECE_ROWS:
                yield self._piece(out.getvalue())
                out.seek(0)
                out.truncate()
                pending = 0
        yield self._piece(out.getvalue())
        self._finish()

    def _finish(self) -> None:
        """The manifest, written before the body's end reaches the receiver."""
        FactExport.objects.filter(pk=self.export.pk).update(
            finished_at=timezone.now(), rows=self._rows, bytes=self._bytes,
            sha256=self._hash.hexdigest(),
        )

    async def aiter(self) -> AsyncIterator[bytes]:
        pieces = iter(self)
        step = sync_to_async(_next_piece, thread_sensitive=True)
        while (piece := await step(pieces)) is not None:
            yield piece


def _next_piece(pieces: Iterator[bytes]) -> bytes | None:
    return next(pieces, None)


def facts_export_start(
    *, year: int, client: ExportClient | None = None, user: User | None = None
) -> FactStream:
    """Record a new export of `year` (by an export client, or by a user) and return its body."""
    with transaction.atomic():
        export = FactExport.objects.create(year=year, client=client, user=user)
    return FactStream(export=export)
