"""Register changes, guideline changes and time reach the offers and assignments already handed
out (tolkeloven §§ 7, 9, 10, 17, 21): what no longer passes the rules on the assignment's date is
withdrawn or reopened and offered again, with the rule code in the audit trail and outbox events.
These run on SQLite and, with DATABASE_URL set, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.dispatch.selectors import candidate_explain
from booking.dispatch.services import recheck
from booking.dispatch.services.guidelines import guideline_publish_rechecked
from booking.dispatch.services.offers import offer_accept, offers_send_wave
from booking.dispatch.services.recheck import recheck_daily_due, recheck_upcoming
from booking.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    Booking,
    BookingStatus,
    DailyJobRun,
    Event,
    Interpreter,
    Offer,
    OfferStatus,
    Qualification,
    RegisterImport,
    User,
)
from booking.register.services import REGISTER_COLUMNS, RegisterImportResult, register_import
from booking.rules import TL7_QUALIFIED, TL9_GUIDELINES, TL10_POLICE_CERT, Declarations
from tests import factories
from tests.booking.booking_helpers import AFTER_CUTOFF, NOW, OSLO, World, book, world

pytestmark = pytest.mark.django_db
YES = Declarations(impartial=True, confidentiality=True)
JOB_DAY = AFTER_CUTOFF.date()  # 2027-01-04


@pytest.fixture(autouse=True)
def _fresh_daily_memory() -> Iterator[None]:
    recheck._done_day = None
    yield
    recheck._done_day = None


def person(category: str = "A", *, police: dt.date | None = dt.date(2027, 6, 30),
           valid_to: dt.date | None = None) -> User:
    interpreter = factories.InterpreterFactory(police_certificate_valid_until=police)
    factories.QualificationFactory(interpreter=interpreter, language="ara", category=category,
                                   valid_to=valid_to)
    return factories.InterpreterUserFactory(interpreter=interpreter)


def csv_row(interpreter: Interpreter, **overrides: str) -> str:
    entry = interpreter.qualifications.get(language="ara")
    police = interpreter.police_certificate_valid_until
    values = {
        "register_number": interpreter.register_number,
        "given_name": interpreter.given_name,
        "family_name": interpreter.family_name,
        "gender": interpreter.gender,
        "municipality": interpreter.municipality,
        "availability": interpreter.availability,
        "modalities": "|".join(interpreter.modalities),
        "email": interpreter.email,
        "phone": interpreter.phone,
        "language": "ara",
        "category": entry.category,
        "valid_from": entry.valid_from.isoformat(),
        "valid_to": entry.valid_to.isoformat() if entry.valid_to else "",
        "status": entry.status,
        "police_certificate_valid_until": police.isoformat() if police else "",
    }
    values.update(overrides)
    return ",".join(values[c] for c in REGISTER_COLUMNS)


def import_rows(*rows: str, now: dt.datetime = NOW) -> RegisterImportResult:
    text = "\n".join([",".join(REGISTER_COLUMNS), *rows]) + "\n"
    result = register_import(stream=io.BytesIO(text.encode()), file_name="register.csv",
                             today=now.date(), now=now)
    assert result.ok, result.errors
    return result


def assigned(w: World, user: User, *, start: dt.datetime = AFTER_CUTOFF) -> Booking:
    """A booking offered to `user` alone and accepted."""
    booking = book(w, start=start)
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW,
                                register_numbers=[user.interpreter.register_number])
    offer_accept(offer_id=offer.pk, user=user, declarations=YES, now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ASSIGNED
    return booking


def assert_reopened(booking: Booking, user: User, code: str, *, action: str) -> AuditEntry:
    assignment = Assignment.objects.get(booking=booking, interpreter=user.interpreter)
    assert assignment.status == AssignmentStatus.REOPENED
    assert assignment.end_reason.startswith(code)
    entry = AuditEntry.objects.get(booking=booking, action=action)
    assert entry.reason.startswith(code)
    assert entry.details["rule"] == code
    assert (entry.from_status, entry.to_status) == ("assigned", "open")
    # The interpreter hears of it, and so do the booker's organisation and the provider.
    to_interpreter = Event.objects.filter(
        kind="assignment.changed", interpreter=user.interpreter, payload__change="reopened"
    ).get()
    assert to_interpreter.payload["rule"] == code
    assert to_interpreter.payload["booking_id"] == booking.pk
    for organisation_id in (booking.customer_id, booking.provider_id):
        assert Event.objects.filter(
            kind="booking.changed", organisation_id=organisation_id,
            payload__booking_id=booking.pk, payload__to="open",
        ).exists()
    return entry


# --- the register import ----------------------------------------------------------------------


def test_import_ending_a_qualification_before_the_job_reopens_the_assignment() -> None:
    w = world()
    user = person("A")
    substitute = person("B")
    booking = assigned(w, user)
    # Before: the candidates endpoint's own explanation finds nothing wrong.
    assert candidate_explain(booking=booking, register_number=user.interpreter.register_number
                             ).category == "A"

    result = import_rows(csv_row(user.interpreter, valid_to="2026-12-31"))

    assert (result.reopened_assignments, result.withdrawn_offers) == (1, 0)
    assert result.as_dict()["reopened_assignments"] == 1
    assert result.as_dict()["withdrawn_offers"] == 0
    assert_reopened(booking, user, TL7_QUALIFIED, action="register_reopened")
    booking.refresh_from_db()
    # Offered again, to the qualified interpreter who is left.
    assert booking.status == BookingStatus.OFFERED
    assert Offer.objects.get(booking=booking, status=OfferStatus.PENDING).interpreter_id == \
        substitute.interpreter_id
    why = candidate_explain(booking=booking, register_number=user.interpreter.register_number)
    assert TL7_QUALIFIED in {r["code"] for r in why.reasons}
    record = RegisterImport.objects.get()
    assert (record.reopened_assignments, record.withdrawn_offers) == (1, 0)


def test_import_ending_the_police_certificate_before_the_job_reopens_the_assignment() -> None:
    w = world(police=True)
    user = person("A", police=dt.date(2027, 6, 30))
    booking = assigned(w, user)

    result = import_rows(csv_row(user.interpreter,
                                 police_certificate_valid_until="2027-01-03"))

    assert result.reopened_assignments == 1
    assert_reopened(booking, user, TL10_POLICE_CERT, action="register_reopened")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.UNFILLED  # nobody else has a valid certificate


def test_import_lowering_the_category_below_the_guideline_minimum_reopens() -> None:
    w = world(min_category="B")
    user = person("A")
    booking = assigned(w, user)

    result = import_rows(csv_row(user.interpreter, category="D"))

    assert result.reopened_assignments == 1
    assert_reopened(booking, user, TL9_GUIDELINES, action="register_reopened")


def test_import_withdraws_pending_offers_that_no_longer_qualify() -> None:
    w = world()
    lapsing = person("A")
    other = person("B")
    booking = book(w, start=AFTER_CUTOFF)
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW, limit=2)
    assert {o.interpreter_id for o in offers} == {lapsing.interpreter_id, other.interpreter_id}

    result = import_rows(csv_row(lapsing.interpreter, valid_to="2026-12-31"))

    assert (result.reopened_assignments, result.withdrawn_offers) == (0, 1)
    withdrawn = Offer.objects.get(booking=booking, interpreter=lapsing.interpreter)
    assert withdrawn.status == OfferStatus.WITHDRAWN
    assert Offer.objects.get(booking=booking, interpreter=other.interpreter).status == \
        OfferStatus.PENDING
    entry = AuditEntry.objects.get(booking=booking, action="offer_withdrawn")
    assert entry.details["rule"] == TL7_QUALIFIED and entry.reason.startswith(TL7_QUALIFIED)
    assert "The interpreter is not qualified for ara on 2027-01-04 (no valid entry in the " \
        "National Register of Interpreters)." in entry.reason
    assert entry.details["interpreter"] == lapsing.interpreter.register_number
    event = Event.objects.get(kind="offer.withdrawn", interpreter=lapsing.interpreter)
    assert event.payload["offer_id"] == withdrawn.pk
    assert event.payload["rule"] == TL7_QUALIFIED
    assert Event.objects.filter(kind="booking.rechecked", organisation_id=booking.customer_id,
                                payload__rule=TL7_QUALIFIED).exists()
    # The accept path agrees: the withdrawn offer cannot be taken.
    with pytest.raises(Exception) as exc:
        offer_accept(offer_id=withdrawn.pk, user=lapsing, declarations=YES, now=NOW)
    assert getattr(exc.value, "code", "") == "offer_not_pending"


def test_last_pending_offer_withdrawn_sends_the_next_wave() -> None:
    w = world()
    lapsing = person("A")
    booking = book(w, start=AFTER_CUTOFF)
    offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW, limit=1)
    later = person("C")  # registered after the first wave went out

    import_rows(csv_row(lapsing.interpreter, valid_to="2026-12-31"))

    assert Offer.objects.get(booking=booking, status=OfferStatus.PENDING).interpreter_id == \
        later.interpreter_id


def test_import_that_keeps_the_job_allowed_changes_nothing() -> None:
    w = world(min_category="B", police=True)
    user = person("A")
    booking = assigned(w, user)
    audit_before = AuditEntry.objects.filter(booking=booking).count()

    # Still valid on the day, still above the minimum, certificate still valid; a new phone.
    result = import_rows(csv_row(user.interpreter, valid_to="2027-01-04", category="B",
                                 police_certificate_valid_until="2027-01-04",
                                 phone="+4791111111"))
    again = import_rows(csv_row(user.interpreter, valid_to="2027-01-04", category="B",
                                police_certificate_valid_until="2027-01-04",
                                phone="+4791111111"))

    assert (result.changed, result.reopened_assignments, result.withdrawn_offers) == (1, 0, 0)
    assert (again.unchanged, again.reopened_assignments, again.withdrawn_offers) == (1, 0, 0)
    assert AuditEntry.objects.filter(booking=booking).count() == audit_before
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ASSIGNED


def test_import_leaves_past_assignments_and_other_interpreters_alone() -> None:
    w = world()
    user = person("A")
    bystander = person("A")
    theirs = assigned(w, bystander)
    past = assigned(w, user, start=dt.datetime(2026, 6, 2, 10, 0, tzinfo=OSLO))

    # A day after the job: ending the entry now cannot touch a job already done.
    result = import_rows(csv_row(user.interpreter, valid_to="2026-06-02"),
                         now=dt.datetime(2026, 6, 3, 9, 0, tzinfo=OSLO))

    assert result.reopened_assignments == 0
    past.refresh_from_db()
    theirs.refresh_from_db()
    assert past.status == theirs.status == BookingStatus.ASSIGNED


def test_import_suspension_still_reopens_with_the_rule_code() -> None:
    w = world()
    user = person("A")
    booking = assigned(w, user)

    result = import_rows(csv_row(user.interpreter, status="suspended"))

    assert result.newly_suspended and result.reopened_assignments == 1
    entry = assert_reopened(booking, user, TL7_QUALIFIED, action="register_reopened")
    assert entry.actor_role == "register"
    assert "The interpreter is not qualified for ara on 2027-01-04 (the entry is suspended, " \
        "excluded or revoked)." in entry.reason


# --- guidelines -------------------------------------------------------------------------------


def test_guideline_raising_the_minimum_reopens_lower_categories_and_tightens_bookings() -> None:
    w = world()
    low = person("C")
    high = person("A")
    booking = assigned(w, low)
    offered = book(w, start=AFTER_CUTOFF + dt.timedelta(days=1))
    offers_send_wave(booking_id=offered.pk, user=w.coordinator, now=NOW,
                     register_numbers=[low.interpreter.register_number])

    published = guideline_publish_rechecked(
        organisation=w.customer, valid_from=dt.date(2027, 1, 1), min_category="B",
        created_by=factories.AdminFactory(), now=NOW,
    )

    assert published.recheck.reopened_assignments == 1
    assert published.recheck.withdrawn_offers == 1
    entry = assert_reopened(booking, low, TL9_GUIDELINES, action="guideline_reopened")
    assert entry.actor_role == "admin"
    booking.refresh_from_db()
    offered.refresh_from_db()
    assert booking.min_category == offered.min_category == "B"
    # Offered again only to interpreters who meet the new minimum.
    assert {o.interpreter_id for o in Offer.objects.filter(booking=booking,
                                                           status=OfferStatus.PENDING)} == \
        {high.interpreter_id}


def test_guideline_valid_from_after_the_job_changes_nothing() -> None:
    w = world()
    low = person("C")
    booking = assigned(w, low)

    published = guideline_publish_rechecked(
        organisation=w.customer, valid_from=dt.date(2027, 2, 1), min_category="A",
        police_certificate_required=True, now=NOW,
    )

    assert not published.recheck.changed
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ASSIGNED and booking.min_category == ""


def test_guideline_requiring_a_police_certificate_reopens_those_without() -> None:
    w = world()
    without = person("A", police=None)
    lapsing = person("A", police=dt.date(2026, 12, 31))
    first = assigned(w, without)
    second = assigned(w, lapsing, start=AFTER_CUTOFF + dt.timedelta(days=1))

    published = guideline_publish_rechecked(
        organisation=w.customer, valid_from=dt.date(2026, 6, 1),
        police_certificate_required=True, now=NOW,
    )

    assert published.recheck.reopened_assignments == 2
    assert_reopened(first, without, TL10_POLICE_CERT, action="guideline_reopened")
    assert_reopened(second, lapsing, TL10_POLICE_CERT, action="guideline_reopened")


def test_other_organisations_bookings_are_not_touched_by_a_guideline() -> None:
    w = world()
    other = world()
    low = person("C")
    theirs = assigned(other, low)

    guideline_publish_rechecked(organisation=w.customer, valid_from=dt.date(2026, 1, 1),
                                min_category="A", now=NOW)

    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.ASSIGNED and theirs.min_category == ""


# --- the daily pass ---------------------------------------------------------------------------


def test_daily_pass_catches_a_qualification_that_lapses_before_the_job() -> None:
    w = world()
    user = person("A")
    soon = assigned(w, user)
    far = assigned(w, user, start=AFTER_CUTOFF + dt.timedelta(days=60))
    # The entry's end date is in the register already (no change comes through any service):
    # written by a data migration, or before the re-check existed.
    Qualification.objects.filter(interpreter=user.interpreter).update(
        valid_to=dt.date(2027, 1, 3)
    )
    day = dt.datetime(2026, 12, 20, 0, 5, tzinfo=OSLO)  # 15 days before the job

    result = recheck_daily_due(now=day)

    assert result is not None and result.reopened_assignments == 1
    assert_reopened(soon, user, TL7_QUALIFIED, action="register_reopened")
    far.refresh_from_db()
    assert far.status == BookingStatus.ASSIGNED  # beyond TOLK_RECHECK_DAYS: a later day's pass
    run = DailyJobRun.objects.get()
    assert (run.day, run.reopened_assignments) == (dt.date(2026, 12, 20), 1)
    assert run.finished_at is not None
    # Once a day: the same day again does nothing, even in another process (memory cleared).
    assert recheck_daily_due(now=day + dt.timedelta(hours=3)) is None
    recheck._done_day = None
    assert recheck_daily_due(now=day + dt.timedelta(hours=5)) is None
    assert DailyJobRun.objects.count() == 1
    # A later day's pass reaches the far job.
    later = recheck_daily_due(now=dt.datetime(2027, 2, 20, 0, 5, tzinfo=OSLO))
    assert later is not None and later.reopened_assignments == 1


def test_daily_pass_with_nothing_changed_is_cheap_and_writes_nothing_but_its_claim() -> None:
    w = world(min_category="C", police=True)
    for n in range(6):
        assigned(w, person("A"), start=AFTER_CUTOFF + dt.timedelta(days=n % 3, hours=n))
    events = Event.objects.count()
    audit = AuditEntry.objects.count()
    day = dt.datetime(2026, 12, 20, 0, 5, tzinfo=OSLO)

    with CaptureQueriesContext(connection) as queries:
        result = recheck_daily_due(now=day)

    assert result is not None and not result.changed
    assert (Event.objects.count(), AuditEntry.objects.count()) == (events, audit)
    # Assignments, offers, bookings, guidelines, and two register queries per day of work
    # (three days here), plus the claim: no query per assignment.
    assert len(queries) <= 16, [q["sql"] for q in queries.captured_queries]
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 2 and all("daily" in sql for sql in writes)


def test_daily_pass_takes_over_a_run_that_died() -> None:
    day = dt.datetime(2026, 12, 20, 3, 0, tzinfo=OSLO)
    DailyJobRun.objects.create(job=recheck.DAILY_JOB, day=day.date(),
                               started_at=day - dt.timedelta(minutes=10))
    assert recheck_daily_due(now=day) is None  # another process is at it
    result = recheck_daily_due(now=day + dt.timedelta(hours=2))
    assert result is not None
    assert DailyJobRun.objects.get().finished_at is not None


def test_daily_pass_switched_off_with_zero_days(settings: object) -> None:
    settings.TOLK_RECHECK_DAYS = 0  # type: ignore[attr-defined]
    assert recheck_daily_due(now=NOW) is None
    assert not DailyJobRun.objects.exists()


def test_booking_takes_the_requirements_of_the_version_in_force_on_its_day() -> None:
    w = world()
    guideline_publish_rechecked(organisation=w.customer, valid_from=dt.date(2027, 1, 1),
                                min_category="B", police_certificate_required=True, now=NOW)
    before, after = book(w), book(w, start=AFTER_CUTOFF)
    assert before.guideline.version == after.guideline.version == 1  # in force when booked
    assert (before.min_category, before.police_certificate_required) == ("", False)
    assert (after.min_category, after.police_certificate_required) == ("B", True)


def test_daily_pass_applies_a_guideline_whose_day_has_come() -> None:
    """A booking made under version 1 for a day that version 2 (published earlier, valid later)
    covers: the pass brings the booking's requirement up to version 2 and takes off what fails."""
    w = world()
    guideline_publish_rechecked(organisation=w.customer, valid_from=dt.date(2027, 1, 1),
                                min_category="A", now=NOW)
    low = person("B")
    booking = book(w, start=AFTER_CUTOFF)
    # Made before bookings took the day's version into account: only version 1's requirements
    # on record, and dispatched under them.
    Booking.objects.filter(pk=booking.pk).update(min_category="")
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW,
                                register_numbers=[low.interpreter.register_number])
    offer_accept(offer_id=offer.pk, user=low, declarations=YES, now=NOW)

    result = recheck_upcoming(now=dt.datetime(2026, 12, 20, 0, 5, tzinfo=OSLO))

    assert (result.reopened_assignments, result.tightened_bookings) == (1, 1)
    assert_reopened(booking, low, TL9_GUIDELINES, action="register_reopened")
    booking.refresh_from_db()
    assert booking.min_category == "A"
