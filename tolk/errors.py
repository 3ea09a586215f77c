"""Domain errors: a stable code, the law's section where one applies, a message in the request's
language.

Services raise these; `tolk.api.exception_handler` (REST) and the websocket consumers turn them into
`{"code", "detail", "section", "fields"}`. Messages come from the error catalogue
(`tolk.error_catalogue`, gettext) and are resolved only when the error is rendered, so one error
reads in bokmål or English depending on who receives it:

    raise NotFoundError.of("booking_not_found")
    raise ValidationFailed.of("file_too_large", megabytes=50, fields={"file": ["file_too_large"]})
    raise DomainError(code="json_too_deep", params={"limit": 32})
    raise catalogue_error("interpreter_busy")          # the class follows the entry's status

The catalogue is the only source of messages: an error is raised by its catalogue name, never with
its text. Tests compare codes, never the text.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import Any, Self

from django.utils import translation

from tolk.error_catalogue import ErrorEntry, entry
from tolk.i18n import BOKMAL, ENGLISH, Language, request_language

DATE_FORMATS: dict[str, str] = {BOKMAL: "%d.%m.%Y", ENGLISH: "%Y-%m-%d"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@functools.cache
def _placeholders(name: str) -> frozenset[str]:
    """The parameters the catalogue message `name` takes (read from its English msgid)."""
    with translation.override(None):
        return frozenset(_PLACEHOLDER.findall(str(entry(name).message)))


def _param(value: object, language: str) -> object:
    # A date reads as the language writes it; a datetime is an instant and is left as given.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.strftime(DATE_FORMATS[language])
    return value


def render_message(message: Any, params: Mapping[str, object], language: Language) -> str:
    """A catalogue message (lazy gettext) with its parameters, in `language`."""
    with translation.override(language):
        text = str(message)
        if params:
            text = text % {name: _param(value, language) for name, value in params.items()}
    return text


class DomainError(Exception):
    status_code = 400

    def __init__(
        self,
        *,
        code: str,
        section: str | None = None,
        fields: dict[str, Any] | None = None,
        status: int | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        """`code` names a catalogue entry, whose code, message, section and status apply (`params`
        fill in its placeholders); `section` and `status` given here win over the entry's."""
        self.entry: ErrorEntry = entry(code)
        self.params: dict[str, object] = dict(params or {})
        # Exactly the message's parameters: a missing one would fail only when the error is
        # rendered, an extra one (a text passed along, `message_nb=...`) would never be shown.
        if set(self.params) != _placeholders(code):
            raise TypeError(f"{code!r} takes the parameters {sorted(_placeholders(code))}, "
                            f"not {sorted(self.params)}")
        self.code = self.entry.code
        self.section = section if section is not None else self.entry.section
        self.fields = fields or {}
        status = status if status is not None else self.entry.status
        if status is not None:
            self.status_code = status
        super().__init__(self.code)

    @classmethod
    def of(
        cls,
        name: str,
        /,
        *,
        fields: dict[str, Any] | None = None,
        section: str | None = None,
        status: int | None = None,
        **params: object,
    ) -> Self:
        """The catalogue error `name` with its parameters (`ValidationFailed.of("json_too_deep",
        limit=32)`)."""
        return cls(code=name, fields=fields, section=section, status=status, params=params)

    def message(self, language: Language) -> str:
        """The message in `language` ("nb" or "en")."""
        return render_message(self.entry.message, self.params, language)

    @property
    def message_nb(self) -> str:
        return self.message(BOKMAL)

    @property
    def message_en(self) -> str:
        return self.message(ENGLISH)

    @property
    def detail(self) -> str:
        """The message in the request's language."""
        return self.message(request_language())

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "detail": self.detail,
            "section": self.section,
            "fields": self.fields,
        }


class ValidationFailed(DomainError):
    status_code = 400


class PermissionDeniedError(DomainError):
    status_code = 403


class NotFoundError(DomainError):
    status_code = 404


class ConflictError(DomainError):
    status_code = 409


_BY_STATUS: dict[int, type[DomainError]] = {
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
}


def catalogue_error(
    name: str, /, *, fields: dict[str, Any] | None = None, section: str | None = None,
    **params: object,
) -> DomainError:
    """The catalogue error `name` as the exception class of its status (404 → NotFoundError,
    409 → ConflictError, 403, 400 → ValidationFailed; DomainError for any other).
    Raise the result."""
    status = entry(name).status or ValidationFailed.status_code
    cls = _BY_STATUS.get(status, ValidationFailed if status == 400 else DomainError)
    return cls(code=name, fields=fields, section=section, params=params)
