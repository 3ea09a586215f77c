"""Error pages in the house style (handler403/404/500). Under /api/ the same errors are JSON in the
API's error shape, so a client never gets an HTML page from the API."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"code": code, "detail": detail, "section": None, "fields": {}}, status=status
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error("not_found", _("Not found."), 404)
    body = loader.render_to_string("frontend/errors/404.html", {}, request)
    return HttpResponse(body, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(
            "permission_denied", _("You do not have permission to perform this action."), 403
        )
    body = loader.render_to_string("frontend/errors/403.html", {}, request)
    return HttpResponse(body, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error("bad_request", _("The request could not be understood."), 400)
    body = loader.render_to_string("frontend/errors/400.html", {}, request)
    return HttpResponse(body, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request context: whatever broke (often the database) must not break
    the error page too."""
    if _is_api(request):
        return _api_error("server_error", _("Something went wrong on our side. Try again."), 500)
    body: str
    try:
        body = loader.render_to_string("frontend/errors/500.html", {})
    except Exception:  # the page of last resort must always answer
        logger.exception("the 500 page could not be rendered")
        body = "<!DOCTYPE html><html lang=\"nb\"><title>Feil</title><h1>Noe gikk galt</h1></html>"
    return HttpResponse(body, status=500)

