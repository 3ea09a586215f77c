"""Pulling a year's facts from another Tolk installation and importing them as one import.

The export (`GET <source>/api/v1/stats/facts/?year=YYYY&format=csv`, see `stats.services.export`)
is downloaded to a temporary file while its SHA-256 is computed, then checked against the
export's manifest (rows, bytes, sha256). Only a body that matches is imported, through the provider
file import (`assignments_import`), in one transaction that also checks that the import read
exactly the manifest's number of rows and removes the facts earlier pulls of the source brought
that its export no longer has. A source that is down, slow, refuses the token or answers
anything else changes nothing: the pull is recorded as failed with the reason, and a later pull
starts afresh.

The token is sent only to the source's own address (redirects are refused, so it never follows
one to another host) and is never part of a message, a log line or a record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlencode, urljoin, urlparse

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from stats.models import AssignmentFact, PullSource, Source, SourcePull
from stats.services.imports import assignments_import
from tolk.errors import DomainError

DEFAULT_TIMEOUT_SECONDS = 30.0  # for each read
DEFAULT_MAX_SECONDS = 3600.0  # for the whole download
# A national year is about 70 MB; a body many times that is not an export of one year.
MAX_EXPORT_BYTES = 2 * 1024 * 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024
READ_BYTES = 256 * 1024
KEY_CHUNK_ROWS = 100_000
EXPORT_PATH = "/api/v1/stats/facts/"
EXPORT_ID_HEADER = "Tolk-Export-Id"


class PullFailed(DomainError):
    """The pull changed nothing; `code` says why."""

    status_code = 502


def _failed(name: str, /, **params: object) -> PullFailed:
    """The catalogue error `name` (tolk.error_catalogue) as a failed pull."""
    return PullFailed(code=name, params=params)


@dataclass
class PullResult:
    source: str
    year: int
    rows: int
    added: int
    changed: int
    unchanged: int
    removed: int
    on_platform: int
    seconds: float
    sha256: str
    import_id: int | None

    def summary(self) -> str:
        return (
            f"{self.source} {self.year}: {self.rows:,} rows, {self.added:,} new, "
            f"{self.changed:,} changed, {self.unchanged:,} unchanged"
            + (f", {self.removed:,} no longer at the source removed" if self.removed else "")
            + (f", {self.on_platform:,} already counted from the platform"
               if self.on_platform else "")
            + f" ({self.seconds:.1f} s)"
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the token to wherever it points: refuse it."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        raise _failed("source_redirected", http_status=code)


_OPENER = urllib.request.build_opener(_NoRedirect)


def _open(url: str, *, token: str, accept: str, timeout: float) -> Any:
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked in `_base_url`
        url, headers={"Authorization": f"Bearer {token}", "Accept": accept,
                      "User-Agent": "tolk-pull/1"},
    )
    try:
        return _OPENER.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in (401, 403):
            raise _failed("source_refused", http_status=exc.code) from None
        raise _failed("source_error", http_status=exc.code) from None
    except TimeoutError as exc:
        raise _timeout(timeout) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _timeout(timeout) from exc
        raise _failed("source_unreachable", reason=str(exc.reason)) from exc
    except (http.client.HTTPException, OSError) as exc:
        raise _failed("source_unreachable", reason=type(exc).__name__) from exc


def _timeout(timeout: float) -> PullFailed:
    return _failed("source_timeout", seconds=f"{timeout:g}")


def _base_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise _failed("invalid_source_url", url=url)
    return url.rstrip("/") + "/"


@dataclass
class _Download:
    file: IO[bytes]
    export_id: str
    sha256: str
    bytes: int


def _download(base: str, *, year: int, token: str, timeout: float, max_seconds: float,
              progress: Callable[[str], None] | None) -> _Download:
    url = urljoin(base, EXPORT_PATH.lstrip("/")) + "?" + urlencode({"year": year,
                                                                   "format": "csv"})
    deadline = time.monotonic() + max_seconds
    response = _open(url, token=token, accept="text/csv", timeout=timeout)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, which closes it
    try:
        with response:
            kind = response.headers.get("Content-Type", "")
            export_id = response.headers.get(EXPORT_ID_HEADER, "")
            if not kind.startswith("text/csv") or not _is_uuid(export_id):
                raise _failed("invalid_export")
            digest = hashlib.sha256()
            size = 0
            while True:
                # At most one read from the socket, so the deadline is checked as bytes come.
                piece = response.read1(READ_BYTES)
                if not piece:
                    # A connection closed before the declared Content-Length ends the read
                    # quietly; what is left to come says it was cut off.
                    if getattr(response, "length", None):
                        raise http.client.IncompleteRead(b"", response.length)
                    break
                digest.update(piece)
                size += len(piece)
                if size > MAX_EXPORT_BYTES:
                    raise _failed("export_too_large")
                target.write(piece)
                if time.monotonic() > deadline:
                    # Each read may come in time while the whole never does.
                    raise _failed("source_export_timeout", seconds=f"{max_seconds:g}")
                if progress is not None:
                    progress(f"{size / 1_000_000:,.1f} MB downloaded")
    except PullFailed:
        target.close()
        raise
    except http.client.IncompleteRead as exc:  # a cut-off body, sized or chunked
        target.close()
        raise _failed("export_truncated") from exc
    except TimeoutError as exc:
        target.close()
        raise _timeout(timeout) from exc
    except (http.client.HTTPException, OSError) as exc:
        target.close()
        raise _failed("export_broke_off", error=type(exc).__name__) from exc
    target.seek(0)
    return _Download(file=target, export_id=export_id, sha256=digest.hexdigest(), bytes=size)


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _manifest(base: str, *, export_id: str, token: str, timeout: float) -> dict[str, Any]:
    url = urljoin(base, f"{EXPORT_PATH.lstrip('/')}manifests/{export_id}/")
    garbage = _failed("invalid_manifest")
    try:
        with _open(url, token=token, accept="application/json", timeout=timeout) as response:
            raw = response.read(MAX_MANIFEST_BYTES + 1)
    except TimeoutError as exc:
        raise _timeout(timeout) from exc
    except (http.client.HTTPException, OSError) as exc:
        raise garbage from exc
    if len(raw) > MAX_MANIFEST_BYTES:
        raise garbage
    try:
        manifest = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise garbage from exc
    if not isinstance(manifest, dict) or not manifest.get("complete"):
        raise _failed("export_incomplete")
    rows, size, sha256 = manifest.get("rows"), manifest.get("bytes"), manifest.get("sha256")
    if not (isinstance(rows, int) and isinstance(size, int) and isinstance(sha256, str)):
        raise garbage
    return {"rows": rows, "bytes": size, "sha256": sha256}


def _verify(download: _Download, manifest: dict[str, Any]) -> None:
    if download.bytes != manifest["bytes"]:
        raise _failed("export_size_mismatch", received=f"{download.bytes:,}",
                      sent=f"{manifest['bytes']:,}")
    if download.sha256 != manifest["sha256"].lower():
        raise _failed("checksum_mismatch")


class _RowsDiffer(Exception):
    pass


def _import(download: _Download, manifest: dict[str, Any], *, record: SourcePull,
            progress: Callable[[str], None] | None) -> Any:
    """Import the verified export and, in the same transaction, remove what the source no longer
    has and record the pull."""
    source, year = record.source, record.year

    def rows_read(rows: int) -> None:
        if progress is not None:
            progress(f"{rows:,} of {manifest['rows']:,} rows imported")

    file_name = f"{source.name}: {year} ({download.export_id})"[:255]
    try:
        with transaction.atomic():
            result = assignments_import(stream=download.file, file_name=file_name,
                                        progress=rows_read)
            if not result.ok:
                return result, 0
            if result.rows != manifest["rows"]:
                raise _RowsDiffer(result.rows)
            download.file.seek(0)
            removed = _remove_vanished(download.file, source=source, year=year)
            record.status = SourcePull.Status.OK
            record.rows, record.added = result.rows, result.added
            record.changed, record.unchanged = result.changed, result.unchanged
            record.removed = removed
            record.stats_import_id = result.import_id
            record.finished_at = timezone.now()
            record.save()
    except _RowsDiffer as exc:
        raise _failed("row_count_mismatch", rows=f"{exc.args[0]:,}",
                      expected=f"{manifest['rows']:,}") from None
    return result, removed


_KEYS_TABLE = "stats_pull_keys"


def _remove_vanished(export: IO[bytes], *, source: PullSource, year: int) -> int:
    """Delete the facts of `year` that earlier pulls of `source` brought and that its export no
    longer has (a booking reopened there, a provider row withdrawn), so this installation's copy
    stays equal to the source. Call inside the import's transaction."""
    earlier = list(
        SourcePull.objects.filter(source=source, stats_import__isnull=False)
        .values_list("stats_import_id", flat=True)
    )
    if not earlier:
        return 0  # a first pull has nothing to take back
    facts = AssignmentFact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_KEYS_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_KEYS_TABLE} "
            "(provider_org_number text NOT NULL, reference text NOT NULL)"
        )
        reader = pd.read_csv(
            export, usecols=["provider_org_number", "reference"], dtype=str,
            keep_default_na=False, chunksize=KEY_CHUNK_ROWS, encoding="utf-8-sig",
        )
        for chunk in reader:
            # The import stores values without surrounding spaces; so are the keys compared.
            keys = list(zip(chunk["provider_org_number"].str.strip().tolist(),
                            chunk["reference"].str.strip().tolist(), strict=True))
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(
                    f"COPY {_KEYS_TABLE} (provider_org_number, reference) FROM STDIN"
                ) as copy:
                    for key in keys:
                        copy.write_row(key)
            else:
                cursor.executemany(
                    f"INSERT INTO {_KEYS_TABLE} VALUES (%s, %s)", keys  # noqa: S608
                )
        # Indexed and analysed, the anti-join below is a hash or an index probe per fact, never
        # a scan of the keys per fact (the facts' statistics may still be those of an empty
        # table right after a first pull).
        cursor.execute(
            f"CREATE UNIQUE INDEX {_KEYS_TABLE}_key ON {_KEYS_TABLE} "
            "(provider_org_number, reference)"
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {_KEYS_TABLE}")
            cursor.execute(f"ANALYZE {facts}")
        marks = ", ".join(["%s"] * len(earlier))
        cursor.execute(
            f"""
            DELETE FROM {facts}
            WHERE source = %s AND date >= %s AND date <= %s
              AND stats_import_id IN ({marks})
              AND NOT EXISTS (SELECT 1 FROM {_KEYS_TABLE} k
                              WHERE k.provider_org_number = {facts}.provider_org_number
                                AND k.reference = {facts}.reference)
            """,  # noqa: S608
            [Source.IMPORT, dt.date(year, 1, 1), dt.date(year, 12, 31), *earlier],
        )
        removed = cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS {_KEYS_TABLE}")
    return int(removed)


def source_pull(
    *, source: PullSource, year: int, token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS, max_seconds: float = DEFAULT_MAX_SECONDS,
    progress: Callable[[str], None] | None = None,
) -> PullResult:
    """Pull `year` from `source` (with `token`, or the source's stored token) and import it.
    `timeout` bounds each wait for the source, `max_seconds` the whole download.
    Raises PullFailed, having changed nothing but the record of the failed pull."""
    started_at = timezone.now()
    started = time.monotonic()
    record = SourcePull(source=source, year=year, started_at=started_at)
    try:
        secret = token or source.token
        if not secret:
            raise _failed("missing_token", source=source.name)
        base = _base_url(source.url)
        download = _download(base, year=year, token=secret, timeout=timeout,
                             max_seconds=max_seconds, progress=progress)
        with download.file:
            manifest = _manifest(base, export_id=download.export_id, token=secret,
                                 timeout=timeout)
            _verify(download, manifest)
            record.sha256 = download.sha256
            result, removed = _import(download, manifest, record=record, progress=progress)
            if not result.ok:
                first = "; ".join(e.located() for e in result.errors[:5])
                raise _failed("export_not_imported", count=result.error_count, first=first)
    except PullFailed as exc:
        record.status = SourcePull.Status.FAILED
        record.code = exc.code
        record.message = exc.message_en
        record.finished_at = timezone.now()
        record.seconds = round(time.monotonic() - started, 3)
        record.pk = None
        record.save()
        raise
    record.seconds = round(time.monotonic() - started, 3)
    SourcePull.objects.filter(pk=record.pk).update(seconds=record.seconds)
    return PullResult(
        source=source.name, year=year, rows=result.rows, added=result.added,
        changed=result.changed, unchanged=result.unchanged, removed=removed,
        on_platform=result.on_platform, seconds=record.seconds, sha256=download.sha256,
        import_id=result.import_id,
    )


def source_for(*, source: str) -> PullSource:
    """A configured source by name, or by address (a source is recorded for an address the
    first time it is pulled, so its pulls are listed with the others)."""
    named = PullSource.objects.filter(name=source).first()
    if named is not None:
        return named
    if source.startswith(("http://", "https://")):
        base = _base_url(source)
        found = PullSource.objects.filter(url__in=[base, base.rstrip("/")]).first()
        if found is not None:
            return found
        name = urlparse(base).netloc + urlparse(base).path.rstrip("/")
        made, _created = PullSource.objects.get_or_create(
            name=name[:100], defaults={"url": base.rstrip("/")}
        )
        return made
    raise _failed("unknown_source", source=source)
