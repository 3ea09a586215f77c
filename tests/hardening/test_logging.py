"""No personal data of interpreters (and no secrets) reaches the logs, whatever code logs it."""

from __future__ import annotations

import copy
import io
import logging
import logging.config
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from booking.models import Interpreter
from tests import factories
from tolk.logging import PersonalDataFilter, mask_text

NAME, FAMILY = "Amina", "Haddadi-Solberg"
EMAIL, PHONE = "amina.haddadi@example.no", "+47 912 34 567"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """The project's LOGGING configuration, writing to a buffer instead of stderr."""
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    for handler in config["handlers"].values():
        handler["stream"] = stream
    config["root"]["level"] = "DEBUG"
    names = ["", "uvicorn.access", "uvicorn.error", "django", "django.server",
             "django.db.backends", "django.request"]
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level,
                 logging.getLogger(n).propagate) for n in names}
    logging.config.dictConfig(config)
    try:
        yield stream
    finally:
        for n, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(n)
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate


@pytest.fixture
def person(db: None) -> Interpreter:
    return factories.InterpreterFactory(
        given_name=NAME, family_name=FAMILY, email=EMAIL, phone=PHONE, register_number="770123"
    )


def _assert_clean(text: str) -> None:
    for secret in (NAME, FAMILY, EMAIL, "912 34 567", "91234567", "770123"):
        assert secret not in text, f"{secret!r} leaked into: {text}"


def test_every_configured_handler_has_the_filter() -> None:
    for name, handler in settings.LOGGING["handlers"].items():
        assert "personal_data" in handler.get("filters", []), name
    loggers = settings.LOGGING.get("loggers", {})
    assert {"uvicorn.access", "uvicorn.error", "django"} <= set(loggers)
    for name, logger in loggers.items():
        assert logger.get("propagate", True) or logger.get("handlers"), name


def test_model_instances_and_mapping_arguments_are_scrubbed(
    log_output: io.StringIO, person: Interpreter
) -> None:
    log = logging.getLogger("booking.dispatch.services")
    log.warning("offer sent to %s", person)
    log.warning("payload %s", {"given_name": NAME, "email": EMAIL, "nested": {"phone": PHONE},
                               "language": "ara"})
    log.warning("%(who)s accepted", {"who": person})
    output = log_output.getvalue()
    _assert_clean(output)
    assert f"Interpreter#{person.pk}" in output
    assert "'language': 'ara'" in output


def test_preformatted_messages_have_contact_details_masked(log_output: io.StringIO) -> None:
    log = logging.getLogger("frontend")
    log.error(f"could not notify {EMAIL} on {PHONE} or 91234567")  # noqa: G004
    log.error("fnr 01017012345 in a free-text field")
    output = log_output.getvalue()
    _assert_clean(output)
    assert "01017012345" not in output
    # Dates, times and amounts stay readable.
    log.error("booking 2027-01-14 09:30 cost 1250.00 NOK, org 974760673")
    assert "2027-01-14 09:30 cost 1250.00 NOK, org 974760673" in log_output.getvalue()


def test_access_log_hides_secrets_in_urls(log_output: io.StringIO) -> None:
    access = logging.getLogger("uvicorn.access")
    access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.5:5123", "GET",
                "/api/v1/me/calendar.ics?token=s3cr3t-calendar-token&x=1", "1.1", 200)
    access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.5:5124", "GET",
                "/ws/interpreter/?ticket=one-time-ticket-abc&since=4", "1.1", 101)
    access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.5:5125", "GET",
                "/api/v1/interpreters/770123/card", "1.1", 200)
    logging.getLogger("django.request").warning("Authorization: Token 9944b09199c62bcf9418ad846")
    output = log_output.getvalue()
    for secret in ("s3cr3t-calendar-token", "one-time-ticket-abc", "770123",
                   "9944b09199c62bcf9418ad846"):
        assert secret not in output
    assert "since=4" in output and "x=1" in output


def test_database_error_details_are_masked(
    log_output: io.StringIO, person: Interpreter
) -> None:
    try:
        with transaction.atomic():
            Interpreter.objects.create(
                register_number=person.register_number, given_name=NAME, family_name=FAMILY,
                gender="female", municipality="0301", availability="full_time", email=EMAIL,
            )
    except IntegrityError:
        logging.getLogger("booking").exception("could not save %s", EMAIL)
    output = log_output.getvalue()
    assert "Traceback" in output and "IntegrityError" in output
    _assert_clean(output)


def test_sql_query_log_has_no_values(log_output: io.StringIO, db: None) -> None:
    logging.getLogger("django.db.backends").setLevel(logging.DEBUG)
    with CaptureQueriesContext(connection):
        factories.InterpreterFactory(given_name=NAME, family_name=FAMILY, email=EMAIL,
                                     phone=PHONE, register_number="770123")
        list(Interpreter.objects.filter(email=EMAIL))
    output = log_output.getvalue()
    assert "INSERT INTO" in output and "SELECT" in output
    _assert_clean(output)


def test_filter_never_breaks_logging() -> None:
    class Exploding:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s", (Exploding(),), None)
    assert PersonalDataFilter().filter(record) is True
    assert isinstance(record.getMessage(), str)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail ola@nordmann.no now", "mail [redacted] now"),
        ("tlf 22 33 44 55", "tlf [redacted]"),
        ("/api/v1/me/calendar.ics?token=abc", "/api/v1/me/calendar.ics?token=[redacted]"),
        ("/card/770123/", "/card/[redacted]/"),
        ("/api/v1/interpreters/?language=ara", "/api/v1/interpreters/?language=ara"),
        ("booking 42 at 09:30:00", "booking 42 at 09:30:00"),
    ],
)
def test_mask_text(text: str, expected: str) -> None:
    assert mask_text(text) == expected
