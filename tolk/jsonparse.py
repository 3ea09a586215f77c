"""JSON from outside (request bodies, websocket messages) with a limit on nesting.

Python's decoder recurses once per level, so a body of a few kilobytes of `[` ends in a
`RecursionError` (a 500, or a websocket consumer that dies). No message of Tolk nests deeper than
a handful of levels; `MAX_JSON_DEPTH` leaves ample room and keeps every later recursive step
(serializers, error messages, `repr`) far from Python's limit. The depth is measured on the text
before it is decoded, in one pass that skips string contents, so a deep document costs nothing.
Only standard JSON is read: `NaN` and `Infinity` are refused."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

from tolk.errors import ValidationFailed

MAX_JSON_DEPTH = 32

# A string literal (with its escapes, unrolled so a long string is one fast step) or one
# bracket; everything else is skipped.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
_OPENING = frozenset("[{")
_CLOSING = frozenset("]}")


class JSONTooDeep(ValueError):
    """The document nests arrays and objects deeper than the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


class JSONNotStandard(ValueError):
    """`NaN`, `Infinity` or `-Infinity`: accepted by Python, not JSON."""


class JSONInvalidCharacter(ValueError):
    """A string or key holds a NUL character (`\\u0000`), which no text in Tolk may contain
    (PostgreSQL cannot store it)."""


def _has_nul(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects in `text` nest deeper than `limit`. Only brackets outside
    strings count; the text need not be valid JSON."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        piece = match.group()
        if piece in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif piece in _CLOSING:
            depth -= 1
    return False


def _refuse_constant(name: str) -> Any:
    raise JSONNotStandard(f"{name} is not valid JSON")


def loads(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Decode JSON text from outside. Raises `JSONTooDeep` (nested deeper than `max_depth`),
    `JSONInvalidCharacter` (a NUL in a string) or `ValueError` (not JSON), never
    `RecursionError`."""
    if json_depth_exceeds(text, max_depth):
        raise JSONTooDeep(max_depth)
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:  # cannot happen below the limit; kept as the last line of defence
        raise JSONTooDeep(max_depth) from None
    # Strict JSON has NUL inside strings only as an escape, so most texts need no walk.
    if "\\u0000" in text and _has_nul(value):
        raise JSONInvalidCharacter("a NUL character (\\u0000) in a string")
    return value


def invalid_character_error() -> ValidationFailed:
    return ValidationFailed.of("invalid_character")


def too_deep_error(limit: int = MAX_JSON_DEPTH) -> ValidationFailed:
    return ValidationFailed.of("json_too_deep", limit=limit)


class JSONParser(BaseParser):
    """DRF's JSON parser with the nesting limit (`REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]`):
    a body nested too deeply is a 400 `json_too_deep`, broken JSON a 400 `parse_error`."""

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream: IO[bytes], media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            # bytes.decode accepts only text encodings: a `charset=rot13` or `zlib` is refused
            # (LookupError) instead of running a codec on the body.
            text = stream.read().decode(encoding)
            return loads(text)
        except JSONTooDeep:
            raise too_deep_error() from None
        except JSONInvalidCharacter:
            raise invalid_character_error() from None
        except (ValueError, LookupError) as exc:  # ValueError includes UnicodeDecodeError
            raise ParseError(f"JSON parse error - {exc}") from None
