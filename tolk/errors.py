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

The older form with an inline pair (`message_nb=`, `message_en=`) still works for code that has not
moved to the catalogue yet. Tests compare codes, never the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Self

from django.utils import translation

from tolk.error_catalogue import ErrorEntry, entry
from tolk.i18n import BOKMAL, ENGLISH, Language, request_language

DATE_FORMATS: dict[str, str] = {BOKMAL: "%d.%m.%Y", ENGLISH: "%Y-%m-%d"}


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
    default_code = "invalid"

    def __init__(
        self,
        *,
        code: str | None = None,
        message_nb: str | None = None,
        message_en: str | None = None,
        section: str | None = None,
        fields: dict[str, Any] | None = None,
        status: int | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        """With `message_nb`/`message_en`: the inline pair, `code` as given. Without: `code` names
        a catalogue entry, whose code, message, section and status apply (`params` fill in its
        placeholders); `section` and `status` given here win over the entry's."""
        self.entry: ErrorEntry | None = None
        self.params: dict[str, object] = dict(params or {})
        if message_nb is None and message_en is None:
            if code is None:
                raise TypeError("a DomainError needs a catalogue code or message_nb/message_en")
            self.entry = entry(code)
            self.code = self.entry.code
            self.section = section if section is not None else self.entry.section
            status = status if status is not None else self.entry.status
        elif message_nb is None or message_en is None:
            raise TypeError("message_nb and message_en are given together")
        else:
            self.code = code or self.default_code
            self.section = section
        self._message_nb = message_nb
        self._message_en = message_en
        self.fields = fields or {}
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
        if self.entry is not None:
            return render_message(self.entry.message, self.params, language)
        return (self._message_en if language == ENGLISH else self._message_nb) or ""

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
    default_code = "invalid"


class PermissionDeniedError(DomainError):
    status_code = 403
    default_code = "permission_denied"


class NotFoundError(DomainError):
    status_code = 404
    default_code = "not_found"


class ConflictError(DomainError):
    status_code = 409
    default_code = "conflict"


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
