"""Delivery of outbox events to websocket clients through the channel layer.

Each event row has one audience and goes to one small group: `interpreter.<id>` or
`organisation.<id>`. An offer wave to 500 interpreters is 500 sends to 500 one-member groups, never
one send to a huge group (channels-redis drops messages in groups of a few hundred).

Rows are claimed inside a transaction (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, the
database write lock on SQLite) so several processes never send the same event; if the channel layer
fails or times out the transaction rolls back and the rows stay undispatched.

Two paths send events:
- after commit of the change (`booking.realtime.outbox.event_record` schedules
  `outbox_dispatch_after_commit`): inside a server process that runs the relay, the relay is
  woken and sends at once without holding up the request; elsewhere (management commands, tests)
  the events are sent synchronously;
- the relay, a background task in every server process (started by the ASGI lifespan, see
  `relay_lifespan`), which also sends whatever is still pending every few seconds – the events of a
  commit whose dispatch failed because the layer was down – expires due offers and, once a day,
  re-checks the coming weeks' assignments against the register
  (`booking.dispatch.services.recheck`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from booking.models import Event

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# Sends in flight at once towards the channel layer; a wave of offers is sent concurrently.
SEND_CONCURRENCY = 64
# A channel layer that hangs must not hold the claimed rows (and a request) for ever.
SEND_TIMEOUT_SECONDS = 10.0
DEFAULT_RELAY_INTERVAL_SECONDS = 2.0


def interpreter_group(interpreter_id: int) -> str:
    return f"interpreter.{interpreter_id}"


def organisation_group(organisation_id: int) -> str:
    return f"organisation.{organisation_id}"


def user_access_group(user_id: int) -> str:
    """Every open socket of one user: told to close when the user's access ends."""
    return f"access.user.{user_id}"


def token_access_group(token_key: str) -> str:
    """Every open socket opened with a ticket from one API token: told to close when it is revoked.
    `token_key` is knox's public part of the token (hex)."""
    return f"access.token.{token_key}"


def _audience_group(interpreter_id: int | None, organisation_id: int | None) -> str:
    if interpreter_id is not None:
        return interpreter_group(interpreter_id)
    if organisation_id is None:  # the event_has_one_audience constraint rules this out
        raise ValueError("an event without an audience")
    return organisation_group(organisation_id)


def event_group(event: Event) -> str:
    return _audience_group(event.interpreter_id, event.organisation_id)


def event_message(event: Event) -> dict[str, Any]:
    """The JSON object a websocket client receives for one event."""
    return {
        "id": event.id,
        "type": event.kind,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }


async def _send_all(layer: Any, events: list[Event]) -> None:
    """Send a batch: one audience's events one after the other in id order, different audiences
    concurrently (a wave of offers to hundreds of interpreters must not wait on each send)."""
    by_group: dict[str, list[Event]] = {}
    for event in events:
        by_group.setdefault(event_group(event), []).append(event)
    semaphore = asyncio.Semaphore(SEND_CONCURRENCY)

    async def send(group: str, group_events: list[Event]) -> None:
        async with semaphore:
            for event in group_events:
                await layer.group_send(
                    group, {"type": "outbox.event", "event": event_message(event)}
                )

    await asyncio.wait_for(
        asyncio.gather(*(send(group, evs) for group, evs in by_group.items())),
        timeout=SEND_TIMEOUT_SECONDS,
    )


def _held_back(events: list[Event]) -> set[int]:
    """Ids of claimed events to leave for a later round: their audience has an older event still
    pending that another process has claimed (rows we skipped as locked). Sending them now could
    show an interpreter `offer.withdrawn` before the `offer.created` it withdraws."""
    claimed = {e.id for e in events}
    interpreters = {e.interpreter_id for e in events if e.interpreter_id is not None}
    organisations = {e.organisation_id for e in events if e.organisation_id is not None}
    older = (
        Event.objects.filter(dispatched_at__isnull=True, id__lt=max(claimed))
        .filter(Q(interpreter_id__in=interpreters) | Q(organisation_id__in=organisations))
        .exclude(id__in=claimed)
        .values_list("id", "interpreter_id", "organisation_id")
    )
    first_blocked: dict[str, int] = {}
    for event_id, interpreter_id, organisation_id in older:
        group = _audience_group(interpreter_id, organisation_id)
        first_blocked[group] = min(event_id, first_blocked.get(group, event_id))
    return {
        e.id for e in events
        if e.id > first_blocked.get(event_group(e), e.id)
    }


def _dispatch_batch(layer: Any) -> tuple[int, int]:
    """Claim and send one batch; returns (claimed, sent)."""
    with transaction.atomic():
        queryset = Event.objects.filter(dispatched_at__isnull=True).order_by("id")
        concurrent = connection.features.has_select_for_update_skip_locked
        if concurrent:
            queryset = queryset.select_for_update(skip_locked=True)
        events = list(queryset[:BATCH_SIZE])
        if not events:
            return 0, 0
        if concurrent:
            held = _held_back(events)
            ready = [e for e in events if e.id not in held]
        else:
            ready = events
        if ready:
            async_to_sync(_send_all)(layer, ready)
            Event.objects.filter(id__in=[e.id for e in ready]).update(
                dispatched_at=timezone.now()
            )
    return len(events), len(ready)


def outbox_dispatch_pending() -> int:
    """Send every event not yet dispatched, in id order; returns how many were sent. Never raises:
    on failure the rows stay undispatched and a warning is logged."""
    layer = get_channel_layer()
    if layer is None:
        return 0
    sent = 0
    try:
        while True:
            claimed, count = _dispatch_batch(layer)
            sent += count
            if claimed < BATCH_SIZE or count == 0:
                break
    except Exception:
        logger.warning("outbox dispatch failed; events stay pending for the relay", exc_info=True)
    return sent


OUTBOX_CHANNEL = "tolk_outbox"


def relay_in_jobs() -> bool:
    """True when only `run_jobs` processes send events (TOLK_OUTBOX_RELAY=jobs, PostgreSQL)."""
    return (getattr(settings, "TOLK_OUTBOX_RELAY", "web") == "jobs"
            and connection.vendor == "postgresql")


def outbox_notify() -> None:
    """Inside the transaction that records events: PostgreSQL delivers the notification to the
    listening `run_jobs` processes when (and only if) the transaction commits."""
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {OUTBOX_CHANNEL}")


class OutboxListener:
    """`LISTEN tolk_outbox` on a PostgreSQL connection of its own: `run_jobs` sleeps in `wait`
    until a transaction that recorded events commits (or the timeout passes)."""

    def __init__(self) -> None:
        self._conn: Any = None
        self._connect()

    def _connect(self) -> None:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        self._conn = psycopg.connect(**params, autocommit=True)
        self._conn.execute(f"LISTEN {OUTBOX_CHANNEL}")

    def wait(self, timeout: float) -> bool:
        """True if events may have been recorded since the last call (all pending notices are
        taken). A lost connection (the database restarted) is opened again; until then this
        sleeps for `timeout` and answers True, so the caller looks for pending events anyway."""
        import psycopg

        try:
            if self._conn is None or self._conn.closed:
                self._connect()
                return True  # notices sent while nobody listened are gone
            woken = any(True for _ in self._conn.notifies(timeout=timeout, stop_after=1))
            # Several commits in a row are one wake-up: the next dispatch sends them all.
            woken |= any(True for _ in self._conn.notifies(timeout=0.001))
            return woken
        except psycopg.Error:
            logger.warning("outbox listener: connection lost; listening again", exc_info=True)
            self.close()
            time.sleep(timeout)
            return True

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


def outbox_dispatch_after_commit() -> None:
    """Called by `transaction.on_commit` after a change that recorded events."""
    if relay_in_jobs():
        return  # the NOTIFY sent with the commit wakes the run_jobs processes
    relay = _relay
    if relay is not None and relay.wake():
        return
    outbox_dispatch_pending()


# The periodic work the relay does besides sending events: offer expiry and the daily re-check.
# Both are booking services, which record events through the outbox and so sit above this module:
# they are registered when the app is ready (`booking.apps`), and this module imports no service.
_expire_offers: Callable[[], int] | None = None
_daily_recheck: Callable[[], object] | None = None


def relay_jobs_register(*, expire_offers: Callable[[], int],
                        daily_recheck: Callable[[], object]) -> None:
    """Give the relay (and `run_jobs`) the offer expiry and the daily re-check to run."""
    global _expire_offers, _daily_recheck
    _expire_offers, _daily_recheck = expire_offers, daily_recheck


def offers_expire_registered() -> int:
    """Expire due offers with the registered job; 0 before the app is ready."""
    if _expire_offers is None:
        logger.warning("relay: no offer expiry registered (is the booking app ready?)")
        return 0
    return _expire_offers()


def _offers_expire_due() -> int:
    expired = offers_expire_registered()
    daily_recheck_guarded()
    return expired


def daily_recheck_guarded() -> None:
    """The daily re-check of the coming weeks' assignments (once a day per installation, see
    `booking.dispatch.services.recheck.recheck_daily_due`), run where offers are expired. A
    failure is logged and tried again next round: it must not stop offer expiry or the relay."""
    if _daily_recheck is None:
        return
    try:
        _daily_recheck()
    except Exception:
        logger.warning("daily rules re-check failed; trying again next round", exc_info=True)


class Relay:
    """The background relay of one server process: sends pending outbox events when woken after a
    commit and at least every `interval` seconds, and expires due offers every `interval` seconds.
    Safe to run in every process: rows are claimed, offer expiry locks its rows."""

    def __init__(
        self,
        *,
        interval: float,
        dispatch: Callable[[], int] = outbox_dispatch_pending,
        expire: Callable[[], int] | None = _offers_expire_due,
    ) -> None:
        self.interval = interval
        # One thread of its own keeps one database connection across rounds: a dispatch woken
        # after a commit does not first open a connection.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tolk-relay")
        self._dispatch = self._in_thread(dispatch)
        self._expire = self._in_thread(expire) if expire else None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.rounds = 0
        self.sent = 0

    def _in_thread(self, func: Callable[[], int]) -> Callable[[], Awaitable[int]]:
        def run() -> int:
            _drop_broken_connections()
            return func()

        return sync_to_async(run, thread_sensitive=False, executor=self._executor)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = self._loop.create_task(self._run(), name="tolk-outbox-relay")

    async def stop(self) -> None:
        """Finish the step in progress (a dispatch holds claimed rows and a database transaction),
        then end; cancel only if it does not finish in time."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=SEND_TIMEOUT_SECONDS + 5)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._executor.shutdown(wait=False)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> bool:
        """Ask for a dispatch now; safe from any thread. False if the relay is not running."""
        loop, wake = self._loop, self._wake
        if not self.running or loop is None or wake is None or loop.is_closed():
            return False
        try:
            loop.call_soon_threadsafe(wake.set)
        except RuntimeError:
            return False
        return True

    async def _guarded(self, step: Callable[[], Awaitable[int]], what: str) -> int:
        try:
            return await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("relay: %s failed", what, exc_info=True)
            return 0

    async def _run(self) -> None:
        try:
            await self._rounds()
        finally:
            # The relay thread's connection lives in this task's context: close it from here.
            await sync_to_async(connections.close_all, thread_sensitive=False,
                                executor=self._executor)()

    async def _rounds(self) -> None:
        wake = self._wake or asyncio.Event()
        loop = asyncio.get_running_loop()
        next_expiry = loop.time()
        while not self._stopping:
            self.sent += await self._guarded(self._dispatch, "outbox dispatch")
            if self._expire is not None and loop.time() >= next_expiry:
                await self._guarded(self._expire, "offer expiry")
                next_expiry = loop.time() + self.interval
            self.rounds += 1
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=self.interval)
            wake.clear()


def _drop_broken_connections() -> None:
    """Close this thread's database connections that failed and are no longer usable (the
    database restarted); the next query opens a new one. Healthy ones stay open."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]:
            conn.close()
        elif conn.errors_occurred:
            if conn.is_usable():
                conn.errors_occurred = False
            else:
                conn.close()


_relay: Relay | None = None


def relay_interval() -> float:
    return float(getattr(settings, "TOLK_RELAY_INTERVAL_SECONDS", DEFAULT_RELAY_INTERVAL_SECONDS))


async def relay_start(*, interval: float | None = None, **kwargs: Any) -> Relay | None:
    """Start this process's relay (once). An interval of 0 disables it (e.g. when a separate
    `run_jobs` process does the work)."""
    global _relay
    interval = relay_interval() if interval is None else interval
    if interval <= 0 or relay_in_jobs():
        return None
    if _relay is not None and _relay.running:
        return _relay
    relay = Relay(interval=interval, **kwargs)
    relay.start()
    _relay = relay
    return relay


async def relay_stop() -> None:
    global _relay
    relay, _relay = _relay, None
    if relay is not None:
        await relay.stop()


async def relay_lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """ASGI lifespan handler: starts the relay with the server process and stops it on shutdown."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                await relay_start()
            except Exception as exc:
                logger.exception("relay could not start")
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await relay_stop()
            await send({"type": "lifespan.shutdown.complete"})
            return
