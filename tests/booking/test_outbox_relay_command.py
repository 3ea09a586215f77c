import pytest
from django.core.management import call_command

from booking.models import Event
from tests.factories import InterpreterFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_run_jobs_relays_pending_events(capsys):
    interpreter = InterpreterFactory()
    Event.objects.create(kind="offer.created", payload={}, interpreter=interpreter)
    call_command("run_jobs", iterations=1)
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert "1 events relayed" in capsys.readouterr().out
