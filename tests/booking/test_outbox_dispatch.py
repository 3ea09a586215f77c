import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from booking.models import Event
from booking.outbox import event_record
from booking.realtime import outbox_dispatch_pending
from tests.factories import InterpreterFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


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
    from booking import realtime

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
