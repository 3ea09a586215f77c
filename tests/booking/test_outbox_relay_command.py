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
