"""The provider file import: CSV rows of assignment facts, all-or-nothing, streamed.

The file is read once, in chunks. Each chunk is validated with vectorised pandas checks (so a
year of national data validates in seconds) and copied into a temporary staging table (PostgreSQL
`COPY`, SQLite plain inserts). Duplicate references inside the file are found by the database in
the staging table, so the process never holds more than a few chunks. Only when no row has a
problem is the staging table merged into the facts with one set-based upsert; every step runs in
one transaction, so an invalid file changes nothing.

On PostgreSQL a file whose rows are all new (a provider's first file for a year) skips the staging
table: its chunks are COPYed straight into the facts. Either way all chunks go through one COPY,
sent by a thread of its own while the next chunk is read and checked, so the database and Python
work at the same time; the summary the need report reads (migration 0003) is updated by the
database once per statement. `(provider_org_number, reference)` identifies a
fact: importing the same file again changes nothing, a row with new values replaces the old one,
and a row that names a booking already counted from the platform keeps the platform's record (no
double counting). The database gives every new fact its random record key (the need report's cell
key method, `stats.ptable`), whichever path it takes; a replaced row keeps its key, so re-imports
change no published value beyond what the changed rows themselves change.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import queue
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any

import numpy as np
import pandas as pd
import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pandas.errors import EmptyDataError, ParserError, ParserWarning

from booking.models import Category, Modality, Organisation, ProviderType, Role, Sector, User
from stats.models import AssignmentFact, Outcome, Source, StatsImport
from tolk.csvimport import (
    NUL,
    RowError,
    csv_error,
    encoding_error,
    no_rows_error,
    nul_reason,
    read_header,
    text_stream,
)
from tolk.errors import PermissionDeniedError
from tolk.reference.languages import AMBIGUOUS_LANGUAGE, UNKNOWN_LANGUAGE, language_resolve
from tolk.reference.validators import is_valid_municipality, is_valid_org_number

FACT_COLUMNS = (
    "provider_org_number",
    "provider_type",
    "reference",
    "date",
    "language",
    "modality",
    "sector",
    "municipality",
    "interpreter_category",
    "outcome",
    "duration_minutes",
    "cost_nok",
)
REQUIRED_COLUMNS = (
    "provider_org_number",
    "provider_type",
    "reference",
    "date",
    "language",
    "modality",
    "sector",
    "outcome",
)
CHUNK_ROWS = 50_000
MAX_REPORTED_ERRORS = 10_000
EARLIEST_DATE = dt.date(2000, 1, 1)
MAX_DURATION_MINUTES = 7 * 24 * 60
MAX_REFERENCE_LENGTH = 64
STAGING_TABLE = "stats_import_staging"

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT_RE = re.compile(r"^\d{1,9}$")
_COST_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")


def _parse_date(value: str) -> str | None:
    if not _DATE_RE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _parse_minutes(value: str) -> float | None:
    return float(value) if _INT_RE.match(value) else None


@dataclass
class ImportResult:
    file_name: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    on_platform: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    seconds: float = 0.0
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["errors_truncated"] = self.errors_truncated
        return data

    def summary(self) -> str:
        if not self.ok:
            return (
                f"{self.file_name}: {self.error_count} problem(s) in {self.rows} rows; "
                "nothing was imported"
            )
        return (
            f"{self.file_name}: {self.rows} rows, {self.added} added, {self.changed} changed, "
            f"{self.unchanged} unchanged, {self.on_platform} already counted from the platform "
            f"({self.seconds:.1f} s)"
        )


class _Abort(Exception):
    """Rolls the import transaction back after problems were found."""


class _Fallback(Exception):
    """Leaves the direct load for the staging path."""


# --- reading -------------------------------------------------------------------------------------


_SKIPPED_RE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")


def _skipped_lines(caught: list[warnings.WarningMessage], skipped: list[int],
                   result: ImportResult) -> None:
    """Rows with more fields than the header, which the parser skipped with a warning."""
    for message in caught:
        for parser_line, expected, saw in _SKIPPED_RE.findall(str(message.message)):
            line = int(parser_line) + 1  # the parser starts counting after the header
            skipped.append(line)
            result.rows += 1
            result.add_error(RowError(
                line, "", "field_count",
                _("The row has %(saw)s fields; the header has %(expected)s.")
                % {"saw": saw, "expected": expected},
            ))
    caught.clear()
    skipped.sort()


def _line_numbers(rows: np.ndarray, skipped: list[int]) -> np.ndarray:
    """File line of each data row (0-based, blank rows included): row + 2, plus one for every
    skipped line before it. With the skipped lines S sorted, row k moves past S[j] exactly when
    k >= S[j] - 2 - j, and those thresholds are non-decreasing."""
    thresholds = np.array(skipped, dtype=np.int64) - 2 - np.arange(len(skipped))
    return rows + 2 + np.searchsorted(thresholds, rows, side="right")


def _frames(text: IO[str], header: list[str], result: ImportResult,
            caught: list[warnings.WarningMessage]) -> Iterator[pd.DataFrame]:
    """The data rows in chunks of strings, read by pandas' C parser, with their file line in
    `_line`. Blank rows are dropped; rows with more fields than the header are reported."""
    skipped: list[int] = []
    reader = pd.read_csv(
        text, header=None, names=header, chunksize=CHUNK_ROWS, dtype=object,
        keep_default_na=False, na_filter=False, skip_blank_lines=False, on_bad_lines="warn",
        engine="c",
    )
    for frame in reader:
        _skipped_lines(caught, skipped, result)
        rows = frame.index.to_numpy(dtype=np.int64)
        blank = ~_filled(frame.iloc[:, 0])
        if blank.any():
            blank[blank] = (frame.loc[blank] == "").all(axis=1).to_numpy()
        frame = frame.loc[~blank].copy()
        if frame.empty:
            continue
        for column in FACT_COLUMNS:
            frame[column] = _stripped(frame[column]) if column in frame else ""
        frame["_line"] = _line_numbers(rows[~blank], skipped)
        result.rows += len(frame)
        yield frame
    _skipped_lines(caught, skipped, result)


def _filled(values: pd.Series) -> np.ndarray:
    """Which values (strings) are not empty: a string's truth, much cheaper than comparing."""
    return values.to_numpy(dtype=object).astype(bool)


def _stripped(values: pd.Series) -> pd.Series:
    """Values without surrounding spaces, computed once per distinct value."""
    distinct = values.unique()
    cleaned = {value: value.strip() for value in distinct}
    if all(key == value for key, value in cleaned.items()):
        return values.astype(object)
    return values.map(cleaned).astype(object)


# --- validation (pure: DataFrame of strings in, problems out) ------------------------------------


@dataclass
class _FileState:
    """What validation remembers across chunks: small per-provider facts, never the rows."""

    today: dt.date
    scope_org_number: str | None
    provider_type_of: dict[str, tuple[str, int]] = field(default_factory=dict)
    checked_codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def known(self, kind: str, values: pd.Series, check: Callable[[str], bool]) -> pd.Series:
        """`check` applied once per distinct value (a file has few distinct languages)."""
        return self.mapped(kind, values, check).astype(bool)

    def mapped(self, kind: str, values: pd.Series, function: Callable[[str], Any]) -> pd.Series:
        """`function` applied once per distinct value; values with many distinct values (the
        references) are not remembered across chunks."""
        cache = self.checked_codes.setdefault(kind, {})
        distinct = values.unique()
        if len(distinct) > 10_000:
            cache = {}
            self.checked_codes[kind] = cache
        for value in distinct:
            if value not in cache:
                cache[value] = function(value)
        return values.map(cache)


def _report(
    result: ImportResult, frame: pd.DataFrame, mask: pd.Series, column: str, code: str,
    reason: Callable[[str], str],
) -> None:
    if not mask.any():
        return
    bad = frame.loc[mask, ["_line", column]]
    for line, value in zip(bad["_line"].tolist(), bad[column].tolist(), strict=True):
        result.add_error(RowError(int(line), column, code, reason(value)))


def _choice_reason(allowed: list[str]) -> Callable[[str], str]:
    return lambda value: _("'%(value)s' is not one of: %(allowed)s.") % {
        "value": value, "allowed": ", ".join(allowed)}


def _without_nul(frame: pd.DataFrame, result: ImportResult) -> None:
    """Report every value with a NUL character, which no database text can hold, and take the
    character out of the chunk so the staging table can still take it (the file is refused)."""
    for column in FACT_COLUMNS:
        values = frame[column]
        if NUL not in "".join(values.tolist()):  # one scan; the usual case
            continue
        mask = values.str.contains(NUL, regex=False)
        _report(result, frame, mask, column, "invalid_character", lambda _v: nul_reason())
        frame[column] = values.str.replace(NUL, "", regex=False)


def validate_chunk(frame: pd.DataFrame, state: _FileState, result: ImportResult) -> None:
    """Check every value of a chunk (columns as in FACT_COLUMNS plus `_line`), adding a RowError
    for each problem. Checks are vectorised; Python runs only for the rows that have problems."""
    before = result.error_count
    errors: list[RowError] = []
    scratch = ImportResult(file_name="")
    _without_nul(frame, scratch)
    filled = {column: _filled(frame[column]) for column in FACT_COLUMNS}

    for column in REQUIRED_COLUMNS:
        _report(scratch, frame, ~filled[column], column, "required",
                lambda _v: _("This column must have a value."))
    org = frame["provider_org_number"]
    valid_org = state.known("org", org, is_valid_org_number)
    has_org = filled["provider_org_number"]
    _report(scratch, frame, has_org & ~valid_org, "provider_org_number", "invalid_org_number",
            lambda v: _("'%(value)s' is not an organisation number (nine digits, MOD11 check "
                        "digit).") % {"value": v})
    if state.scope_org_number is not None:
        _report(
            scratch, frame, has_org & (org != state.scope_org_number), "provider_org_number",
            "other_provider",
            lambda v: _("You may only import rows for your own organisation (%(own)s), not "
                        "%(value)s.") % {"own": state.scope_org_number, "value": v},
        )
    for column, allowed in (
        ("provider_type", ProviderType.values),
        ("modality", Modality.values),
        ("sector", Sector.values),
        ("outcome", Outcome.values),
    ):
        values = frame[column]
        _report(scratch, frame, filled[column] & ~values.isin(allowed), column, "invalid_choice",
                _choice_reason(allowed))
    _report(scratch, frame,
            state.known("long_reference", frame["reference"],
                        lambda v: len(v) > MAX_REFERENCE_LENGTH),
            "reference", "too_long",
            lambda _v: _("At most %(n)s characters.") % {"n": MAX_REFERENCE_LENGTH})

    dates = frame["date"]
    day = state.mapped("date", dates, _parse_date)
    bad_date = filled["date"] & day.isna()
    _report(scratch, frame, bad_date, "date", "invalid_date",
            lambda v: _("'%(value)s' is not a date (YYYY-MM-DD).") % {"value": v})
    earliest, latest = EARLIEST_DATE.isoformat(), state.today.isoformat()
    too_early = ~bad_date & filled["date"] & (dates < earliest)
    _report(scratch, frame, too_early, "date", "out_of_range",
            lambda v: _("'%(value)s' is before %(earliest)s.") % {"value": v,
                                                                   "earliest": earliest})
    future = (
        ~bad_date & (dates > latest) & (frame["outcome"] == Outcome.COMPLETED)
    )
    _report(scratch, frame, future, "date", "future_date",
            lambda v: _("'%(value)s' is in the future; a completed assignment has already taken "
                        "place.") % {"value": v})

    # Every code the language table knows (ISO 639-1, 639-2/B, a macrolanguage, ...) is stored
    # as the table's code, so the facts group with the register and the bookings.
    language = frame["language"]
    table_code = state.mapped("language", language, lambda v: language_resolve(v).code or "")
    problem = state.mapped("language_problem", language, lambda v: language_resolve(v).error)
    for code in (UNKNOWN_LANGUAGE, AMBIGUOUS_LANGUAGE):
        _report(scratch, frame, filled["language"] & (problem == code), "language", code,
                lambda v: language_resolve(v).reason())
    frame["language"] = table_code.where(table_code != "", language)

    municipality = frame["municipality"]
    _report(scratch, frame,
            filled["municipality"] & ~state.known("municipality", municipality,
                                                is_valid_municipality),
            "municipality", "invalid_municipality",
            lambda v: _("'%(value)s' is not a four-digit municipality number.") % {"value": v})

    category = frame["interpreter_category"]
    categories = list(Category.values)
    _report(scratch, frame, filled["interpreter_category"] & ~category.isin(categories),
            "interpreter_category", "invalid_choice", _choice_reason(categories))
    _report(scratch, frame, filled["interpreter_category"] & (frame["outcome"] == Outcome.UNFILLED),
            "interpreter_category", "category_without_interpreter",
            lambda _v: _("An unfilled request had no interpreter, so it has no category."))

    duration = frame["duration_minutes"]
    minutes = state.mapped("minutes", duration, _parse_minutes)
    bad_duration = filled["duration_minutes"] & minutes.isna()
    _report(scratch, frame, bad_duration, "duration_minutes", "invalid_integer",
            lambda v: _("'%(value)s' is not a whole number of minutes (0 or more).")
            % {"value": v})
    _report(scratch, frame, minutes.fillna(0) > MAX_DURATION_MINUTES, "duration_minutes",
            "out_of_range",
            lambda v: _("'%(value)s' minutes is more than a week.") % {"value": v})
    _report(scratch, frame, ~filled["duration_minutes"] & (frame["outcome"] == Outcome.COMPLETED),
            "duration_minutes", "required",
            lambda _v: _("A completed assignment must have its duration in minutes."))

    cost = frame["cost_nok"]
    _report(scratch, frame,
            filled["cost_nok"] & ~state.known("cost", cost, lambda v: bool(_COST_RE.match(v))),
            "cost_nok",
            "invalid_decimal",
            lambda v: _("'%(value)s' is not an amount in NOK (e.g. 1250.00, at most two "
                        "decimals).") % {"value": v})

    # One provider, one provider type, in the whole file.
    typed = frame.loc[has_org & filled["provider_type"],
                      ["_line", "provider_org_number", "provider_type"]]
    firsts = typed.drop_duplicates("provider_org_number")
    for number, kind, line in zip(firsts["provider_org_number"].tolist(),
                                  firsts["provider_type"].tolist(), firsts["_line"].tolist(),
                                  strict=True):
        state.provider_type_of.setdefault(number, (kind, int(line)))
    expected = typed["provider_org_number"].map(
        {number: kind for number, (kind, _line) in state.provider_type_of.items()}
    )
    clash = typed.loc[typed["provider_type"] != expected]
    for line, number, kind in zip(clash["_line"].tolist(),
                                  clash["provider_org_number"].tolist(),
                                  clash["provider_type"].tolist(), strict=True):
        first_kind, first_line = state.provider_type_of[number]
        errors.append(RowError(
            int(line), "provider_type", "inconsistent_provider_type",
            _("'%(value)s' differs from '%(first)s' on line %(line)s for provider %(number)s.")
            % {"value": kind, "first": first_kind, "line": first_line, "number": number},
        ))

    for error in sorted([*scratch.errors, *errors],
                        key=lambda e: (e.line, _column_order(e.column))):
        result.add_error(error)
    # Errors past the reporting cap are still counted.
    result.error_count = before + scratch.error_count + len(errors)


def _column_order(column: str) -> int:
    return FACT_COLUMNS.index(column) if column in FACT_COLUMNS else -1


# --- the database side ---------------------------------------------------------------------------


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _staging_create(cursor: Any) -> None:
    """Create the staging table. Its creation is undone with the import's transaction (or
    savepoint) when the import is rolled back; `_staging_drop` removes it after a merge."""
    columns = ", ".join(f"{name} text NOT NULL" for name in FACT_COLUMNS)
    _staging_drop(cursor)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGING_TABLE} (line integer NOT NULL, {columns})"
        + (" ON COMMIT DROP" if _is_postgres() else "")
    )


def _staging_drop(cursor: Any) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")


_CSV_SPECIAL = (",", '"', "\r", "\n")


def _csv_field(values: pd.Series) -> list[str]:
    """A column as fields of PostgreSQL's CSV format. A value is quoted only when it needs to be;
    one scan of the joined column decides whether any does (a file's columns seldom need it)."""
    fields: list[str] = values.tolist()
    joined = "\x00".join(fields)
    if not any(special in joined for special in _CSV_SPECIAL):
        return fields
    return [
        '"' + value.replace('"', '""') + '"'
        if any(special in value for special in _CSV_SPECIAL) else value
        for value in fields
    ]


def _csv_lines(columns: list[list[str] | str]) -> bytes:
    """CSV lines for COPY from columns of fields (a str is the same field on every line). Empty
    fields are NULL unless the COPY forces them not to be."""
    rows = len(next(column for column in columns if not isinstance(column, str)))
    fields = [itertools.repeat(c, rows) if isinstance(c, str) else c for c in columns]
    return ("\n".join(map(",".join, zip(*fields, strict=False))) + "\n").encode()


class _CopyStream:
    """One COPY fed with chunk after chunk, sent by a thread of its own: the database loads a
    chunk while the next one is read and checked. At most `_DEPTH` chunks wait in memory.

    The COPY is ended normally however the caller stops (the rows sent so far are loaded and the
    caller's transaction or savepoint decides what stays); an error of the COPY itself, such as a
    unique violation, is raised by `close`."""

    _DEPTH = 2

    def __init__(self, cursor: Any, statement: str) -> None:
        self._cursor = cursor
        self._statement = statement
        self._copy: Any = None
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=self._DEPTH)
        self._thread: threading.Thread | None = None
        self._failed: BaseException | None = None

    def write(self, data: bytes) -> None:
        if self._thread is None:
            self._copy = self._cursor.cursor.copy(self._statement)
            copy = self._copy.__enter__()
            self._thread = threading.Thread(target=self._send, args=(copy,), daemon=True)
            self._thread.start()
        if self._failed is not None:
            raise self._failed
        self._queue.put(data)

    def _send(self, copy: Any) -> None:
        try:
            while (data := self._queue.get()) is not None:
                copy.write(data)
        except BaseException as exc:  # handed to the caller's thread
            self._failed = exc
            while self._queue.get() is not None:  # keep `write` from blocking
                pass

    def close(self) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        self._thread = None
        self._copy.__exit__(None, None, None)
        if self._failed is not None:
            raise self._failed


def _staging_statement() -> str:
    return (
        f"COPY {STAGING_TABLE} (line, {', '.join(FACT_COLUMNS)}) FROM STDIN "
        f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(FACT_COLUMNS)}))"
    )


def _staging_lines(frame: pd.DataFrame) -> bytes:
    return _csv_lines([
        [str(line) for line in frame["_line"].tolist()],
        *(_csv_field(frame[column]) for column in FACT_COLUMNS),
    ])


def _staging_write(cursor: Any, frame: pd.DataFrame, stream: _CopyStream | None) -> None:
    if stream is not None:
        # PostgreSQL parses the CSV: much faster than inserting row by row.
        stream.write(_staging_lines(frame))
        return
    columns = ["_line", *FACT_COLUMNS]
    names = ", ".join(["line", *FACT_COLUMNS])
    marks = ", ".join(["%s"] * len(columns))
    records = zip(*(frame[column].tolist() for column in columns), strict=True)
    cursor.executemany(
        f"INSERT INTO {STAGING_TABLE} ({names}) VALUES ({marks})",  # noqa: S608
        [(int(r[0]), *r[1:]) for r in records],
    )


_DIRECT_COLUMNS = (
    "source", *FACT_COLUMNS, "county", "qualified", "stats_import_id", "updated_at",
)


def _facts_statement() -> str:
    return (
        f"COPY {AssignmentFact._meta.db_table} ({', '.join(_DIRECT_COLUMNS)}) FROM STDIN "
        "WITH (FORMAT csv, FORCE_NOT_NULL (municipality, county, interpreter_category))"
    )


def _facts_lines(frame: pd.DataFrame, stats_import: StatsImport, now: str) -> bytes:
    """A validated chunk as COPY lines for the facts. Validation leaves only the reference free
    text; every other column matches a pattern without CSV's special characters."""
    municipality = frame["municipality"]
    counties = {value: value[:2] for value in municipality.unique()}
    fields = {column: frame[column].tolist() for column in FACT_COLUMNS}
    fields["reference"] = _csv_field(frame["reference"])
    return _csv_lines([
        Source.IMPORT.value,
        *(fields[column] for column in FACT_COLUMNS),
        municipality.map(counties).tolist(),
        np.where(frame["interpreter_category"].to_numpy() != "", "t", "f").tolist(),
        str(stats_import.pk),
        now,
    ])


class _FactsLoad:
    """Valid chunks COPYed straight into the facts (PostgreSQL), all through one COPY, so that
    the summary's trigger adds the whole file at once. A file that repeats keys (a re-import, or
    a reference twice) falls back to the staging path: in the first chunk found by a query
    before anything is loaded, later by the unique violation that ends the COPY."""

    def __init__(self, cursor: Any, stats_import: StatsImport) -> None:
        self._cursor = cursor
        self._stats_import = stats_import
        self._now = timezone.now().isoformat()
        self._first = True
        self._stream = _CopyStream(cursor, _facts_statement())

    def write(self, frame: pd.DataFrame) -> None:
        if self._first:
            self._first = False
            if _keys_repeat(self._cursor, frame):
                raise _Fallback
        self._stream.write(_facts_lines(frame, self._stats_import, self._now))

    def close(self) -> None:
        self._stream.close()


def _keys_repeat(cursor: Any, frame: pd.DataFrame) -> bool:
    """Whether a chunk repeats a key, or has one the facts already hold."""
    keys = frame[["provider_org_number", "reference"]]
    if keys.duplicated().any():
        return True
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {AssignmentFact._meta.db_table} f "  # noqa: S608
        "JOIN unnest(%s::varchar[], %s::varchar[]) AS k (provider_org_number, reference) "
        "ON f.provider_org_number = k.provider_org_number AND f.reference = k.reference)",
        [keys["provider_org_number"].tolist(), keys["reference"].tolist()],
    )
    return bool(cursor.fetchone()[0])


def _duplicates(cursor: Any, result: ImportResult) -> None:
    cursor.execute(
        f"SELECT 1 FROM {STAGING_TABLE} GROUP BY provider_org_number, reference "  # noqa: S608
        "HAVING COUNT(*) > 1 LIMIT 1"
    )
    if cursor.fetchone() is None:
        return
    cursor.execute(
        f"""
        SELECT s.line, s.provider_org_number, s.reference, f.first_line
        FROM {STAGING_TABLE} s
        JOIN (SELECT provider_org_number, reference, MIN(line) AS first_line
              FROM {STAGING_TABLE} WHERE reference <> ''
              GROUP BY provider_org_number, reference HAVING COUNT(*) > 1) f
          ON f.provider_org_number = s.provider_org_number AND f.reference = s.reference
        WHERE s.line > f.first_line
        ORDER BY s.line
        """  # noqa: S608
    )
    for line, number, reference, first_line in cursor.fetchall():
        result.add_error(RowError(
            line, "reference", "duplicate_reference",
            _("Reference '%(reference)s' for provider %(number)s already appears on line "
              "%(line)s.") % {"reference": reference, "number": number, "line": first_line},
        ))


def _provider_types_match_register(state: _FileState, result: ImportResult) -> None:
    """A provider known to Tolk must be imported with the provider type Tolk has for it."""
    known = dict(
        Organisation.objects.filter(org_number__in=list(state.provider_type_of))
        .exclude(provider_type="")
        .values_list("org_number", "provider_type")
    )
    for number, (kind, line) in sorted(state.provider_type_of.items(), key=lambda i: i[1][1]):
        if number in known and known[number] != kind:
            result.add_error(RowError(
                line, "provider_type", "provider_type_mismatch",
                _("Provider %(number)s is registered in Tolk as '%(registered)s', not "
                  "'%(value)s'.") % {"number": number, "registered": known[number],
                                     "value": kind},
            ))


def _typed(alias: str) -> dict[str, str]:
    """SQL expressions turning the staging table's text into the facts' column types."""
    if _is_postgres():
        return {
            "date": f"{alias}.date::date",
            "duration_minutes": f"NULLIF({alias}.duration_minutes, '')::integer",
            "cost_nok": f"NULLIF({alias}.cost_nok, '')::numeric(12, 2)",
            "qualified": f"({alias}.interpreter_category <> '')",
        }
    return {
        "date": f"{alias}.date",
        "duration_minutes": f"CAST(NULLIF({alias}.duration_minutes, '') AS INTEGER)",
        "cost_nok": f"CAST(NULLIF({alias}.cost_nok, '') AS NUMERIC)",
        "qualified": f"({alias}.interpreter_category <> '')",
    }


_COMPARED = (
    "provider_type", "date", "language", "modality", "sector", "municipality",
    "interpreter_category", "outcome", "duration_minutes", "cost_nok",
)


def _same(left: str, right: str) -> str:
    return f"{left} IS NOT DISTINCT FROM {right}" if _is_postgres() else f"{left} IS {right}"


def _differs(left: str, right: str) -> str:
    return f"{left} IS DISTINCT FROM {right}" if _is_postgres() else f"{left} IS NOT {right}"


def _merge(cursor: Any, result: ImportResult, stats_import: StatsImport) -> None:
    """Count what the merge will do, then upsert the staging table into the facts."""
    facts = AssignmentFact._meta.db_table
    typed = _typed("s")
    staged = {name: typed.get(name, f"s.{name}") for name in FACT_COLUMNS}
    equal = " AND ".join(_same(f"f.{name}", staged[name]) for name in _COMPARED)
    cursor.execute(
        f"""
        SELECT
          COALESCE(SUM(CASE WHEN f.id IS NULL THEN 1 ELSE 0 END), 0),
          COALESCE(SUM(CASE WHEN f.source = %s THEN 1 ELSE 0 END), 0),
          COALESCE(SUM(CASE WHEN f.source = %s AND {equal} THEN 1 ELSE 0 END), 0)
        FROM {STAGING_TABLE} s
        LEFT JOIN {facts} f
          ON f.provider_org_number = s.provider_org_number AND f.reference = s.reference
        """,  # noqa: S608
        [Source.PLATFORM, Source.IMPORT],
    )
    added, on_platform, unchanged = (int(v) for v in cursor.fetchone())
    result.added, result.on_platform, result.unchanged = added, on_platform, unchanged
    result.changed = result.rows - added - on_platform - unchanged

    insert_columns = [
        "source", *FACT_COLUMNS, "county", "qualified", "stats_import_id", "updated_at",
    ]
    select = [
        "%s", *(staged[name] for name in FACT_COLUMNS), "SUBSTR(s.municipality, 1, 2)",
        typed["qualified"], "%s", "%s",
    ]
    if result.added:
        # New rows in key order: the unique index is filled sequentially.
        cursor.execute(
            f"""
            INSERT INTO {facts} ({", ".join(insert_columns)})
            SELECT {", ".join(select)} FROM {STAGING_TABLE} s
            WHERE NOT EXISTS (SELECT 1 FROM {facts} f WHERE f.provider_org_number =
                              s.provider_org_number AND f.reference = s.reference)
            ORDER BY s.provider_org_number, s.reference
            """,  # noqa: S608
            [Source.IMPORT, stats_import.pk, timezone.now()],
        )
    if result.changed:
        updated = [name for name in (*FACT_COLUMNS, "county", "qualified")
                   if name not in ("provider_org_number", "reference")]
        values = {**staged, "county": "SUBSTR(s.municipality, 1, 2)",
                  "qualified": typed["qualified"]}
        assignments = ", ".join(f"{name} = {values[name]}" for name in updated)
        differs = " OR ".join(_differs(f"{facts}.{name}", staged[name]) for name in _COMPARED)
        cursor.execute(
            f"""
            UPDATE {facts} SET {assignments}, stats_import_id = %s, updated_at = %s
            FROM {STAGING_TABLE} s
            WHERE {facts}.provider_org_number = s.provider_org_number
              AND {facts}.reference = s.reference AND {facts}.source = %s AND ({differs})
            """,  # noqa: S608
            [stats_import.pk, timezone.now(), Source.IMPORT],
        )


# --- the service ---------------------------------------------------------------------------------


def _scope_for(user: User | None) -> str | None:
    """The provider whose rows `user` may import: None means any provider."""
    if user is None or user.role in (Role.ANALYST, Role.ADMIN):
        return None
    if user.role == Role.COORDINATOR and user.organisation is not None:
        if not user.organisation.provider_type:
            raise PermissionDeniedError.of("not_a_provider")
        return user.organisation.org_number
    raise PermissionDeniedError.of("assignment_import_not_allowed")


def assignments_import(
    *,
    stream: IO[bytes] | IO[str],
    file_name: str,
    user: User | None = None,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate a provider CSV and, only if every row is valid, merge it into the facts.

    `user` None is the command line (any provider). Analysts and admins import for any provider,
    a provider's coordinator only rows with their own organisation number. Returns the result with
    every problem found (line, column, code, reason); nothing is written when there is one.
    """
    started = time.monotonic()
    scope = _scope_for(user)
    today = today or timezone.localdate()
    result = ImportResult(file_name=file_name)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if _is_postgres():
                # Imports queue one after the other, so their counts add up.
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('stats.assignments_import'))")
                # Sorting and hashing a year of rows in memory instead of spilling to disk.
                cursor.execute("SET LOCAL work_mem = '256MB'")
                if _seekable(stream):
                    loaded = _import_direct(cursor, stream, file_name, user, today, scope,
                                            progress, started)
                    if loaded is not None:
                        return loaded
                    stream.seek(0)
            state = _FileState(today=today, scope_org_number=scope)
            _staging_create(cursor)
            with text_stream(stream) as text:
                _import_rows(cursor, text, result, state, progress)
            if not result.ok:
                raise _Abort
            stats_import = _record(file_name, user, result)
            _merge(cursor, result, stats_import)
            _staging_drop(cursor)
            _finish(result, stats_import, started)
    except _Abort:
        pass
    result.seconds = time.monotonic() - started
    return result


def _seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable()) and stream.tell() == 0
    except (AttributeError, OSError, ValueError):
        return False


def _record(file_name: str, user: User | None, result: ImportResult) -> StatsImport:
    return StatsImport.objects.create(
        file_name=file_name[:255], imported_by=user,
        organisation=getattr(user, "organisation", None),
        rows=result.rows, added=0, changed=0, unchanged=0,
    )


def _finish(result: ImportResult, stats_import: StatsImport, started: float) -> None:
    result.seconds = time.monotonic() - started
    StatsImport.objects.filter(pk=stats_import.pk).update(
        rows=result.rows, added=result.added, changed=result.changed,
        unchanged=result.unchanged, on_platform=result.on_platform,
        seconds=round(result.seconds, 3),
    )
    result.import_id = stats_import.pk


def _import_direct(
    cursor: Any, stream: Any, file_name: str, user: User | None, today: dt.date,
    scope: str | None, progress: Callable[[int], None] | None, started: float,
) -> ImportResult | None:
    """The fast path for rows that are all new (a provider's first file for a year): COPY straight
    into the facts, inside a savepoint. Returns None when a key already exists or repeats, and the
    caller imports through the staging table instead, as it does for a file with problems."""
    result = ImportResult(file_name=file_name)
    state = _FileState(today=today, scope_org_number=scope)
    try:
        with transaction.atomic():
            stats_import = _record(file_name, user, result)
            with text_stream(stream) as text:
                _import_rows(cursor, text, result, state, progress, direct=stats_import)
            if not result.ok:
                # The staging path reports every problem, repeated references included.
                raise _Fallback
            result.added = result.rows
            _finish(result, stats_import, started)
    except (psycopg.IntegrityError, IntegrityError, _Fallback):
        return None
    return result


def _import_rows(
    cursor: Any, text: IO[str], result: ImportResult, state: _FileState,
    progress: Callable[[int], None] | None, direct: StatsImport | None = None,
) -> None:
    """Read and validate every row. Valid chunks go to the staging table, or with `direct`
    straight into the facts (the caller falls back to staging on a problem or a key that
    exists)."""
    facts = None if direct is None else _FactsLoad(cursor, direct)
    stream = (
        _CopyStream(cursor, _staging_statement()) if facts is None and _is_postgres() else None
    )
    try:
        header = read_header(text, columns=FACT_COLUMNS, required=REQUIRED_COLUMNS)
        if isinstance(header, RowError):
            result.add_error(header)
            return
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ParserWarning)
                for frame in _frames(text, header, result, caught):
                    validate_chunk(frame, state, result)
                    if facts is None:
                        _staging_write(cursor, frame, stream)
                    elif not result.ok:
                        raise _Fallback  # the staging path reports every problem
                    else:
                        facts.write(frame)
                    if progress is not None:
                        progress(result.rows)
        finally:
            # The rows go in before anything else uses the connection.
            if facts is not None:
                facts.close()
            if stream is not None:
                stream.close()
    except UnicodeDecodeError as exc:
        result.add_error(encoding_error(result.rows + 2, exc))
        return
    except (csv.Error, ParserError) as exc:
        result.add_error(csv_error(result.rows + 2, exc))
        return
    except EmptyDataError:
        pass
    if result.rows == 0:
        result.add_error(no_rows_error())
        return
    if direct is None:
        if _is_postgres():
            cursor.execute(f"ANALYZE {STAGING_TABLE}")  # temporary tables are never analysed
        _duplicates(cursor, result)
    _provider_types_match_register(state, result)
    result.errors.sort(key=lambda e: (e.line, _column_order(e.column)))
