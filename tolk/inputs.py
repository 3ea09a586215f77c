"""Checks on what every request carries, before any view reads it."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse

from tolk.errors import DomainError


def _has_nul(request: HttpRequest) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class NulCharacterMiddleware:
    """A NUL character in the query string is refused: no parameter of Tolk can hold one, and
    PostgreSQL cannot even compare text with it (a search for it would be a database error).
    Under /api/ the answer is 400 `invalid_character` in the error shape; pages get the 400
    page. Bodies are checked where they are read (`tolk.jsonparse`, the forms' own
    validation)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    DomainError.of("request_invalid_character").as_dict(), status=400
                )
            raise BadRequest("NUL character in the query string")
        return self.get_response(request)
