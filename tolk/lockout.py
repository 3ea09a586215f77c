"""The login lockout (django-axes): how a locked-out login is answered, and the Redis-backed
handler that keeps logins working when Redis is down.

A username or client address that reached `AXES_FAILURE_LIMIT` failed logins is locked out for
`AXES_COOLOFF_TIME`, whichever address or username the next attempt comes with. The answer is 429
with `Retry-After`: the error shape under `/api/`, a short page elsewhere (web and admin login).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from axes.handlers.cache import AxesCacheHandler
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from redis.exceptions import RedisError

from tolk.client import client_address
from tolk.errors import DomainError

logger = logging.getLogger(__name__)


def retry_after_seconds() -> int:
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    return max(math.ceil(cool_off.total_seconds()), 1) if cool_off else 3600


def lockout_body() -> dict[str, Any]:
    minutes = max(retry_after_seconds() // 60, 1)
    return DomainError.of("login_locked", minutes=minutes).as_dict()


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """`AXES_LOCKOUT_CALLABLE` (axes calls it with or without the original response)."""
    logger.warning("login locked out for one client (%s)", client_address(request))
    body = lockout_body()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(body, status=429)
    else:
        response = HttpResponse(body["detail"], status=429,
                                content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after_seconds())
    return response


class SharedCacheHandler(AxesCacheHandler):
    """Axes' cache handler (Redis: `add` and `incr`, atomic, shared by every worker), except that a
    Redis outage only pauses the counting (logged) instead of failing the login with a 500."""

    def user_login_failed(self, sender: Any, credentials: dict[str, Any],
                          request: Any = None, **kwargs: Any) -> None:
        try:
            super().user_login_failed(sender, credentials, request, **kwargs)
        except (ValueError, RedisError):
            logger.warning("login failure not counted: the cache is unavailable")

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        try:
            super().user_logged_in(sender, request, user, **kwargs)
        except (ValueError, RedisError):
            logger.warning("login not recorded: the cache is unavailable")
