"""Domain errors: a stable code, the law's section where one applies, a message in both languages.

Services raise these; `tolk.api.exception_handler` (REST) and the websocket consumers turn them into
`{"code", "detail", "section", "fields"}`. Tests compare codes, never the text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        *,
        code: str | None = None,
        message_nb: str,
        message_en: str,
        section: str | None = None,
        fields: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message_nb = message_nb
        self.message_en = message_en
        self.section = section
        self.fields = fields or {}
        if status is not None:
            self.status_code = status
        super().__init__(f"{self.code}: {message_en}")

    @property
    def detail(self) -> str:
        return self.message_en if (get_language() or "nb").startswith("en") else self.message_nb

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


class ServiceUnavailableError(DomainError):
    status_code = 503
    default_code = "service_unavailable"
