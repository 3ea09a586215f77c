"""Delivery of outbox events to websocket clients through the channel layer.

Each event row has one audience and goes to one small group: `interpreter.<id>` or
`organisation.<id>`. Rows are claimed inside a transaction (`SELECT ... FOR UPDATE SKIP LOCKED` on
PostgreSQL, the database write lock on SQLite) so several workers never send the same event; if the
channel layer fails the transaction rolls back and the rows stay undispatched for the relay."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.utils import timezone

from booking.models import Event

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def interpreter_group(interpreter_id: int) -> str:
    return f"interpreter.{interpreter_id}"


def organisation_group(organisation_id: int) -> str:
    return f"organisation.{organisation_id}"


def event_group(event: Event) -> str:
    if event.interpreter_id is not None:
        return interpreter_group(event.interpreter_id)
    return organisation_group(event.organisation_id)


def event_message(event: Event) -> dict[str, Any]:
    """The JSON object a websocket client receives for one event."""
    return {
        "id": event.id,
        "type": event.kind,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }


async def _send_all(layer: Any, events: list[Event]) -> None:
    for event in events:
        await layer.group_send(
            event_group(event), {"type": "outbox.event", "event": event_message(event)}
        )


def _dispatch_batch(layer: Any) -> int:
    with transaction.atomic():
        queryset = Event.objects.filter(dispatched_at__isnull=True).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True)
        events = list(queryset[:BATCH_SIZE])
        if not events:
            return 0
        async_to_sync(_send_all)(layer, events)
        Event.objects.filter(id__in=[e.id for e in events]).update(dispatched_at=timezone.now())
    return len(events)


def outbox_dispatch_pending() -> int:
    """Send every event not yet dispatched, in id order; returns how many were sent. Never raises:
    on failure the rows stay undispatched and a warning is logged."""
    layer = get_channel_layer()
    if layer is None:
        return 0
    sent = 0
    try:
        while True:
            count = _dispatch_batch(layer)
            sent += count
            if count < BATCH_SIZE:
                break
    except Exception:
        logger.warning("outbox dispatch failed; events stay pending for the relay", exc_info=True)
    return sent
