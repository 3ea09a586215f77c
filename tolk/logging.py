"""Keeping interpreters' personal data (and secrets) out of the logs.

`PersonalDataFilter` is attached to every log handler (see LOGGING in the settings). It rewrites
each record before it is written:

- model instances that describe a person (register entries, users) are replaced by `Model#id`, so
  `logger.info("offer to %s", interpreter)` never writes a name or register number;
- mapping arguments have the values of personal or secret keys replaced (`email`, `phone`,
  `given_name`, `password`, `token` ...);
- the formatted text has e-mail addresses, phone numbers, Norwegian national identity numbers,
  register numbers in card-check URLs and secrets in URLs (`?token=`, `?ticket=`) masked, and SQL
  string literals in query logs blanked;
- exception text (tracebacks, database error details such as `Key (email)=(...)`) gets the same
  masking.

Logging must never fail because of the filter, so it falls back to masking the plain text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

PERSONAL_KEYS = frozenset(
    {
        "given_name", "family_name", "full_name", "name", "first_name", "last_name",
        "email", "phone", "address", "date_of_birth", "birth_date", "national_id",
        "fodselsnummer", "personnummer", "password", "password1", "password2", "old_password",
        "new_password", "token", "ticket", "key", "secret", "authorization", "cookie",
        "sessionid", "csrftoken", "api_key",
    }
)

PERSON_MODELS = frozenset({"booking.Interpreter", "booking.User", "booking.Qualification"})

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Norwegian phone numbers: +47/0047 prefix, or 8 digits in common groupings, not part of a longer
# number (organisation numbers have 9 digits, register numbers are shorter).
_PHONE = re.compile(
    r"(?<![\w+:.-])(?:(?:\+|00)\d{2} ?)?"
    r"(?:\d{2} ?\d{2} ?\d{2} ?\d{2}|\d{3} ?\d{2} ?\d{3})(?![\w:.-])"
)
# 11-digit national identity number (fødselsnummer / D-number).
_NATIONAL_ID = re.compile(r"(?<!\d)\d{6}[ ]?\d{5}(?!\d)")
_URL_SECRET = re.compile(
    r"(?i)([?&](?:token|ticket|key|password|sessionid|csrfmiddlewaretoken)=)[^&\s\"']+"
)
# Register numbers in URLs (the card check) identify a person.
_REGISTER_PATH = re.compile(r"(/(?:interpreters|card)/)(?!\?)[A-Za-z0-9-]+")
_AUTH_HEADER = re.compile(r"(?i)\b(Token|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")
_DB_DETAIL = re.compile(r"(?i)(Key \([^)]*\)=\()[^)]*(\))")


def mask_text(text: str) -> str:
    """Mask personal data and secrets in free text."""
    text = _URL_SECRET.sub(lambda m: m.group(1) + REDACTED, text)
    text = _REGISTER_PATH.sub(lambda m: m.group(1) + REDACTED, text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _DB_DETAIL.sub(lambda m: m.group(1) + REDACTED + m.group(2), text)
    text = _EMAIL.sub(REDACTED, text)
    text = _NATIONAL_ID.sub(REDACTED, text)
    return _PHONE.sub(REDACTED, text)


def _person_label(value: Any) -> str | None:
    """`Interpreter#12` for model instances that describe a person, else None."""
    meta = getattr(value, "_meta", None)
    if meta is None:
        return None
    if getattr(meta, "label", "") in PERSON_MODELS or hasattr(value, "given_name"):
        return f"{meta.object_name}#{getattr(value, 'pk', '?')}"
    return None


def scrub(value: Any, depth: int = 0) -> Any:
    """A copy of `value` that is safe to format into a log message."""
    if depth > 4:
        return REDACTED
    label = _person_label(value)
    if label is not None:
        return label
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if str(k).lower() in PERSONAL_KEYS else scrub(v, depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, tuple):
        return tuple(scrub(v, depth + 1) for v in value)
    if isinstance(value, list | set | frozenset):
        return [scrub(v, depth + 1) for v in value]
    return value


class PersonalDataFilter(logging.Filter):
    """Rewrites each record so that no interpreter's personal data reaches a log handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._clean(record)
        except Exception:  # noqa: BLE001 - a log line must never break a request
            record.msg = mask_text(str(record.msg))
            record.args = None
        return True

    def _clean(self, record: logging.LogRecord) -> None:
        if record.name.startswith("django.db.backends"):
            # Query logs: the SQL arrives with the parameters already interpolated.
            if hasattr(record, "params"):
                record.params = REDACTED
            if hasattr(record, "sql"):
                record.sql = _SQL_LITERAL.sub("'?'", str(record.sql))
            if isinstance(record.args, tuple):
                record.args = tuple(
                    _SQL_LITERAL.sub("'?'", a) if isinstance(a, str) else
                    (REDACTED if isinstance(a, list | tuple | Mapping) else a)
                    for a in record.args
                )
        if record.args:
            if isinstance(record.args, Mapping):
                record.args = scrub(record.args)
            else:
                record.args = tuple(scrub(a) for a in record.args)
        if not isinstance(record.msg, str):
            record.msg = scrub(record.msg)
            if not isinstance(record.msg, str):
                record.msg = str(record.msg)
        # Format now so nothing later reformats with the raw values, then mask the result.
        message = record.getMessage()
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "get_full_path"):
            # django.request attaches the request; its repr includes the query string.
            record.request = f"<{getattr(request, 'method', '')} {mask_text(request.path)}>"
