"""Websocket consumers: authenticate, parse, call the same services as the REST API.

Routes (see `booking.realtime.routing`):
- `ws/interpreter/` – an interpreter's own stream: `offer.created`, `offer.withdrawn`,
  `assignment.changed`. The interpreter may send `offer.accept` and `offer.decline`.
- `ws/bookings/` – the stream of the user's organisation (bookers and coordinators):
  `booking.changed` and the other events addressed to the organisation.

Authentication: the session cookie (browsers) or `?ticket=` from `POST /api/v1/auth/ws-ticket/`
(used once, valid 30 s). Close codes: 4401 not authenticated, 4403 wrong role for the route,
4400 invalid `since` (all final); 4000 after MAX_CONNECTION_SECONDS: reconnect with `since`.

Every event is `{"id", "type", "payload", "created_at"}`; ids increase. `?since=ID` first replays
the events of the client's own stream it missed after ID, then live events follow. If more than
`REPLAY_LIMIT` events were missed the server sends `{"type": "resync"}` instead: reload through the
REST API and continue from the id of the next event.

Nothing is lost on an open socket either: the channel layer may drop a live message (a Redis
restart, a process that was not subscribed at that moment), so every `CATCH_UP_SECONDS` (more or
less) each server process reads the streams of all its open sockets from the outbox, in one query,
and each socket sends the events that were sent out more than `SETTLE_SECONDS` ago and never
reached it, in id order. Such an event comes late, never twice.

Client messages (JSON objects; `request_id`, a string or number, is echoed back if given):
- `{"type": "offer.accept", "offer_id": 12, "impartial": true, "confidentiality": true}` →
  `{"type": "offer.accept.result", "offer_id": 12, "status": "accepted", "assignment_id": 7,
  "booking_id": 3}`
- `{"type": "offer.decline", "offer_id": 12, "reason": "..."}` →
  `{"type": "offer.decline.result", "offer_id": 12, "status": "declined"}`
- a failure keeps the type of the result with `"status": "error"` and the same `code`, `detail`,
  `section` and `fields` as the REST endpoint returns; a message that cannot be understood gets
  `{"type": "error", "code": "invalid", ...}`. The socket stays open either way."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import re
import time
import weakref
from collections import deque
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from booking.accounts.selectors import SocketAccess, access_ended, access_token_alive
from booking.dispatch.services.offers import offer_accept, offer_decline
from booking.models import Event, Role, User, WebsocketTicket
from booking.realtime.relay import (
    event_message,
    interpreter_group,
    organisation_group,
    token_access_group,
    user_access_group,
)
from booking.rules import Declarations
from tolk import jsonparse
from tolk.api import exception_handler
from tolk.errors import DomainError

logger = logging.getLogger(__name__)

CLOSE_RECONNECT = 4000
CLOSE_INVALID = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

REPLAY_LIMIT = 1000
# channels-redis forgets group members after a day (group_expiry); a socket is closed with 4000
# well before, and the client reconnects with `since` and misses nothing.
MAX_CONNECTION_SECONDS = 6 * 60 * 60
# Ids this connection has sent, to drop a duplicate (a batch re-sent after a partial layer failure,
# or an event both replayed and delivered live).
SEEN_IDS = 2000
MAX_MESSAGE_BYTES = 8 * 1024
# Client messages: at most this many in any window of this many seconds.
MESSAGE_BURST = 20
MESSAGE_WINDOW_SECONDS = 10.0
# Catch-up from the outbox for an open socket (see the module text).
CATCH_UP_SECONDS = 15.0
SETTLE_SECONDS = 5.0
MAX_REASON_LENGTH = 500
ENVELOPE_KEYS = ("type", "offer_id", "request_id")
# Tickets are `secrets.token_urlsafe` strings.
TICKET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


@database_sync_to_async
def ticket_consume(key: str) -> WebsocketTicket | None:
    """Consume a one-time ticket atomically; returns it (with its user) or None. A ticket asked for
    with an API token is worth nothing once that token is revoked or expired."""
    if not TICKET_PATTERN.fullmatch(key):  # not a ticket we issue (a NUL would reach the database)
        return None
    now = timezone.now()
    with transaction.atomic():
        updated = WebsocketTicket.objects.filter(
            key=key, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if updated != 1:
            return None
        ticket = WebsocketTicket.objects.select_related("user").get(key=key)
    if not ticket.user.is_active:
        return None
    if ticket.token_key and not access_token_alive(ticket.token_key):
        return None
    return ticket


@database_sync_to_async
def events_since(*, field: str, audience_id: int, since: int) -> list[dict[str, Any]] | None:
    """The events of one stream a client that saw `since` has missed, in id order; None if there
    are more than REPLAY_LIMIT.

    Ids are handed out when a change writes its events, but changes commit (and are dispatched) in
    their own order, so an event with a smaller id can go out after `since` did. Those are replayed
    too (dispatched later than `since`, or not yet); the client drops ids it already has."""
    stream = Event.objects.filter(**{field: audience_id})
    late = Q()
    since_dispatched = (
        stream.filter(id=since).values_list("dispatched_at", flat=True).first() if since else None
    )
    if since_dispatched is not None:
        late = Q(id__lt=since) & (
            Q(dispatched_at__gt=since_dispatched) | Q(dispatched_at__isnull=True)
        )
    events = list(stream.filter(Q(id__gt=since) | late).order_by("id")[: REPLAY_LIMIT + 1])
    if len(events) > REPLAY_LIMIT:
        return None
    return [event_message(e) for e in events]


@database_sync_to_async
def stream_position(*, field: str, audience_id: int) -> int:
    """Where catch-up starts for a socket that opens now: before the oldest event of the stream
    still waiting to be sent, or else at the newest."""
    stream = Event.objects.filter(**{field: audience_id}).order_by("id")
    pending = stream.filter(dispatched_at__isnull=True).values_list("id", flat=True).first()
    if pending is not None:
        return pending - 1
    return stream.reverse().values_list("id", flat=True).first() or 0


Row = tuple[int, "dt.datetime | None", dict[str, Any]]
Audience = tuple[str, int]
# Streams per query in a catch-up round (SQLite limits how deep an expression may nest).
AUDIENCES_PER_QUERY = 200


@database_sync_to_async
def events_after_each(*, after: dict[Audience, int]) -> dict[Audience, list[Row]]:
    """For each stream (`("interpreter_id", 7)`: the field and the audience) the events with ids
    above its position, in id order, with when each was sent out. One query per
    AUDIENCES_PER_QUERY streams, on the (audience, id) indexes."""
    found: dict[Audience, list[Row]] = {key: [] for key in after}
    keys = sorted(after)
    for start in range(0, len(keys), AUDIENCES_PER_QUERY):
        where = Q()
        for field, audience_id in keys[start:start + AUDIENCES_PER_QUERY]:
            where |= Q(**{field: audience_id, "id__gt": after[(field, audience_id)]})
        for event in Event.objects.filter(where).order_by("id"):
            key = (("interpreter_id", event.interpreter_id) if event.interpreter_id is not None
                   else ("organisation_id", event.organisation_id))
            if key in found:
                found[key].append((event.id, event.dispatched_at, event_message(event)))
    return found


class CatchUp:
    """Catch-up rounds for every open socket of one server process (one event loop): each round
    reads the streams of all of them at once and lets each socket send what it has not had."""

    def __init__(self) -> None:
        self.sockets: set[OutboxConsumer] = set()
        self.task: asyncio.Future[None] | None = None

    def join(self, socket: OutboxConsumer) -> None:
        self.sockets.add(socket)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._rounds())

    def leave(self, socket: OutboxConsumer) -> None:
        self.sockets.discard(socket)

    async def _rounds(self) -> None:
        while self.sockets:
            await asyncio.sleep(CATCH_UP_SECONDS * random.uniform(0.75, 1.25))  # noqa: S311
            try:
                await self.round()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: try again next round
                logger.warning("websocket catch-up failed", exc_info=True)

    async def round(self) -> None:
        # The safety net for a close message the channel layer lost: sockets whose user, token or
        # session no longer grants access are closed first.
        ended = await access_ended([socket.access for socket in self.sockets])
        for socket in list(self.sockets):
            if socket.access in ended:
                await socket.access_end()
        sockets = list(self.sockets)
        after: dict[Audience, int] = {}
        for socket in sockets:
            key = (socket.audience_field, socket.audience)
            after[key] = min(after.get(key, socket.caught_up_to), socket.caught_up_to)
        if not after:
            return
        found = await events_after_each(after=after)
        settled = timezone.now() - dt.timedelta(seconds=SETTLE_SECONDS)
        for socket in sockets:
            if socket in self.sockets:  # not closed meanwhile
                await socket.catch_up(found[(socket.audience_field, socket.audience)], settled)


_catch_ups: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CatchUp] = (
    weakref.WeakKeyDictionary()
)


def catch_up_rounds() -> CatchUp:
    """This process's (this event loop's) catch-up rounds."""
    loop = asyncio.get_running_loop()
    rounds = _catch_ups.get(loop)
    if rounds is None:
        rounds = _catch_ups[loop] = CatchUp()
    return rounds


def scope_language(scope: dict[str, Any]) -> str:
    """The language the user chose (Django's language cookie) or the browser asks for."""
    headers = {
        k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
    }
    supported = {code for code, _name in settings.LANGUAGES}
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header only means "no preference"
        cookie = SimpleCookie()
    chosen = cookie.get(settings.LANGUAGE_COOKIE_NAME)
    candidates = [chosen.value] if chosen else []
    accepted = parse_accept_lang_header(headers.get("accept-language", ""))
    candidates += [lang for lang, _q in accepted]
    for candidate in candidates:
        base = candidate.lower().split("-")[0]
        if base in {"no", "nn"}:
            base = "nb"
        if base in supported:
            return base
    return settings.LANGUAGE_CODE


class MessageRejected(Exception):
    """A client message refused before any service: the catalogue error `name`
    (tolk.error_catalogue), rendered in the socket's language when it is sent."""

    def __init__(self, name: str, fields: dict[str, Any] | None = None,
                 **params: object) -> None:
        self.error = DomainError(code=name, fields=fields, params=params)
        super().__init__(self.error.code)

    @property
    def body(self) -> dict[str, Any]:
        return self.error.as_dict()


class OutboxConsumer(AsyncJsonWebsocketConsumer):
    roles: tuple[str, ...] = ()
    audience_field = ""

    def audience_id(self, user: Any) -> int | None:
        raise NotImplementedError

    def group_name(self, audience_id: int) -> str:
        raise NotImplementedError

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        """Client message types this route understands."""
        return {}

    async def connect(self) -> None:
        self.group: str | None = None
        self.language = scope_language(self.scope)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        user = self.scope.get("user")
        token_key, session_key = "", None
        if "ticket" in query:
            ticket = await ticket_consume(query["ticket"][0][:64])
            user, token_key = (ticket.user, ticket.token_key) if ticket else (None, "")
        elif self.scope.get("session") is not None:
            session_key = self.scope["session"].session_key
        if user is None or not user.is_authenticated:
            await self._refuse(CLOSE_UNAUTHENTICATED)
            return
        audience = self.audience_id(user) if user.role in self.roles else None
        if audience is None:
            await self._refuse(CLOSE_FORBIDDEN)
            return
        since_raw = query.get("since", [""])[0].strip()
        if since_raw and not (since_raw.isdigit() and len(since_raw) < 19):
            await self.accept()
            with translation.override(self.language):
                await self.send_json({
                    "type": "error",
                    **DomainError.of(
                        "socket_since_invalid",
                        fields={"since": [_("Enter a whole number 0 or greater.")]},
                    ).as_dict(),
                })
            await self.close(code=CLOSE_INVALID)
            return
        self.user = user
        self.sent_ids: set[int] = set()
        self.sent_order: deque[int] = deque()
        self.message_times: deque[float] = deque()
        group = self.group_name(audience)
        self.audience = audience
        # Catch-up covers every event from here on, read before joining so none falls in between.
        self.caught_up_to = (
            int(since_raw) if since_raw
            else await stream_position(field=self.audience_field, audience_id=audience)
        )
        # Join before accepting: once the client sees the socket open, every event committed from
        # then on reaches it. Join before reading the backlog too, so nothing committed in between
        # is missed; whatever arrives both ways is sent once.
        await self.channel_layer.group_add(group, self.channel_name)
        self.group = group
        # Told to close (4401) when the user's access or the token ends (booking.accounts.services).
        self.access = SocketAccess(user.pk, user.access_fingerprint(), token_key, session_key)
        self.access_groups = [user_access_group(user.pk)]
        if token_key:
            self.access_groups.append(token_access_group(token_key))
        for access_group in self.access_groups:
            await self.channel_layer.group_add(access_group, self.channel_name)
        # Access that ended between authenticating and joining would have missed its message.
        if await access_ended([self.access]):
            self.ended = True
            await self._refuse(CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        self.expiry = asyncio.get_running_loop().call_later(
            MAX_CONNECTION_SECONDS,
            lambda: asyncio.ensure_future(self.close(code=CLOSE_RECONNECT)),
        )
        if since_raw:
            missed = await events_since(
                field=self.audience_field, audience_id=audience, since=int(since_raw)
            )
            if missed is None:
                await self.send_json({"type": "resync", "limit": REPLAY_LIMIT})
            else:
                for message in missed:
                    await self._send_event(message)
        catch_up_rounds().join(self)

    async def _refuse(self, code: int) -> None:
        # Accept first: a close before accept becomes an HTTP 403 and the client never sees why.
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        expiry = getattr(self, "expiry", None)
        if expiry is not None:
            expiry.cancel()
        catch_up_rounds().leave(self)
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        for access_group in getattr(self, "access_groups", []):
            await self.channel_layer.group_discard(access_group, self.channel_name)

    async def access_revoked(self, event: dict[str, Any]) -> None:
        """Channel layer handler: the user's access or the token has ended."""
        await self.access_end()

    async def access_end(self) -> None:
        """Nothing more goes out on this socket; it is closed with 4401."""
        if getattr(self, "ended", False):
            return
        self.ended = True
        catch_up_rounds().leave(self)
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def _send_event(self, message: dict[str, Any]) -> None:
        if getattr(self, "ended", False):
            return
        event_id = message["id"]
        if event_id in self.sent_ids:
            return
        self.sent_ids.add(event_id)
        self.sent_order.append(event_id)
        if len(self.sent_order) > SEEN_IDS:
            self.sent_ids.discard(self.sent_order.popleft())
        await self.send_json(message)

    async def catch_up(self, rows: list[Row], settled: dt.datetime) -> None:
        """Send the events of this stream (`rows`, read for the whole process) sent out before
        `settled` that the socket has not had. An event not yet sent out (or only just) holds the
        position back, so it is looked at again next round."""
        rows = [row for row in rows if row[0] > self.caught_up_to]
        if len(rows) > REPLAY_LIMIT:
            await self.send_json({"type": "resync", "limit": REPLAY_LIMIT})
            self.caught_up_to = rows[-1][0]
            return
        position, held = self.caught_up_to, False
        for event_id, dispatched_at, message in rows:
            if dispatched_at is None or dispatched_at > settled:
                held = True
                continue
            await self._send_event(message)
            if not held:
                position = event_id
        self.caught_up_to = position

    async def outbox_event(self, event: dict[str, Any]) -> None:
        """Channel layer handler: one outbox event for this stream."""
        await self._send_event(event["event"])

    # -- client messages -------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if getattr(self, "group", None) is None or getattr(self, "ended", False):
            return
        with translation.override(self.language):
            try:
                message = self._parse(text_data, bytes_data)
                self._throttle()
            except MessageRejected as exc:
                await self.send_json({"type": "error", **exc.body})
                return
            handler = self.handlers().get(message["type"])
            if handler is None:
                await self.send_json({
                    "type": "error",
                    **DomainError.of(
                        "socket_unknown_type",
                        fields={"type": [_("Not a message this connection accepts.")]},
                    ).as_dict(),
                    **_echo(message),
                })
                return
            await handler(message)

    def _parse(self, text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
        if text_data is None:
            raise MessageRejected("socket_not_text")
        if len(text_data.encode()) > MAX_MESSAGE_BYTES:
            raise MessageRejected("socket_too_large")
        try:
            message = jsonparse.loads(text_data)
        except jsonparse.JSONTooDeep as exc:
            raise MessageRejected("socket_too_deep", limit=exc.limit) from None
        except jsonparse.JSONInvalidCharacter:
            raise MessageRejected("socket_invalid_character") from None
        except ValueError:
            raise MessageRejected("socket_not_json") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise MessageRejected("socket_not_object", {"type": [_("This field is required.")]})
        request_id = message.get("request_id")
        if request_id is not None and (
            isinstance(request_id, bool)
            or not isinstance(request_id, str | int)
            or len(str(request_id)) > 64
        ):
            raise MessageRejected(
                "socket_request_id_invalid", {"request_id": [_("At most 64 characters.")]}
            )
        return message

    def _throttle(self) -> None:
        now = time.monotonic()
        while self.message_times and now - self.message_times[0] > MESSAGE_WINDOW_SECONDS:
            self.message_times.popleft()
        if len(self.message_times) >= MESSAGE_BURST:
            raise MessageRejected("socket_throttled")
        self.message_times.append(now)

    async def call_service(
        self, *, result_type: str, message: dict[str, Any], call: Callable[[User], dict[str, Any]]
    ) -> None:
        """Run one service call for the connected user in a worker thread and reply with its result
        or with the error body the REST API would have returned."""
        reply: dict[str, Any] = {"type": result_type, **_echo(message)}
        try:
            result = await _run_for_user(self.user.pk, call)
        except Exception as exc:
            body = _error_as_rest(exc)
            if body is None:
                logger.exception("websocket %s failed", result_type)
                body = DomainError.of("socket_server_error").as_dict()
            await self.send_json({**reply, "status": "error", **body})
            return
        if result is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.send_json({**reply, **result})


@database_sync_to_async
def _run_for_user(user_id: int, call: Callable[[User], dict[str, Any]]) -> dict[str, Any] | None:
    # Read the user again: an account deactivated or unlinked since the socket opened gets nothing.
    user = User.objects.filter(pk=user_id, is_active=True).select_related("interpreter").first()
    if user is None:
        return None
    return call(user)


def _error_as_rest(exc: Exception) -> dict[str, Any] | None:
    response = exception_handler(exc, {})
    if response is None or not isinstance(response.data, dict) or "code" not in response.data:
        return None
    return dict(response.data)


def _echo(message: dict[str, Any]) -> dict[str, Any]:
    echoed = {}
    if "offer_id" in message:
        echoed["offer_id"] = message["offer_id"]
    if message.get("request_id") is not None:
        echoed["request_id"] = message["request_id"]
    return echoed


def _offer_id(message: dict[str, Any]) -> int:
    value = message.get("offer_id")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise MessageRejected(
            "socket_offer_id_invalid", {"offer_id": [_("Enter a whole number greater than 0.")]}
        )
    return value


class InterpreterConsumer(OutboxConsumer):
    roles = (Role.INTERPRETER,)
    audience_field = "interpreter_id"

    def audience_id(self, user: Any) -> int | None:
        return user.interpreter_id

    def group_name(self, audience_id: int) -> str:
        return interpreter_group(audience_id)

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {"offer.accept": self.offer_accept, "offer.decline": self.offer_decline}

    async def offer_accept(self, message: dict[str, Any]) -> None:
        result_type = "offer.accept.result"
        try:
            offer_id = _offer_id(message)
        except MessageRejected as exc:
            await self.send_json({"type": result_type, "status": "error", **exc.body,
                                  **_echo(message)})
            return
        data = {k: v for k, v in message.items() if k not in ENVELOPE_KEYS}

        def call(user: User) -> dict[str, Any]:
            declarations = Declarations.from_data(data)
            assignment = offer_accept(offer_id=offer_id, user=user, declarations=declarations)
            return {"status": "accepted", "assignment_id": assignment.pk,
                    "booking_id": assignment.booking_id}

        await self.call_service(result_type=result_type, message=message, call=call)

    async def offer_decline(self, message: dict[str, Any]) -> None:
        result_type = "offer.decline.result"
        try:
            offer_id = _offer_id(message)
            reason = message.get("reason", "")
            if not isinstance(reason, str) or len(reason) > MAX_REASON_LENGTH:
                raise MessageRejected(
                    "socket_reason_invalid",
                    {"reason": [_("At most 500 characters.")]},
                    limit=MAX_REASON_LENGTH,
                )
        except MessageRejected as exc:
            await self.send_json({"type": result_type, "status": "error", **exc.body,
                                  **_echo(message)})
            return

        def call(user: User) -> dict[str, Any]:
            offer_decline(offer_id=offer_id, user=user, reason=reason.strip())
            return {"status": "declined"}

        await self.call_service(result_type=result_type, message=message, call=call)


class BookingsConsumer(OutboxConsumer):
    roles = (Role.BOOKER, Role.COORDINATOR)
    audience_field = "organisation_id"

    def audience_id(self, user: Any) -> int | None:
        return user.organisation_id

    def group_name(self, audience_id: int) -> str:
        return organisation_group(audience_id)
