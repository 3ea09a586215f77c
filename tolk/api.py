"""API plumbing shared by every app: pagination and the single error format."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from tolk.csvimport import FileKind, max_bytes, max_megabytes
from tolk.db import conflict_for, constraint_name
from tolk.errors import DomainError, ValidationFailed

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def require_upload_size(upload: Any, *, kind: FileKind) -> None:
    """An uploaded file larger than its kind's `TOLK_IMPORT_MAX_BYTES` is refused before it is
    read."""
    if upload.size > max_bytes(kind):
        raise ValidationFailed.of(
            "file_too_large", megabytes=max_megabytes(kind), fields={"file": ["file_too_large"]}
        )


def _codes_to_text(detail: Any) -> Any:
    if isinstance(detail, list):
        return [_codes_to_text(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _codes_to_text(value) for key, value in detail.items()}
    return str(detail)


def error_body(*, code: str, detail: str, section: str | None = None,
               fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "detail": detail, "section": section, "fields": fields or {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error the API returns has the same shape: code, detail, section, fields."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", type(exc).__name__)
        return Response(
            DomainError.of("service_unavailable").as_dict(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DatabaseError):
        set_rollback()
        conflict = conflict_for(exc)
        if conflict is not None:
            return Response(conflict.as_dict(), status=conflict.status_code)
        # Not a conflict a client can cause: a bug, logged with its traceback.
        logger.error("database error (constraint %s)", constraint_name(exc) or "unknown",
                     exc_info=exc)
        return Response(
            DomainError.of("server_error").as_dict(),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields: dict[str, Any] = {}
        message = DomainError.of("invalid_request").detail
        if isinstance(detail, dict):
            fields = _codes_to_text(detail)
            non_field = fields.pop("non_field_errors", None)
            if non_field:
                message = " ".join(non_field) if isinstance(non_field, list) else str(non_field)
        elif isinstance(detail, list):
            message = " ".join(str(item) for item in detail)
        response.data = error_body(code="invalid", detail=message, fields=fields)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(code=str(code), detail=str(exc.detail))
    return response
