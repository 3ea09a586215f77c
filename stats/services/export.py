"""The facts of a year out of this installation, in the provider file format the import reads.

`GET /api/v1/stats/facts/?year=YYYY&format=csv` streams every fact of the year (platform bookings
as `tolk-<booking id>`, and imported rows) as the CSV that `import_assignments` and
`POST /api/v1/stats/imports/` take. The body comes from one statement, read piece by piece (on
PostgreSQL a `COPY ... TO STDOUT` that writes the CSV itself, elsewhere a server-side cursor read
in chunks), so memory stays flat for a national year.

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
from django.db import connection, transaction
from django.utils import timezone

from booking.models import User
from stats.models import AssignmentFact, ExportClient, FactExport
from stats.services.imports import FACT_COLUMNS

CHUNK_ROWS = 5_000
# Rows written into one piece of the response body (about 100 KB), or its bytes from COPY.
PIECE_ROWS = 1_000
PIECE_BYTES = 128 * 1024


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
        return self._counted(text.encode())

    def __iter__(self) -> Iterator[bytes]:
        if connection.vendor == "postgresql":
            yield from self._copied()
        else:
            yield from self._written()
        self._finish()

    def _copied(self) -> Iterator[bytes]:
        """PostgreSQL writes the CSV itself (`COPY ... TO STDOUT`, one statement, so one
        snapshot): dates as YYYY-MM-DD, amounts with two decimals, NULL as an empty field, and
        quotes only where a value needs them, as the import reads it."""
        year = int(self.export.year)
        columns = ", ".join(FACT_COLUMNS)
        statement = (
            f"COPY (SELECT {columns} FROM {AssignmentFact._meta.db_table} "  # noqa: S608
            f"WHERE date >= '{year:04d}-01-01' AND date <= '{year:04d}-12-31' ORDER BY id) "
            "TO STDOUT WITH (FORMAT csv, HEADER)"
        )
        buffer = bytearray()
        blocks = 0
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            # libpq hands a COPY's output over one row at a time (the header is the first).
            for block in copy:
                blocks += 1
                buffer += block
                if len(buffer) >= PIECE_BYTES:
                    yield self._counted(bytes(buffer))
                    buffer.clear()
        yield self._counted(bytes(buffer))
        self._rows = max(blocks - 1, 0)

    def _counted(self, data: bytes) -> bytes:
        self._hash.update(data)
        self._bytes += len(data)
        return data

    def _written(self) -> Iterator[bytes]:
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

    def _finish(self) -> None:
        """The manifest, written before the body's end reaches the receiver."""
        FactExport.objects.filter(pk=self.export.pk).update(
            finished_at=timezone.now(), rows=self._rows, bytes=self._bytes,
            sha256=self._hash.hexdigest(),
        )

    async def aiter(self) -> AsyncIterator[bytes]:
        pieces = iter(self)
        step = sync_to_async(_next_piece, thread_sensitive=True)
        try:
            while (piece := await step(pieces)) is not None:
                yield piece
        finally:
            # A receiver that hangs up ends the query (PostgreSQL: the COPY is cancelled) in the
            # thread that holds the connection, which the next request can then use.
            await sync_to_async(_close, thread_sensitive=True)(pieces)


def _next_piece(pieces: Iterator[bytes]) -> bytes | None:
    return next(pieces, None)


def _close(pieces: Iterator[bytes]) -> None:
    close = getattr(pieces, "close", None)
    if close is not None:
        close()


def facts_export_start(
    *, year: int, client: ExportClient | None = None, user: User | None = None
) -> FactStream:
    """Record a new export of `year` (by an export client, or by a user) and return its body."""
    with transaction.atomic():
        export = FactExport.objects.create(year=year, client=client, user=user)
    return FactStream(export=export)
