"""HTTP hardening that applies to every request: a content security policy with a per-request
nonce, throttling of failed logins on the web login pages, and a clear 503 instead of a 500 page
when the database is unreachable."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

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
            code, detail = {
                404: ("not_found", _("Not found.")),
                405: ("method_not_allowed", _("Method not allowed.")),
                413: ("too_large", _("The request is too large.")),
                429: ("throttled", _("Too many requests.")),
                503: ("service_unavailable",
                      _("The service is temporarily unavailable. Try again shortly.")),
            }.get(response.status_code, (
                "invalid" if response.status_code < 500 else "server_error",
                _("The request is not valid.") if response.status_code < 500
                else _("Something went wrong on our side."),
            ))
            replacement = JsonResponse(
                {"code": code, "detail": str(detail), "section": None, "fields": {}},
                status=response.status_code,
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
        detail = _("The service is temporarily unavailable. Try again shortly.")
        if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
            response: HttpResponse = JsonResponse(
                {"code": "service_unavailable", "detail": detail, "section": None, "fields": {}},
                status=503,
            )
        else:
            response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response



def _client_address(request: HttpRequest) -> str:
    # Behind the production proxy (which appends the client to X-Forwarded-For) the last hop is the
    # address it saw; without a proxy the header is the client's own word and is ignored.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _login_failure_key(address: str) -> str:
    return f"tolk:login-failures:{address}"


def _login_rate() -> tuple[int, int]:
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    # Same format as DRF's throttle rates: "10/min", "100/hour".
    count, _sep, period = (rates.get("login") or "10/min").partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(period[:1], 60)
    return max(int(count), 1), seconds


def login_failed_recorder(sender: object, credentials: dict, request: HttpRequest | None = None,
                          **kwargs: object) -> None:
    """`user_login_failed` receiver: remember the failed attempt for the client's address."""
    if request is None or not hasattr(request, "META"):
        return
    _allowed, window = _login_rate()
    key = _login_failure_key(_client_address(request))
    now = time.time()
    history = [t for t in cache.get(key, []) if t > now - window]
    history.append(now)
    cache.set(key, history, window)


class LoginThrottleMiddleware:
    """Limits password guessing through the web login pages (the site login and the admin login):
    after as many failed attempts from one address as the `login` throttle rate allows (the rate of
    `POST /api/v1/auth/token/`), further login posts get 429 until the window has passed.
    Successful logins do not count, so an office behind one address is not locked out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        user_login_failed.connect(login_failed_recorder, dispatch_uid="tolk-login-failures")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in self._login_paths():
            allowed, window = _login_rate()
            now = time.time()
            history = [
                t for t in cache.get(_login_failure_key(_client_address(request)), [])
                if t > now - window
            ]
            if len(history) >= allowed:
                wait = max(int(history[0] + window - now) + 1, 1)
                logger.warning("login attempts throttled for one client")
                response = HttpResponse(
                    _("Too many failed login attempts. Try again in %(seconds)s seconds.")
                    % {"seconds": wait},
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)

    @staticmethod
    def _login_paths() -> set[str]:
        return {resolve_url(settings.LOGIN_URL), "/admin/login/"}
