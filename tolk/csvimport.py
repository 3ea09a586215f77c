"""The frame every CSV file import shares: reading, the header, row errors and the size limit.

The register file (`booking.register.services`) and the provider assignment file
(`stats.services.imports`, also fed by the pull) differ in their columns and in how they check
values (row by row, or vectorised over chunks), but read the same kind of file and answer in the
same way:

- The bytes are UTF-8 text; a byte order mark (Excel's "CSV UTF-8") is dropped; `\\n`, `\\r\\n`
  and `\\r` all end a line. Anything else is the row error `invalid_encoding` on the line where
  the decoding failed (a UTF-16 file is named as such).
- The header names each column once: missing required, unknown and repeated columns are one
  `invalid_header` error on line 1 that names them.
- A value with a NUL character (which no database text can hold) is `invalid_character`.
- Every problem is a `RowError` (line, column, code, reason), the reason in the request's
  language; a file with one problem changes nothing.
- An uploaded file larger than its kind's `TOLK_IMPORT_MAX_BYTES` is refused before it is read
  (`tolk.api.require_upload_size`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

NUL = "\x00"
MEGABYTE = 1024 * 1024
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


class FileKind(StrEnum):
    """The files Tolk imports; each has its size limit in `TOLK_IMPORT_MAX_BYTES`."""

    REGISTER = "register"
    ASSIGNMENTS = "assignments"


def max_bytes(kind: FileKind) -> int:
    """The largest file of this kind an upload may be."""
    return int(settings.TOLK_IMPORT_MAX_BYTES[kind.value])


def max_megabytes(kind: FileKind) -> int:
    return max_bytes(kind) // MEGABYTE


@dataclass(frozen=True)
class RowError:
    """One problem in a file: its line (1 is the header), column (empty for the whole row or
    file), a stable code and a reason in the request's language."""

    line: int
    column: str
    code: str
    reason: str

    def located(self) -> str:
        """The problem as one line of a command's or a message's text."""
        column = f", column {self.column}" if self.column else ""
        return f"line {self.line}{column}: {self.reason} [{self.code}]"


@contextmanager
def text_stream(stream: IO[bytes] | IO[str]) -> Iterator[IO[str]]:
    """The stream as UTF-8 text without a byte order mark, with line endings left for the CSV
    reader (`newline=""`, so a quoted value may hold a line break). The caller's stream stays
    open: the caller owns it."""
    if isinstance(stream, io.TextIOBase):
        yield stream  # type: ignore[misc]
        return
    wrapper = io.TextIOWrapper(
        stream, encoding="utf-8-sig", newline=""  # type: ignore[arg-type, type-var]
    )
    try:
        yield wrapper
    finally:
        # An abandoned reader may be finalised after the caller closed its stream.
        if not stream.closed:
            wrapper.detach()


def read_header(
    text: IO[str], *, columns: Sequence[str], required: Sequence[str] | None = None
) -> list[str] | RowError:
    """Read and check the header line: its column names, or the problem with it. The rest of
    `text` is left for the rows."""
    first = text.readline()
    if not first.strip():
        return RowError(1, "", "empty_file", _("The file is empty."))
    try:
        header = [name.strip() for name in next(csv.reader([first]))]
    except csv.Error as exc:
        return csv_error(1, exc)
    return header_problem(header, columns=columns, required=required) or header


def header_problem(
    header: Sequence[str], *, columns: Sequence[str], required: Sequence[str] | None = None
) -> RowError | None:
    """`invalid_header` naming the missing, unknown and repeated columns, or None. Only
    `required` (default: every column) must be present; the others may be left out."""
    must = columns if required is None else required
    missing = [c for c in must if c not in header]
    unknown = [c for c in header if c not in columns]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if not (missing or unknown or repeated):
        return None
    reason = _("The header must name the columns %(columns)s.") % {"columns": ",".join(columns)}
    if missing:
        reason += " " + _("Missing: %(names)s.") % {"names": ", ".join(missing)}
    if unknown:
        reason += " " + _("Unknown: %(names)s.") % {"names": ", ".join(unknown)}
    if repeated:
        reason += " " + _("Repeated: %(names)s.") % {"names": ", ".join(repeated)}
    return RowError(1, "", "invalid_header", reason)


def nul_reason() -> str:
    return _("The value contains a NUL character (byte 0).")


def nul_errors(line: int, values: Iterable[tuple[str, str]]) -> list[RowError]:
    """`invalid_character` for each (column, value) holding a NUL."""
    return [
        RowError(line, column, "invalid_character", nul_reason())
        for column, value in values if NUL in value
    ]


def encoding_error(line: int, exc: UnicodeDecodeError) -> RowError:
    """`invalid_encoding` on `line`; a file that starts with a UTF-16 byte order mark (Excel's
    "Unicode text") is named as such, so the sender knows what to change. (Text is decoded in
    blocks: the line is where reading stopped, the start of the file for the first block.)"""
    data = exc.object if isinstance(exc.object, bytes | bytearray) else b""
    if line <= 2 and exc.start == 0 and bytes(data[:2]) in _UTF16_MARKS:
        return RowError(line, "", "invalid_encoding",
                        _("The file is UTF-16 text; save it as CSV UTF-8."))
    return RowError(line, "", "invalid_encoding", _("The file is not UTF-8 text."))


def csv_error(line: int, exc: Exception) -> RowError:
    return RowError(line, "", "invalid_csv",
                    _("The file is not valid CSV: %(problem)s.") % {"problem": exc})


def no_rows_error() -> RowError:
    return RowError(2, "", "empty_file", _("The file has a header but no rows."))

