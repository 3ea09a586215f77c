"""The CSV import frame (`tolk.csvimport`): reading, the header, row errors and the size limit."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tolk.api import require_upload_size
from tolk.csvimport import (
    FileKind,
    RowError,
    csv_error,
    encoding_error,
    header_problem,
    max_bytes,
    no_rows_error,
    nul_errors,
    read_header,
    text_stream,
)
from tolk.errors import ValidationFailed

COLUMNS = ("number", "name", "note")


def lines_of(data: bytes) -> list[list[str]]:
    with text_stream(io.BytesIO(data)) as text:
        return list(csv.reader(text))


def decode_failure(data: bytes) -> UnicodeDecodeError:
    with text_stream(io.BytesIO(data)) as text, pytest.raises(UnicodeDecodeError) as caught:
        text.read()
    return caught.value


# --- reading ---------------------------------------------------------------------------------


def test_a_byte_order_mark_is_dropped() -> None:
    assert lines_of(b"\xef\xbb\xbfnumber,name\r\n1,Amal\r\n") == [["number", "name"], ["1", "Amal"]]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending_ends_a_line(ending: bytes) -> None:
    data = ending.join([b"number,name", b"1,Amal", b"2,Yonas"]) + ending
    assert lines_of(data) == [["number", "name"], ["1", "Amal"], ["2", "Yonas"]]


def test_a_quoted_value_keeps_its_line_break() -> None:
    assert lines_of(b'number,note\r\n1,"two\r\nlines"\r\n')[1] == ["1", "two\r\nlines"]


def test_the_callers_stream_stays_open_and_text_passes_through() -> None:
    raw = io.BytesIO(b"number\n1\n")
    with text_stream(raw) as text:
        text.read()
    assert not raw.closed
    already = io.StringIO("number\n1\n")
    with text_stream(already) as text:
        assert text is already


def test_a_file_that_is_not_utf8_is_invalid_encoding() -> None:
    error = encoding_error(3, decode_failure("number,name\n1,Bjørn\n".encode("latin-1")))
    assert (error.line, error.column, error.code) == (3, "", "invalid_encoding")
    assert "UTF-8" in error.reason and "UTF-16" not in error.reason


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_file_is_named_as_such(encoding: str) -> None:
    data = "\ufeffnumber,name\n1,Amal\n".encode(encoding)
    error = encoding_error(1, decode_failure(data))
    assert error.code == "invalid_encoding" and "UTF-16" in error.reason


# --- the header --------------------------------------------------------------------------------


def test_a_good_header_is_read_with_spaces_around_names_dropped() -> None:
    text = io.StringIO(" number , name,note\r\n1,Amal,\r\n")
    assert read_header(text, columns=COLUMNS) == ["number", "name", "note"]
    assert text.read() == "1,Amal,\r\n"  # the rows are left for the reader


def test_optional_columns_may_be_left_out() -> None:
    header = read_header(io.StringIO("name,number\n"), columns=COLUMNS, required=("number",))
    assert header == ["name", "number"]


def test_missing_unknown_and_repeated_columns_are_one_error_naming_each() -> None:
    problem = header_problem(["number", "colour", "number"], columns=COLUMNS)
    assert problem is not None
    assert (problem.line, problem.column, problem.code) == (1, "", "invalid_header")
    with translation.override("en"):
        problem = header_problem(["number", "colour", "number"], columns=COLUMNS)
    assert problem is not None
    assert "Missing: name, note." in problem.reason
    assert "Unknown: colour." in problem.reason
    assert "Repeated: number." in problem.reason


@pytest.mark.parametrize("content", ["", "\n", "  \r\n"])
def test_an_empty_file_is_empty_file(content: str) -> None:
    problem = read_header(io.StringIO(content), columns=COLUMNS)
    assert isinstance(problem, RowError)
    assert (problem.line, problem.code) == (1, "empty_file")


def test_a_header_that_is_not_csv_is_invalid_csv() -> None:
    # A field beyond the CSV reader's limit (128 KiB) is an error, never a hang or a crash.
    problem = read_header(io.StringIO("number," + "n" * 200_000 + "\n"), columns=COLUMNS)
    assert isinstance(problem, RowError)
    assert (problem.line, problem.code) == (1, "invalid_csv")


# --- row errors ----------------------------------------------------------------------------------


def test_each_value_with_a_nul_is_invalid_character() -> None:
    errors = nul_errors(4, [("number", "1"), ("name", "Am\x00al"), ("note", "\x00")])
    assert [(e.line, e.column, e.code) for e in errors] == [
        (4, "name", "invalid_character"), (4, "note", "invalid_character"),
    ]


def test_reasons_are_in_the_requests_language() -> None:
    with translation.override("nb"):
        norwegian = [no_rows_error().reason, nul_errors(2, [("name", "\x00")])[0].reason,
                     csv_error(2, ValueError("x")).reason]
    with translation.override("en"):
        english = [no_rows_error().reason, nul_errors(2, [("name", "\x00")])[0].reason,
                   csv_error(2, ValueError("x")).reason]
    assert english == ["The file has a header but no rows.",
                       "The value contains a NUL character (byte 0).",
                       "The file is not valid CSV: x."]
    assert norwegian == ["Filen har en overskriftsrad, men ingen rader.",
                         "Verdien inneholder et NUL-tegn (byte 0).",
                         "Filen er ikke gyldig CSV: x."]


def test_a_row_error_names_its_place_in_one_line() -> None:
    assert RowError(3, "language", "unknown_language", "Unknown.").located() == (
        "line 3, column language: Unknown. [unknown_language]"
    )
    assert RowError(1, "", "invalid_header", "Bad.").located() == "line 1: Bad. [invalid_header]"


# --- the size limit ------------------------------------------------------------------------------


def test_each_kind_has_its_limit_from_one_setting(settings: Any) -> None:
    assert max_bytes(FileKind.REGISTER) == 50 * 1024 * 1024
    assert max_bytes(FileKind.ASSIGNMENTS) == 500 * 1024 * 1024
    settings.TOLK_IMPORT_MAX_BYTES = {"register": 3 * 1024 * 1024, "assignments": 10}
    assert max_bytes(FileKind.REGISTER) == 3 * 1024 * 1024
    assert max_bytes(FileKind.ASSIGNMENTS) == 10


def test_an_upload_over_its_kinds_limit_is_file_too_large(settings: Any) -> None:
    settings.TOLK_IMPORT_MAX_BYTES = {"register": 2 * 1024 * 1024, "assignments": 10}
    upload = SimpleUploadedFile("x.csv", b"number,name\n1,Amal\n")
    require_upload_size(upload, kind=FileKind.REGISTER)  # 19 bytes: well within 2 MB
    with pytest.raises(ValidationFailed) as caught:
        require_upload_size(upload, kind=FileKind.ASSIGNMENTS)
    assert caught.value.code == "file_too_large"
    assert caught.value.fields == {"file": ["file_too_large"]}
    at_limit = SimpleUploadedFile("x.csv", b"0123456789")
    require_upload_size(at_limit, kind=FileKind.ASSIGNMENTS)
    settings.TOLK_IMPORT_MAX_BYTES = {"register": 1024 * 1024, "assignments": 0}
    with pytest.raises(ValidationFailed) as caught:
        require_upload_size(SimpleUploadedFile("r.csv", b"x" * (1024 * 1024 + 1)),
                            kind=FileKind.REGISTER)
    with translation.override("en"):
        assert "at most 1 MB" in caught.value.detail
    with translation.override("nb"):
        assert "høyst 1 MB" in caught.value.detail
