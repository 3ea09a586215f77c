"""Writing events to the outbox. Call `event_record` inside the transaction that makes the change;
the rows commit or roll back with it, and delivery to websocket clients happens after commit
(`booking.realtime.relay.outbox_dispatch_pending`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from booking.models import Event
from booking.realtime import relay


def event_record(
    *,
    kind: str,
    payload: dict[str, Any],
    interpreter_ids: Iterable[int] = (),
    organisation_ids: Iterable[int] = (),
) -> list[Event]:
    """Store one event per audience (each interpreter, each organisation) and schedule delivery
    after commit. `payload` must be JSON-serialisable and must never hold data about the person
    receiving interpretation."""
    rows = [
        Event(kind=kind, payload=payload, interpreter_id=i)
        for i in dict.fromkeys(interpreter_ids)
    ]
    rows += [
        Event(kind=kind, payload=payload, organisation_id=o)
        for o in dict.fromkeys(organisation_ids)
    ]
    if not rows:
        return []
    created = Event.objects.bulk_create(rows)
    _dispatch_on_commit()
    return created


def _dispatch_on_commit() -> None:
    # One dispatch per transaction is enough: it sends every pending row. A wave of 100 offers
    # records 100 events and would otherwise run 100 dispatches after commit. A callback
    # registered inside a savepoint that rolls back is dropped with it, and a later event
    # registers again.
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        hook[1] is _dispatch_after_commit for hook in connection.run_on_commit
    ):
        return
    transaction.on_commit(_dispatch_after_commit)
    if relay.relay_in_jobs():
        relay.outbox_notify()


def _dispatch_after_commit() -> None:
    relay.outbox_dispatch_after_commit()
