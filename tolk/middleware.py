"""HTTP hardening that applies to every request: a content security policy with a per-request
nonce and a clear 503 instead of a 500 page when the database is unreachable. Failed logins are
limited by django-axes (`tolk.lockout`), other requests by `tolk.throttling`."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from tolk.errors import DomainError

logger = logging.getLogger(__name__)

CSP_HEADER = "Content-Security-Policy"
CSP_REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"

# Inline styles are allowed because Swagger UI and the Django admin set style attributes from
# script; scripts never run inline unless they carry the request's nonce.
DEFAULT_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "{nonce}"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", "{websocket}"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def csp_header_value(request: HttpRequest, nonce: str) -> str:
    """The policy for one response. `TOLK_CSP` (a dict of directive → sources) replaces the default;
    `{nonce}` and `{websocket}` are filled in per request."""
    policy: dict[str, list[str]] = getattr(settings, "TOLK_CSP", None) or DEFAULT_CSP
    scheme = "wss" if request.is_secure() else "ws"
    try:
        host = request.get_host()
    except Exception:  # noqa: BLE001 - a disallowed host still gets a policy, just no ws source
        host = ""
    # Browsers compare the default port loosely; a proxy that forwards `host:80` must not pin it.
    host = host.removesuffix(":80").removesuffix(":443")
    websocket = f"{scheme}://{host}" if host else ""
    parts = []
    for directive, sources in policy.items():
        filled = [
            s.replace("{nonce}", f"'nonce-{nonce}'").replace("{websocket}", websocket)
            for s in sources
        ]
        filled = [s for s in filled if s]
        parts.append(" ".join([directive, *filled]) if filled else directive)
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Sets `request.csp_nonce` (use it as `<script nonce="{{ request.csp_nonce }}">`) and adds the
    policy header to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        header = (
            CSP_REPORT_ONLY_HEADER if getattr(settings, "TOLK_CSP_REPORT_ONLY", False)
            else CSP_HEADER
        )
        if header not in response:
            response[header] = csp_header_value(request, nonce)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class ApiErrorShapeMiddleware:
    """Under /api/ every error is JSON in the one error shape, also when Django answers before
    reaching a view (an URL that matches no route, a request too large, a server error page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and "json" not in response.get("Content-Type", "")
        ):
            name = {
                404: "not_found",
                405: "method_not_allowed",
                413: "too_large",
                429: "throttled",
                503: "service_unavailable",
            }.get(response.status_code,
                  "invalid_request" if response.status_code < 500 else "server_error")
            replacement = JsonResponse(
                DomainError.of(name).as_dict(), status=response.status_code
            )
            for header in ("Retry-After", "Allow"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response


class DatabaseUnavailableMiddleware:
    """Outside the API (web pages, admin) a lost database connection becomes a 503 with
    Retry-After, like the API's exception handler does, instead of a 500 error page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.warning("database unavailable: %s", type(exc).__name__)
        error = DomainError.of("service_unavailable")
        if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
            response: HttpResponse = JsonResponse(error.as_dict(), status=503)
        else:
            response = HttpResponse(error.detail, status=503,
                                    content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response
