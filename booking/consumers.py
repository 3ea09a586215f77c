"""Websocket consumers. Close codes: 4401 = not authenticated, 4403 = wrong role for the route.
A client may pass `?since=ID` to first receive every event of its own stream with id > ID."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import transaction
from django.utils import timezone

from booking.models import Event, Role, WebsocketTicket
from booking.realtime import event_message, interpreter_group, organisation_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


@database_sync_to_async
def ticket_consume(key: str) -> Any:
    """Consume a one-time ticket atomically; returns its user or None."""
    now = timezone.now()
    with transaction.atomic():
        updated = WebsocketTicket.objects.filter(
            key=key, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if updated != 1:
            return None
        ticket = WebsocketTicket.objects.select_related("user").get(key=key)
    user = ticket.user
    return user if user.is_active else None


@database_sync_to_async
def events_since(*, field: str, audience_id: int, since: int) -> list[dict[str, Any]]:
    return [
        event_message(e)
        for e in Event.objects.filter(**{field: audience_id}, id__gt=since).order_by("id")
    ]


class OutboxConsumer(AsyncJsonWebsocketConsumer):
    roles: tuple[str, ...] = ()
    audience_field = ""

    def audience_id(self, user: Any) -> int | None:
        raise NotImplementedError

    def group_name(self, audience_id: int) -> str:
        raise NotImplementedError

    async def connect(self) -> None:
        await self.accept()
        query = parse_qs(self.scope.get("query_string", b"").decode())
        user = self.scope.get("user")
        if "ticket" in query:
            user = await ticket_consume(query["ticket"][0][:64])
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        audience = self.audience_id(user) if user.role in self.roles else None
        if audience is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        self.group = self.group_name(audience)
        self.last_id = 0
        self.replaying = True
        self.buffer: list[dict[str, Any]] = []
        await self.channel_layer.group_add(self.group, self.channel_name)
        since_raw = query.get("since", [""])[0]
        if since_raw.isdigit():
            for message in await events_since(
                field=self.audience_field, audience_id=audience, since=int(since_raw)
            ):
                await self._send_event(message)
        self.replaying = False
        for message in self.buffer:
            await self._send_event(message)
        self.buffer = []

    async def _send_event(self, message: dict[str, Any]) -> None:
        if message["id"] <= self.last_id:
            return
        self.last_id = message["id"]
        await self.send_json(message)

    async def outbox_event(self, event: dict[str, Any]) -> None:
        if self.replaying:
            self.buffer.append(event["event"])
            return
        await self._send_event(event["event"])

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)


class InterpreterConsumer(OutboxConsumer):
    roles = (Role.INTERPRETER,)
    audience_field = "interpreter_id"

    def audience_id(self, user: Any) -> int | None:
        return user.interpreter_id

    def group_name(self, audience_id: int) -> str:
        return interpreter_group(audience_id)


class BookingsConsumer(OutboxConsumer):
    roles = (Role.BOOKER, Role.COORDINATOR)
    audience_field = "organisation_id"

    def audience_id(self, user: Any) -> int | None:
        return user.organisation_id

    def group_name(self, audience_id: int) -> str:
        return organisation_group(audience_id)
