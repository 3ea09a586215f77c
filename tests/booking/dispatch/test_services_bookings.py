"""Booking services: the rules applied at booking and assignment time on both sides of the
cut-off, guidelines, the exception path, cancellation, completion, register reopen, overlaps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from booking.dispatch.selectors import booking_candidates, booking_fact_fields, candidate_explain
from booking.dispatch.services.bookings import (
    assignment_cancel_by_interpreter,
    booking_cancel,
    booking_complete,
    booking_create,
)
from booking.dispatch.services.exception_path import assignment_record_adhoc, offer_send_personal
from booking.dispatch.services.guidelines import guideline_publish
from booking.dispatch.services.offers import offer_accept, offers_send_wave
from booking.dispatch.services.recheck import recheck_interpreters
from booking.models import (
    Assignment,
    AuditEntry,
    Booking,
    BookingStatus,
    Event,
    InterpreterBlock,
    Offer,
    OfferStatus,
    User,
)
from booking.rules import (
    TL4_CHILD,
    TL6_DUTY_BASIS,
    TL7_QUALIFIED,
    TL8_REMOTE,
    TL9_GUIDELINES,
    TL10_POLICE_CERT,
    TL16_IMPARTIALITY,
    ChildException,
    Declarations,
    ExceptionRecord,
    WrittenDeclaration,
)
from booking.signals import booking_finished
from tests import factories
from tests.booking.booking_helpers import (
    AFTER_CUTOFF,
    BEFORE_CUTOFF,
    NOW,
    World,
    assign_by_personal_offer,
    book,
    interpreter_user,
    qualified,
    request,
    world,
    written_declaration,
)
from tolk.errors import ConflictError, PermissionDeniedError, ValidationFailed

pytestmark = pytest.mark.django_db
YES = Declarations(impartial=True, confidentiality=True)
EXCEPTION = ExceptionRecord(
    ground="cannot_wait", justification="Fristen for vedtak løper ut i dag; ingen ledig.",
    decided_by="Avdelingsleder Nordmann",
)


@pytest.fixture
def finished() -> list[Booking]:
    seen: list[Booking] = []

    def receiver(sender: object, booking: Booking, **kwargs: object) -> None:
        seen.append(booking)

    booking_finished.connect(receiver)
    yield seen
    booking_finished.disconnect(receiver)


@pytest.mark.parametrize("start", [BEFORE_CUTOFF, AFTER_CUTOFF])
def test_booking_records_rule_set_and_guideline_version(start: dt.datetime) -> None:
    w = world()
    booking = book(w, start=start)
    assert booking.guideline.version == 1
    assert booking.rule_set == ("dispensation" if start < AFTER_CUTOFF else "exception-only")
    assert booking.qualified_required
    entry = AuditEntry.objects.get(booking=booking)
    assert entry.action == "created" and entry.actor == w.booker
    assert entry.details["guideline_version"] == 1


def test_new_guideline_version_is_recorded_on_new_bookings_and_tightens_coming_ones() -> None:
    w = world()
    first = book(w)
    guideline_publish(organisation=w.customer, valid_from=dt.date(2026, 1, 1), min_category="B",
                      remote_platforms=["Teams (helsenett)"])
    second = book(w)
    first.refresh_from_db()
    # The first booking keeps the version it was made under, but its day falls under version 2,
    # whose minimum category now applies to it (tolkeloven § 9, re-checked on publication).
    assert first.guideline.version == 1 and first.min_category == "B"
    assert AuditEntry.objects.get(booking=first, action="requirements_tightened").details[
        "guideline_version"] == 2
    assert second.guideline.version == 2 and second.min_category == "B"


def test_no_guideline_refused_tl9() -> None:
    booker = factories.BookerFactory()
    factories.ProviderAgreementFactory(customer=booker.organisation)
    with pytest.raises(ValidationFailed) as exc:
        booking_create(user=booker, data=request(), now=NOW)
    assert exc.value.code == TL9_GUIDELINES
    assert not Booking.objects.exists()


def test_no_provider_agreement_refused() -> None:
    booker = factories.BookerFactory()
    factories.GuidelineFactory(organisation=booker.organisation)
    with pytest.raises(ValidationFailed) as exc:
        booking_create(user=booker, data=request(), now=NOW)
    assert exc.value.code == "no_provider_agreement"


def test_remote_platform_and_duty_basis_checked_at_booking() -> None:
    w = world()
    with pytest.raises(ValidationFailed) as exc:
        book(w, modality="video", platform="Zoom (gratis)")
    assert exc.value.code == TL8_REMOTE
    booking = book(w, modality="video", platform="Teams (helsenett)", address="")
    assert booking.platform == "Teams (helsenett)" and booking.address == ""
    with pytest.raises(ValidationFailed) as exc:
        book(w, duty_basis="")
    assert exc.value.code == TL6_DUTY_BASIS
    discretionary = book(w, duty_basis="discretionary", assessment_note="")
    assert not discretionary.qualified_required


def test_guideline_min_category_is_a_floor_for_candidates() -> None:
    w = world(min_category="B")
    interpreter_user(category="A")
    interpreter_user(category="B")
    low = interpreter_user(category="D")
    booking = book(w, min_category="E")  # asking for less than the guideline changes nothing
    assert booking.min_category == "B"
    assert {c.category for c in booking_candidates(booking=booking, now=NOW)} == {"A", "B"}
    why = candidate_explain(booking=booking, register_number=low.interpreter.register_number)
    assert [r["code"] for r in why.reasons] == [TL9_GUIDELINES]


def test_police_certificate_required_by_guideline() -> None:
    w = world(police=True)
    with_cert = interpreter_user(police_certificate_valid_until=dt.date(2027, 12, 31))
    without = interpreter_user()
    booking = book(w)
    assert booking.police_certificate_required
    ids = {c.interpreter_id for c in booking_candidates(booking=booking, now=NOW)}
    assert ids == {with_cert.interpreter_id}
    why = candidate_explain(booking=booking, register_number=without.interpreter.register_number)
    assert [r["code"] for r in why.reasons] == [TL10_POLICE_CERT]


def test_blocked_for_case_is_excluded_and_refused() -> None:
    w = world()
    blocked = interpreter_user()
    other_case = interpreter_user()
    InterpreterBlock.objects.create(organisation=w.customer, interpreter=blocked.interpreter,
                                    case_reference="SAK-1", reason="Slektskap")
    InterpreterBlock.objects.create(organisation=w.customer, interpreter=other_case.interpreter,
                                    case_reference="SAK-2", reason="Interesse i saken")
    booking = book(w, case_reference="SAK-1")
    ids = {c.interpreter_id for c in booking_candidates(booking=booking, now=NOW)}
    assert ids == {other_case.interpreter_id}
    with pytest.raises(ValidationFailed) as exc:
        offer_send_personal(booking_id=booking.pk, user=w.coordinator,
                            register_number=blocked.interpreter.register_number, now=NOW)
    assert exc.value.code == TL16_IMPARTIALITY
    with pytest.raises(ValidationFailed):
        offer_send_personal(booking_id=booking.pk, user=w.coordinator,
                            register_number=blocked.interpreter.register_number,
                            block_override_reason="akutt", now=NOW)
    # The § 16 override: only with a written reason, kept in the audit trail.
    assign_by_personal_offer(
        w, booking, blocked,
        block_override_reason="Akutt psykiatrisk innleggelse; ingen annen tolk nåbar i natt.",
        now=NOW,
    )
    sent, accepted = AuditEntry.objects.filter(booking=booking).order_by("-id")[:2][::-1]
    assert sent.action == "personal_offer_sent"
    assert sent.details["impartiality_override"].startswith("Akutt psykiatrisk")
    assert accepted.action == "accepted"
    assert accepted.details["impartiality_override"].startswith("Akutt psykiatrisk")


def test_travel_buffer_makes_an_interpreter_busy() -> None:
    w = world()
    user = interpreter_user(municipality="0301")
    first = book(w)  # 10:00–11:00 in Oslo
    (offer,) = offers_send_wave(booking_id=first.pk, user=w.coordinator, now=NOW)
    offer_accept(offer_id=offer.pk, user=user, declarations=YES, now=NOW)
    assignment = Assignment.objects.get(booking=first)
    assert assignment.travel_minutes == 15
    # 11:10 in Bergen: not enough time to travel from Oslo.
    bergen = book(w, start=BEFORE_CUTOFF + dt.timedelta(minutes=70), municipality="4601")
    assert booking_candidates(booking=bergen, now=NOW) == []
    why = candidate_explain(booking=bergen, register_number=user.interpreter.register_number)
    assert [r["code"] for r in why.reasons] == ["BUSY"]
    # 11:10 on video overlaps the 15 minutes after the on-site job; 11:15 is free.
    overlapping = book(w, start=BEFORE_CUTOFF + dt.timedelta(minutes=70), modality="video",
                       platform="Teams (helsenett)", address="")
    assert booking_candidates(booking=overlapping, now=NOW) == []
    video = book(w, start=BEFORE_CUTOFF + dt.timedelta(minutes=75), modality="video",
                 platform="Teams (helsenett)", address="")
    assert [c.interpreter_id for c in booking_candidates(booking=video, now=NOW)] == [
        user.interpreter_id
    ]
    # A personal offer into an overlapping slot is a 409.
    with pytest.raises(ConflictError) as exc:
        offer_send_personal(booking_id=bergen.pk, user=w.coordinator,
                            register_number=user.interpreter.register_number, now=NOW)
    assert exc.value.code == "interpreter_busy"


def test_fairness_ranks_fewer_recent_assignments_first() -> None:
    w = world()
    busy, idle = interpreter_user(), interpreter_user()
    past = book(w)
    Booking.objects.filter(pk=past.pk).update(start=NOW - dt.timedelta(days=10),
                                              end=NOW - dt.timedelta(days=10, hours=-1))
    past.refresh_from_db()
    assign_by_personal_offer(w, past, busy, now=past.start - dt.timedelta(hours=2))
    booking = book(w)
    ranked = booking_candidates(booking=booking, now=NOW)
    assert [c.interpreter_id for c in ranked] == [idle.interpreter_id, busy.interpreter_id]
    assert ranked[1].recent_assignments == 1


# --- the exception path, on both sides of the cut-off ----------------------------------------


def _unqualified() -> User:
    """A registered interpreter with a login, not qualified for Arabic."""
    return factories.InterpreterUserFactory(interpreter=factories.InterpreterFactory())


def test_non_qualified_before_cutoff_uses_the_dispensation() -> None:
    w = world()
    unqualified = _unqualified()
    booking = book(w, start=BEFORE_CUTOFF)
    offer = offer_send_personal(booking_id=booking.pk, user=w.coordinator,
                                register_number=unqualified.interpreter.register_number, now=NOW)
    assert offer.personal and offer.status == OfferStatus.PENDING
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OFFERED
    assert not Assignment.objects.filter(booking=booking).exists()
    assignment = offer_accept(offer_id=offer.pk, user=unqualified, declarations=YES, now=NOW)
    assert assignment.basis == "dispensation"
    assert assignment.category == ""
    assert assignment.declaration_source == "interpreter"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ASSIGNED


def test_non_qualified_after_cutoff_refused_without_exception() -> None:
    w = world()
    unqualified = _unqualified()
    booking = book(w, start=AFTER_CUTOFF)
    with pytest.raises(ValidationFailed) as exc:
        offer_send_personal(booking_id=booking.pk, user=w.coordinator,
                            register_number=unqualified.interpreter.register_number, now=NOW)
    assert exc.value.code == TL7_QUALIFIED
    assert not Assignment.objects.exists()
    assert not Offer.objects.exists()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OPEN


@pytest.mark.parametrize("start", [BEFORE_CUTOFF, AFTER_CUTOFF])
def test_exception_recorded_with_ground_justification_and_decider(start: dt.datetime) -> None:
    w = world()
    unqualified = _unqualified()
    booking = book(w, start=start)
    assignment = assign_by_personal_offer(w, booking, unqualified, exception=EXCEPTION, now=NOW)
    assert assignment.basis == "exception"
    assert assignment.exception_ground == "cannot_wait"
    assert assignment.exception_decided_by == "Avdelingsleder Nordmann"
    assert assignment.declared_impartial and assignment.declared_confidentiality
    sent = AuditEntry.objects.get(booking=booking, action="personal_offer_sent")
    assert sent.details["decided_by"] == "Avdelingsleder Nordmann"
    assert sent.reason == EXCEPTION.justification
    entry = AuditEntry.objects.filter(booking=booking).last()
    assert entry.action == "accepted"
    assert entry.details["decided_by"] == "Avdelingsleder Nordmann"


def test_personal_offer_accept_rechecks_the_exception_path() -> None:
    """A block put on after the personal offer (without an override) refuses the accept, as for
    any offer; the booking stays offered."""
    w = world()
    unqualified = _unqualified()
    booking = book(w, start=AFTER_CUTOFF, case_reference="SAK-7")
    offer = offer_send_personal(booking_id=booking.pk, user=w.coordinator,
                                register_number=unqualified.interpreter.register_number,
                                exception=EXCEPTION, now=NOW)
    InterpreterBlock.objects.create(organisation=w.customer, interpreter=unqualified.interpreter,
                                    case_reference="SAK-7", reason="Slektskap")
    with pytest.raises(ValidationFailed) as exc:
        offer_accept(offer_id=offer.pk, user=unqualified, declarations=YES, now=NOW)
    assert exc.value.code == TL16_IMPARTIALITY
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OFFERED
    assert not Assignment.objects.exists()


def test_personal_offer_withdraws_the_wave_and_reuses_an_earlier_offer_row() -> None:
    w = world()
    first, second = interpreter_user(), interpreter_user()
    booking = book(w)
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    assert len(offers) == 2
    declined = next(o for o in offers if o.interpreter_id == first.interpreter_id)
    from booking.dispatch.services.offers import offer_decline

    offer_decline(offer_id=declined.pk, user=first, now=NOW)
    # The coordinator phones the interpreter who declined; they can after all.
    offer = offer_send_personal(booking_id=booking.pk, user=w.coordinator,
                                register_number=first.interpreter.register_number, now=NOW)
    assert offer.pk == declined.pk and offer.personal and offer.status == OfferStatus.PENDING
    other = Offer.objects.get(booking=booking, interpreter=second.interpreter)
    assert other.status == OfferStatus.WITHDRAWN
    kinds = Event.objects.filter(kind__in=["offer.created", "offer.withdrawn"]).values_list(
        "kind", "payload")
    assert ("offer.withdrawn", {"offer_id": other.pk, "booking_id": booking.pk,
                                "reason": "taken"}) in list(kinds)
    created = Event.objects.filter(kind="offer.created").last()
    assert created.payload["offer_id"] == offer.pk and created.payload["personal"] is True
    offer_accept(offer_id=offer.pk, user=first, declarations=YES, now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ASSIGNED


def test_an_unanswered_personal_offer_expires_and_the_waves_take_over() -> None:
    from booking.dispatch.services.offers import offers_expire_due

    w = world()
    unqualified = _unqualified()
    candidate = interpreter_user()
    booking = book(w)
    offer = offer_send_personal(booking_id=booking.pk, user=w.coordinator,
                                register_number=unqualified.interpreter.register_number,
                                exception=EXCEPTION, now=NOW)
    assert offer.expires_at == NOW + dt.timedelta(minutes=60)
    assert offers_expire_due(now=offer.expires_at) == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OFFERED
    assert Offer.objects.get(booking=booking, interpreter=candidate.interpreter).status == (
        OfferStatus.PENDING
    )
    with pytest.raises(ConflictError) as exc:
        offer_accept(offer_id=offer.pk, user=unqualified, declarations=YES,
                     now=offer.expires_at)
    assert exc.value.code == "offer_not_pending"
    assert not Assignment.objects.exists()


def test_personal_offer_for_a_booking_that_has_ended_is_refused() -> None:
    w = world()
    booking = book(w)
    with pytest.raises(ConflictError) as exc:
        offer_send_personal(booking_id=booking.pk, user=w.coordinator,
                            register_number=_unqualified().interpreter.register_number,
                            exception=EXCEPTION, now=booking.end)
    assert exc.value.code == "booking_ended"


def _written(name: str) -> WrittenDeclaration:
    return written_declaration(name, NOW - dt.timedelta(minutes=5))


@pytest.mark.parametrize("start", [BEFORE_CUTOFF, AFTER_CUTOFF])
def test_adhoc_interpreter_must_give_age_and_children_need_the_s4_exception(
    start: dt.datetime,
) -> None:
    w = world()
    booking = book(w, start=start)
    with pytest.raises(ValidationFailed) as exc:
        assignment_record_adhoc(booking_id=booking.pk, user=w.coordinator, adhoc_name="Ola Tolk",
                                adhoc_age=None, exception=EXCEPTION,
                                written_declaration=_written("Ola Tolk"), now=NOW)
    assert exc.value.code == TL4_CHILD
    with pytest.raises(ValidationFailed) as exc:
        assignment_record_adhoc(booking_id=booking.pk, user=w.coordinator,
                                adhoc_name="Ung Person", adhoc_age=16, exception=EXCEPTION,
                                written_declaration=_written("Ung Person"), now=NOW)
    assert exc.value.code == TL4_CHILD
    assignment = assignment_record_adhoc(
        booking_id=booking.pk, user=w.coordinator, adhoc_name="Ung Person", adhoc_age=16,
        exception=EXCEPTION,
        child_exception=ChildException(ground="emergency",
                                       reason="Livstruende situasjon, ingen voksne tilgjengelig."),
        written_declaration=_written("Ung Person"), now=NOW,
    )
    assert assignment.adhoc_age == 16
    assert assignment.child_exception_ground == "emergency"
    assert assignment.interpreter_id is None


def test_adhoc_after_cutoff_without_exception_refused() -> None:
    w = world()
    booking = book(w, start=AFTER_CUTOFF)
    with pytest.raises(ValidationFailed) as exc:
        assignment_record_adhoc(booking_id=booking.pk, user=w.coordinator,
                                adhoc_name="Voksen Person", adhoc_age=40,
                                written_declaration=_written("Voksen Person"), now=NOW)
    assert exc.value.code == TL7_QUALIFIED


def test_adhoc_without_written_declaration_refused_with_it_recorded() -> None:
    w = world()
    booking = book(w, start=AFTER_CUTOFF)
    with pytest.raises(ValidationFailed) as exc:
        assignment_record_adhoc(booking_id=booking.pk, user=w.coordinator,
                                adhoc_name="Voksen Person", adhoc_age=40, exception=EXCEPTION,
                                written_declaration=None, now=NOW)
    assert exc.value.code == "written_declaration_required"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OPEN
    assignment = assignment_record_adhoc(
        booking_id=booking.pk, user=w.coordinator, adhoc_name="Voksen Person", adhoc_age=40,
        exception=EXCEPTION, written_declaration=_written("Voksen Person"), now=NOW,
    )
    assert assignment.declaration_source == "written"
    assert assignment.declared_by_name == "Voksen Person"
    assert assignment.declared_at == NOW - dt.timedelta(minutes=5)
    assert assignment.declaration_recorded_by_id == w.coordinator.pk
    assert assignment.declaration_recorded_at == NOW


def test_unfilled_booking_can_still_be_assigned_by_exception() -> None:
    w = world()
    booking = book(w, start=AFTER_CUTOFF)
    offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.UNFILLED
    assignment_record_adhoc(booking_id=booking.pk, user=w.coordinator,
                            adhoc_name="Voksen Person", adhoc_age=40, exception=EXCEPTION,
                            written_declaration=_written("Voksen Person"), now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ASSIGNED and booking.finished_at is None


def test_unfilled_booking_reopens_with_a_personal_offer() -> None:
    w = world()
    unqualified = _unqualified()
    booking = book(w, start=AFTER_CUTOFF)
    offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.UNFILLED
    assign_by_personal_offer(w, booking, unqualified, exception=EXCEPTION, now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ASSIGNED and booking.finished_at is None


# --- cancel, complete, reopen -----------------------------------------------------------------


def _accepted(w: World, booking: Booking, *, now: dt.datetime) -> Assignment:
    user = interpreter_user()
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator,
                                register_numbers=[user.interpreter.register_number], now=now)
    return offer_accept(offer_id=offer.pk, user=user, declarations=YES, now=now)


def test_cancellation_inside_the_window_is_late(finished: list[Booking]) -> None:
    w = world()
    booking = book(w)
    _accepted(w, booking, now=NOW)
    late = booking_cancel(booking_id=booking.pk, user=w.booker, reason="Bruker syk",
                          now=booking.start - dt.timedelta(hours=3))
    assert late.late_cancellation and late.cancelled_by == "customer"
    assert finished == [late]
    accepted_early = book(w)
    _accepted(w, accepted_early, now=NOW)
    early = booking_cancel(booking_id=accepted_early.pk, user=w.booker, now=NOW)
    assert not early.late_cancellation
    fields = booking_fact_fields(late)
    assert fields["outcome"] == "cancelled" and fields["late_cancellation"] is True


def test_cancellation_before_any_acceptance_is_never_late() -> None:
    w = world()
    booking = book(w)
    qualified()
    offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)  # offered, not taken
    cancelled = booking_cancel(booking_id=booking.pk, user=w.booker,
                               now=booking.start - dt.timedelta(hours=1))
    assert cancelled.status == BookingStatus.CANCELLED and not cancelled.late_cancellation
    entry = AuditEntry.objects.filter(booking=booking, action="cancelled").get()
    assert entry.details["late"] is False


def test_booking_made_inside_the_window_is_late_from_the_acceptance() -> None:
    w = world()
    start = BEFORE_CUTOFF
    made = start - dt.timedelta(hours=5)
    quick, taken = book(w, start), book(w, start)
    Booking.objects.filter(pk__in=[quick.pk, taken.pk]).update(created_at=made)
    # Seconds after it was made, nobody has accepted: not late.
    early = booking_cancel(booking_id=quick.pk, user=w.booker,
                           now=made + dt.timedelta(seconds=30))
    assert not early.late_cancellation
    # Accepted an hour later, cancelled right after: late, as the form said it would be.
    accepted = made + dt.timedelta(hours=1)
    _accepted(w, taken, now=accepted)
    late = booking_cancel(booking_id=taken.pk, user=w.booker,
                          now=accepted + dt.timedelta(minutes=1))
    assert late.late_cancellation


def test_booker_of_another_org_cannot_cancel() -> None:
    w, other = world(), world()
    booking = book(w)
    with pytest.raises(Exception) as exc:
        booking_cancel(booking_id=booking.pk, user=other.booker, now=NOW)
    assert getattr(exc.value, "status_code", None) == 404


def test_interpreter_cancellation_reopens_and_offers_again() -> None:
    w = world()
    first = interpreter_user(category="A")
    second = interpreter_user(category="B")
    booking = book(w)
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=1, now=NOW)
    offer_accept(offer_id=offers[0].pk, user=first, declarations=YES, now=NOW)
    assignment_cancel_by_interpreter(booking_id=booking.pk, user=first, reason="Syk", now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OFFERED
    pending = Offer.objects.get(booking=booking, status=OfferStatus.PENDING)
    assert pending.interpreter_id == second.interpreter_id
    actions = list(AuditEntry.objects.filter(booking=booking).values_list("action", flat=True))
    assert actions[-2:] == ["interpreter_cancelled", "offers_sent"]
    # The freed slot can be taken by the next one.
    offer_accept(offer_id=pending.pk, user=second, declarations=YES, now=NOW)


def test_complete_records_actuals_and_finishes(finished: list[Booking]) -> None:
    w = world()
    user = interpreter_user()
    booking = book(w)
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    offer_accept(offer_id=offer.pk, user=user, declarations=YES, now=NOW)
    after = booking.end + dt.timedelta(hours=1)
    with pytest.raises(ValidationFailed):
        booking_complete(booking_id=booking.pk, user=w.coordinator, actual_start=booking.end,
                         actual_end=booking.start, now=after)
    done = booking_complete(
        booking_id=booking.pk, user=w.coordinator, actual_start=booking.start,
        actual_end=booking.start + dt.timedelta(minutes=75), cost_nok=Decimal("1250.00"),
        now=after,
    )
    assert done.status == BookingStatus.COMPLETED
    assert finished == [done]
    fields = booking_fact_fields(done)
    assert fields["outcome"] == "completed"
    assert fields["duration_minutes"] == 75
    assert fields["cost_nok"] == Decimal("1250.00")
    assert fields["interpreter_category"] == "A"
    assert fields["provider_type"] == "municipal"
    with pytest.raises(ConflictError):
        booking_complete(booking_id=booking.pk, user=w.coordinator, actual_start=booking.start,
                         actual_end=booking.end, now=after)


def test_register_change_reopens_future_assignments() -> None:
    w = world()
    user = interpreter_user(category="A")
    substitute = interpreter_user(category="B")
    booking = book(w, start=AFTER_CUTOFF)
    (offer, _) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    assert offer.interpreter_id == user.interpreter_id
    offer_accept(offer_id=offer.pk, user=user, declarations=YES, now=NOW)
    factories.StatusEventFactory(interpreter=user.interpreter, kind="suspension",
                                 valid_from=dt.date(2026, 1, 1))
    with transaction.atomic():
        result = recheck_interpreters(interpreter_ids=[user.interpreter_id, 999999],
                                      cause="suspended (register import)")
    assert result.reopened_assignments == 1
    assignment = Assignment.objects.get(booking=booking, interpreter=user.interpreter)
    assert assignment.status == "reopened"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OFFERED
    entry = AuditEntry.objects.get(booking=booking, action="register_reopened")
    assert entry.reason.endswith("[suspended (register import)]") and entry.actor_role == "register"
    # The substitute's offer was withdrawn when the booking was taken: it is offered again.
    assert Offer.objects.get(booking=booking, interpreter_id=substitute.interpreter_id).status \
        == OfferStatus.PENDING
    assert Event.objects.filter(kind="assignment.changed",
                                interpreter_id=user.interpreter_id).count() == 2


def test_register_change_withdraws_a_personal_offer_only_when_it_blocks() -> None:
    """A personal offer on a documented exception goes to an interpreter not qualified for the
    language: a register change that leaves them active keeps it; a suspension withdraws it."""
    w = world()
    unqualified = _unqualified()
    booking = book(w, start=AFTER_CUTOFF)
    offer = offer_send_personal(booking_id=booking.pk, user=w.coordinator,
                                register_number=unqualified.interpreter.register_number,
                                exception=EXCEPTION, now=NOW)
    with transaction.atomic():
        recheck_interpreters(interpreter_ids=[unqualified.interpreter_id], cause="register import")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    factories.StatusEventFactory(interpreter=unqualified.interpreter, kind="suspension",
                                 valid_from=dt.date(2026, 1, 1))
    with transaction.atomic():
        recheck_interpreters(interpreter_ids=[unqualified.interpreter_id],
                             cause="suspended (register import)")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN


def test_only_bookers_create_bookings() -> None:
    w = world()
    with pytest.raises(PermissionDeniedError):
        booking_create(user=w.coordinator, data=request(), now=NOW)


def test_qualified_interpreter_helper_is_in_the_register() -> None:
    interpreter = qualified(language="som", category="D")
    assert interpreter.qualifications.get().language == "som"


def test_automatic_dispatch_sends_the_first_wave_with_the_booking(settings: object) -> None:
    settings.TOLK_AUTO_DISPATCH = True  # type: ignore[attr-defined]
    w = world()
    user = interpreter_user()
    booking = book(w)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OFFERED
    assert Offer.objects.get(booking=booking).interpreter_id == user.interpreter_id
    assert AuditEntry.objects.filter(booking=booking).last().actor_role == "system"
