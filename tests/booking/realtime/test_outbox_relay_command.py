import pytest
from django.core.management import CommandError, call_command

from booking.models import Event
from tests.factories import InterpreterFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_run_jobs_relays_pending_events(capsys):
    interpreter = InterpreterFactory()
    Event.objects.create(kind="offer.created", payload={}, interpreter=interpreter)
    call_command("run_jobs", iterations=1)
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert "1 rounds, 1 events relayed, 0 offers expired" in capsys.readouterr().out


def test_run_jobs_survives_a_failing_expiry(capsys, monkeypatch):
    from booking.management.commands import run_jobs

    def broken():
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(run_jobs, "offers_expire_due", broken)
    call_command("run_jobs", iterations=2, interval=0.1)
    assert "2 rounds, 0 events relayed, 0 offers expired, 2 rounds with errors" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(("option", "value"), [("interval", 0), ("iterations", -1)])
def test_run_jobs_refuses_bad_options(option, value):
    with pytest.raises(CommandError):
        call_command("run_jobs", **{option: value})


# TOLK_OUTBOX_RELAY=jobs: only run_jobs processes send, woken by PostgreSQL NOTIFY --------------


@pytest.mark.postgres
def test_jobs_mode_leaves_sending_to_run_jobs_and_notifies_on_commit(settings):
    import asyncio

    from django.db import transaction

    from booking.realtime import relay as realtime
    from booking.realtime.outbox import event_record

    settings.TOLK_OUTBOX_RELAY = "jobs"
    assert asyncio.run(realtime.relay_start()) is None  # the web workers do not relay
    listener = realtime.OutboxListener()
    try:
        assert not listener.wait(0.05)
        interpreter = InterpreterFactory()
        with transaction.atomic():
            event_record(kind="offer.created", payload={}, interpreter_ids=[interpreter.id])
            assert not listener.wait(0.05), "nothing is announced before the commit"
        # Committed, but not sent by the committing process.
        assert Event.objects.filter(dispatched_at__isnull=True).count() == 1
        assert listener.wait(2.0)
        with pytest.raises(RuntimeError), transaction.atomic():
            event_record(kind="offer.created", payload={}, interpreter_ids=[interpreter.id])
            raise RuntimeError("rolled back")
        assert not listener.wait(0.2), "a rolled-back change wakes nobody"
    finally:
        listener.close()
    call_command("run_jobs", iterations=1)
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()


@pytest.mark.postgres
def test_run_jobs_in_jobs_mode_sends_as_soon_as_a_change_commits(settings, capsys):
    import threading
    import time

    from django.db import connection

    from booking.realtime.outbox import event_record

    settings.TOLK_OUTBOX_RELAY = "jobs"
    interpreter = InterpreterFactory()

    def change_later():
        time.sleep(0.5)
        event_record(kind="offer.created", payload={}, interpreter_ids=[interpreter.id])
        connection.close()

    thread = threading.Thread(target=change_later)
    started = time.monotonic()
    thread.start()
    # A long interval: only the notification can end the wait early.
    call_command("run_jobs", iterations=2, interval=30)
    thread.join()
    assert time.monotonic() - started < 10
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert "2 rounds, 1 events relayed" in capsys.readouterr().out


@pytest.mark.postgres
def test_listener_survives_a_lost_connection(settings):
    from booking.realtime import relay as realtime
    from booking.realtime.outbox import event_record

    settings.TOLK_OUTBOX_RELAY = "jobs"
    listener = realtime.OutboxListener()
    try:
        from django.db import connection

        with connection.cursor() as cursor:  # as when the database restarts
            cursor.execute("SELECT pg_terminate_backend(%s)", [listener._conn.info.backend_pid])
        assert listener.wait(0.05), "after a lost connection the caller looks for events anyway"
        assert listener.wait(0.05), "listening again: what may have been missed is looked for"
        event_record(kind="offer.created", payload={}, interpreter_ids=[InterpreterFactory().id])
        assert listener.wait(2.0), "listening again"
    finally:
        listener.close()
