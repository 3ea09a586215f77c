"""Error pages in the house style (handler403/404/500). Under /api/ the same errors are JSON in the
API's error shape, so a client never gets an HTML page from the API."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from tolk.errors import DomainError

logger = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(name: str) -> JsonResponse:
    """The catalogue error `name` (tolk.error_catalogue) in the API's error shape."""
    error = DomainError.of(name)
    return JsonResponse(error.as_dict(), status=error.status_code)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error("not_found")
    body = loader.render_to_string("frontend/errors/404.html", {}, request)
    return HttpResponse(body, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error("permission_denied")
    body = loader.render_to_string("frontend/errors/403.html", {}, request)
    return HttpResponse(body, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error("bad_request")
    body = loader.render_to_string("frontend/errors/400.html", {}, request)
    return HttpResponse(body, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request context: whatever broke (often the database) must not break
    the error page too."""
    if _is_api(request):
        return _api_error("server_error_try_again")
    body: str
    try:
        body = loader.render_to_string("frontend/errors/500.html", {})
    except Exception:  # the page of last resort must always answer
        logger.exception("the 500 page could not be rendered")
        body = "<!DOCTYPE html><html lang=\"nb\"><title>Feil</title><h1>Noe gikk galt</h1></html>"
    return HttpResponse(body, status=500)

