import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from booking.models import Event
from booking.realtime.outbox import event_record
from booking.realtime.relay import outbox_dispatch_pending
from tests.factories import InterpreterFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """The claiming and ordering of the outbox, through the in-memory layer whatever REDIS_URL
    says: these tests listen from several short-lived event loops, which a Redis pub/sub
    subscription does not outlive. Delivery through Redis: test_realtime_redis.py."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _receive(layer, group):
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def _nothing_for(layer, channel):
    async def probe():
        try:
            await asyncio.wait_for(layer.receive(channel), timeout=0.3)
        except TimeoutError:
            return True
        return False

    return async_to_sync(probe)()


def test_event_record_delivers_on_commit_to_its_group_only():
    layer = get_channel_layer()
    a, b = InterpreterFactory(), InterpreterFactory()
    ch_a = _receive(layer, f"interpreter.{a.id}")
    ch_b = _receive(layer, f"interpreter.{b.id}")
    with transaction.atomic():
        event_record(kind="offer.created", payload={"offer_id": 1}, interpreter_ids=[a.id])
    message = async_to_sync(layer.receive)(ch_a)
    assert message["event"]["type"] == "offer.created"
    assert message["event"]["payload"] == {"offer_id": 1}
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert _nothing_for(layer, ch_b)


def test_failing_layer_leaves_events_pending_then_relay_sends(monkeypatch):
    layer = get_channel_layer()
    org = OrganisationFactory()
    channel = _receive(layer, f"organisation.{org.id}")

    async def broken(*args, **kwargs):
        raise ConnectionError("layer down")

    monkeypatch.setattr(layer, "group_send", broken)
    with transaction.atomic():
        event_record(kind="booking.changed", payload={"booking_id": 7}, organisation_ids=[org.id])
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 1
    monkeypatch.undo()
    assert outbox_dispatch_pending() == 1
    message = async_to_sync(layer.receive)(channel)
    assert message["event"]["payload"] == {"booking_id": 7}
    assert outbox_dispatch_pending() == 0


def test_one_dispatch_per_transaction_however_many_events(monkeypatch):
    from booking.realtime import relay as realtime

    calls = []
    monkeypatch.setattr(realtime, "outbox_dispatch_after_commit", lambda: calls.append(1))
    interpreters = [InterpreterFactory() for _ in range(5)]
    with transaction.atomic():
        for interpreter in interpreters:
            event_record(kind="offer.created", payload={}, interpreter_ids=[interpreter.id])
    assert calls == [1]


def test_event_after_a_rolled_back_savepoint_is_still_dispatched():
    layer = get_channel_layer()
    a, b = InterpreterFactory(), InterpreterFactory()
    channel = _receive(layer, f"interpreter.{b.id}")
    with transaction.atomic():
        try:
            with transaction.atomic():
                event_record(kind="offer.created", payload={"n": 1}, interpreter_ids=[a.id])
                raise RuntimeError("undo the inner change")
        except RuntimeError:
            pass
        event_record(kind="offer.created", payload={"n": 2}, interpreter_ids=[b.id])
    message = async_to_sync(layer.receive)(channel)
    assert message["event"]["payload"] == {"n": 2}
    assert list(Event.objects.values_list("payload", flat=True)) == [{"n": 2}]
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()


@pytest.mark.postgres
def test_audience_order_kept_while_another_process_holds_an_older_event():
    import threading

    layer = get_channel_layer()
    a, b = InterpreterFactory(), InterpreterFactory()
    first = Event.objects.create(kind="offer.created", payload={"n": 1}, interpreter=a)
    second = Event.objects.create(kind="offer.withdrawn", payload={"n": 2}, interpreter=a)
    other = Event.objects.create(kind="offer.created", payload={"n": 3}, interpreter=b)
    ch_a = _receive(layer, f"interpreter.{a.id}")
    ch_b = _receive(layer, f"interpreter.{b.id}")
    locked, release = threading.Event(), threading.Event()

    def other_process():
        from django.db import connection

        with transaction.atomic():
            list(Event.objects.select_for_update().filter(id=first.id))
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=other_process)
    holder.start()
    assert locked.wait(10)
    try:
        assert outbox_dispatch_pending() == 1  # only b's event; a's second waits for the first
        assert async_to_sync(layer.receive)(ch_b)["event"]["id"] == other.id
        second.refresh_from_db()
        assert second.dispatched_at is None
    finally:
        release.set()
        holder.join(10)
    assert outbox_dispatch_pending() == 2

    async def two():
        return [(await layer.receive(ch_a))["event"]["id"] for _ in range(2)]

    assert async_to_sync(two)() == [first.id, second.id]
