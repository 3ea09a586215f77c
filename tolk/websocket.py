"""Who may open a websocket, before any consumer runs.

Browsers send `Origin` with every websocket handshake and attach the site's cookies whatever page
opens the socket, so a socket that relies on the session cookie must come from an allowed origin
(cross-site websocket hijacking). Other clients (a phone app, a server) send no `Origin` and prove
who they are with a one-time ticket (`?ticket=`, from `POST /api/v1/auth/ws-ticket/`), which no
other site can read. So:

- an `Origin` that is not one of `ALLOWED_HOSTS` is refused (HTTP 403), ticket or not;
- no `Origin` with a `ticket` goes on, with any cookies removed, so that only the ticket can
  authenticate the socket;
- no `Origin` and no ticket is refused (HTTP 403)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.security.websocket import OriginValidator
from django.conf import settings


def _has_header(scope: dict[str, Any], name: bytes) -> bool:
    return any(key.lower() == name for key, _value in scope.get("headers", []))


def has_ticket(scope: dict[str, Any]) -> bool:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return any(value.strip() for value in query.get("ticket", []))


class TicketOrOriginValidator(OriginValidator):
    """Channels' origin check, except for ticket sockets from clients that send no `Origin`."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") == "websocket" and not _has_header(scope, b"origin") \
                and has_ticket(scope):
            headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"cookie"]
            return await self.application({**scope, "headers": headers}, receive, send)
        return await super().__call__(scope, receive, send)


def websocket_origin_validator(application: Any) -> TicketOrOriginValidator:
    """Like Channels' `AllowedHostsOriginValidator`: the allowed origins are `ALLOWED_HOSTS`."""
    allowed_hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    return TicketOrOriginValidator(application, allowed_hosts)
