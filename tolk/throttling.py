"""DRF throttles keyed on the real client address (`tolk.client`) and counted atomically.

DRF's own `SimpleRateThrottle` keys anonymous clients on `X-Forwarded-For` as the client sends it
and keeps a list of request times that it reads and writes back, so two workers (or two requests in
one) can both pass on the last free slot. Here each scope and client has one counter per window,
created with `add` and raised with `incr`: atomic in Redis (`REDIS_URL`, shared by every worker)
and in the in-memory cache of a single process.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from tolk.client import client_address

logger = logging.getLogger(__name__)


class ClientRateThrottle(ScopedRateThrottle):
    """`throttle_scope` on the view picks the rate from `DEFAULT_THROTTLE_RATES`; signed-in users
    are counted per user, everyone else per client address."""

    def get_rate(self) -> str:
        # Read the rates when asked (DRF binds them once at import), so a changed setting applies.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        if not rate:
            raise ImproperlyConfigured(f"No throttle rate for scope {self.scope!r}")
        return str(rate)

    def get_ident(self, request: Any) -> str:
        return client_address(request)

    def allow_request(self, request: Any, view: Any) -> bool:
        scope = getattr(view, self.scope_attr, None)
        if not scope:
            return True
        self.scope = scope
        self.rate = self.get_rate()
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return True
        self.num_requests, self.duration = num_requests, duration
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = time.time()
        window = int(now // duration)
        self.window_ends = (window + 1) * duration
        key = f"{self.key}:{window}"
        self.cache.add(key, 0, duration + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:
            # The key vanished (evicted, or the cache is down): count this request as the first.
            logger.warning("throttle counter unavailable for scope %s", self.scope)
            return True
        self.now = now
        return bool(count <= num_requests)

    def wait(self) -> float | None:
        return max(self.window_ends - self.now, 1.0)
