"""Demo data for bookings: guidelines (§ 9), provider agreements, and a realistic handful of
bookings in every state for the demo organisations, made through the same services as real use
(with an injected clock for the ones in the past), so the audit trail and events are real too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from booking.dispatch.selectors import booking_candidates
from booking.dispatch.services.bookings import (
    BookingInput,
    booking_cancel,
    booking_complete,
    booking_create,
)
from booking.dispatch.services.exception_path import assignment_record_adhoc, offer_send_personal
from booking.dispatch.services.guidelines import guideline_publish
from booking.dispatch.services.offers import offer_accept, offer_decline, offers_send_wave
from booking.models import (
    Booking,
    Guideline,
    Interpreter,
    Organisation,
    ProviderAgreement,
    Role,
    User,
)
from booking.rules import Declarations, ExceptionRecord, WrittenDeclaration

OSLO = ZoneInfo("Europe/Oslo")
DEMO_INTERPRETER_NUMBER = "T-10001"
PLATFORMS = ["Teams (helsenett)", "Whereby Sikker", "Telefon via sentralbord"]
YES = Declarations(impartial=True, confidentiality=True)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=OSLO)


def _org(name: str) -> Organisation | None:
    return Organisation.objects.filter(name=name).first()


def _guidelines(today: dt.date, orgs: dict[str, Organisation], admin: User | None) -> int:
    count = 0
    year_ago = today - dt.timedelta(days=365)
    for key, org in orgs.items():
        if key in ("tolketjenesten", "nordisk") or Guideline.objects.filter(
            organisation=org
        ).exists():
            continue
        guideline_publish(
            organisation=org, valid_from=year_ago, remote_platforms=PLATFORMS[:2],
            late_cancellation_hours=24, created_by=admin,
            ordering_routine="Bestill i Tolk senest to virkedager før; akutt: ring formidler.",
            mandatory_use="Tolk brukes alltid ved vedtak, kartlegging og helsehjelp når "
            "språkbarriere er vurdert (tolkeloven § 6).",
            remote_guidance="Skjermtolking bare på godkjent plattform; telefon når skjerm "
            "ikke er mulig.",
        )
        count += 1
    if "oslo" in orgs:
        # A stricter second version: at least category D, police certificate for child welfare
        # is handled per booking; a 48-hour cancellation window.
        guideline_publish(
            organisation=orgs["oslo"], valid_from=today - dt.timedelta(days=30),
            min_category="D", remote_platforms=PLATFORMS, late_cancellation_hours=48,
            created_by=admin,
            ordering_routine="Bestill i Tolk; bruk kvalifisert tolk (kategori A–D).",
        )
        count += 1
    return count


def _agreements(orgs: dict[str, Organisation]) -> int:
    pairs = [
        ("oslo", "tolketjenesten", True), ("oslo", "nordisk", False),
        ("bergen", "nordisk", True), ("trondheim", "nordisk", True), ("udi", "udi", True),
    ]
    made = 0
    for customer, provider, default in pairs:
        if customer in orgs and provider in orgs:
            ProviderAgreement.objects.get_or_create(
                customer=orgs[customer], provider=orgs[provider],
                defaults={"is_default": default},
            )
            made += 1
    return made


def _interpreter_login(interpreter: Interpreter) -> User:
    """The interpreter's login (one without a password for the demo's other interpreters): only
    the interpreter can accept an offer and give the declarations."""
    user = User.objects.filter(interpreter=interpreter).first()
    if user is None:
        user = User(username=f"tolk-{interpreter.register_number.lower()}",
                    role=Role.INTERPRETER, interpreter=interpreter,
                    first_name=interpreter.given_name, last_name=interpreter.family_name)
        user.set_unusable_password()
        user.save()
    return user


def _request(start: dt.datetime, **kw: object) -> BookingInput:
    values: dict[str, object] = {
        "language": "ara", "modality": "onsite", "start": start,
        "end": start + dt.timedelta(minutes=60), "duty_basis": "necessary",
        "assessment_note": "Saksbehandler vurderte at samtalen ikke kan gjennomføres på norsk.",
        "municipality": "0301", "address": "Thorvald Meyers gate 2, 0555 Oslo",
        "topic_notes": "Oppfølgingssamtale om arbeid og aktivitet.",
    }
    values.update(kw)
    return BookingInput(**values)  # type: ignore[arg-type]


@transaction.atomic
def seed(
    *, today: dt.date, progress: Callable[[str], None] = lambda _msg: None
) -> dict[str, int]:
    """Guidelines, provider agreements and about twenty bookings in all states. Expects the
    organisations and demo users from `booking.demo`."""
    progress("guidelines and agreements")
    names = {
        "oslo": "Oslo kommune", "bergen": "Bergen kommune", "trondheim": "Trondheim kommune",
        "tolketjenesten": "Tolketjenesten Oslo kommune", "nordisk": "Nordisk Tolkeformidling AS",
        "udi": "Utlendingsdirektoratet",
    }
    orgs = {key: org for key, name in names.items() if (org := _org(name)) is not None}
    admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    guidelines = _guidelines(today, orgs, admin)
    agreements = _agreements(orgs)
    booker = User.objects.filter(username="booker").first()
    coordinator = User.objects.filter(username="coordinator").first()
    interpreter_user = User.objects.filter(username="interpreter").first()
    if booker is None or coordinator is None:
        return {"guidelines": guidelines, "provider_agreements": agreements, "bookings": 0}

    progress("bookings")
    base_now = dt.datetime.combine(today, dt.time(8, 0), tzinfo=OSLO)
    # Offers for the coming days go out "now", so they are still open when the demo starts.
    live_now = timezone.now() if today == timezone.localdate() else base_now
    made: list[Booking] = []

    def create(start: dt.datetime, by: User = booker, **kw: object) -> Booking:
        now = min(base_now, start - dt.timedelta(days=3))
        booking, _ = booking_create(user=by, data=_request(start, **kw), now=now)
        made.append(booking)
        return booking

    def assign(booking: Booking, register_number: str | None = None) -> None:
        """The coordinator offers the booking to the chosen (or the top) candidate, who accepts
        with their own §§ 15–16 declarations."""
        now = min(base_now, booking.start - dt.timedelta(days=2))
        if register_number is None:
            ranked = booking_candidates(booking=booking, now=now)
            if not ranked:
                return
            register_number = ranked[0].register_number
        (offer,) = offers_send_wave(booking_id=booking.pk, user=coordinator, now=now,
                                    register_numbers=[register_number])
        offer_accept(offer_id=offer.pk, user=_interpreter_login(offer.interpreter),
                     declarations=YES, now=now)

    # Completed assignments in the past weeks.
    languages = ["ara", "tir", "som", "ukr", "prs", "pol"]
    for i, language in enumerate(languages):
        day = today - dt.timedelta(days=7 * (i + 1))
        booking = create(_at(day, 9 + i % 4), language=language,
                         modality="onsite" if i % 2 == 0 else "video",
                         platform="" if i % 2 == 0 else PLATFORMS[0],
                         address="Thorvald Meyers gate 2, 0555 Oslo" if i % 2 == 0 else "")
        assign(booking)
        booking.refresh_from_db()
        if booking.status == "assigned":
            booking_complete(
                booking_id=booking.pk, user=coordinator, actual_start=booking.start,
                actual_end=booking.end + dt.timedelta(minutes=15 * (i % 3)),
                cost_nok=Decimal("950.00") + Decimal(150 * (i % 3)),
                now=booking.end + dt.timedelta(hours=2),
            )
    # A past booking that found nobody, in a language with no register interpreters (Mabaan).
    create(_at(today - dt.timedelta(days=5), 13), language="mfz", modality="phone",
           platform=PLATFORMS[2], address="")
    unfilled = made[-1]
    offers_send_wave(booking_id=unfilled.pk, user=coordinator,
                     now=min(base_now, unfilled.start - dt.timedelta(days=2)))

    # The coming weeks: open, offered, assigned (two to the demo interpreter), cancelled.
    soon = today + dt.timedelta(days=3)
    create(_at(soon, 10), language="som", topic_notes="Foreldresamtale")
    create(_at(soon + dt.timedelta(days=1), 14), language="ukr", modality="video",
           platform=PLATFORMS[0], address="", duty_basis="discretionary", assessment_note="")
    offered = create(_at(soon + dt.timedelta(days=2), 9), language="tir",
                     topic_notes="Kartlegging av bosituasjon")
    offers_send_wave(booking_id=offered.pk, user=coordinator, limit=3, now=live_now)
    offered_ara = create(_at(soon + dt.timedelta(days=4), 11),
                         topic_notes="Vedtak om kvalifiseringsprogram")
    demo = Interpreter.objects.filter(register_number=DEMO_INTERPRETER_NUMBER).first()
    if demo is not None:
        try:
            offers_send_wave(booking_id=offered_ara.pk, user=coordinator, now=live_now,
                             register_numbers=[DEMO_INTERPRETER_NUMBER])
        except Exception:  # noqa: BLE001 - the demo interpreter may not be a candidate
            offers_send_wave(booking_id=offered_ara.pk, user=coordinator, now=live_now)
    # The exception path: the coordinator offers a Somali booking personally to the demo
    # interpreter (not registered for Somali) with a documented § 7 exception; it becomes an
    # assignment only when the interpreter accepts it with their own declarations.
    personal = create(_at(soon + dt.timedelta(days=7), 13), language="som",
                      topic_notes="Samtale om botilbud")
    if demo is not None:
        offer_send_personal(
            booking_id=personal.pk, user=coordinator, register_number=DEMO_INTERPRETER_NUMBER,
            exception=ExceptionRecord(
                ground="cannot_wait",
                justification="Vedtaksfristen løper ut; ingen kvalifisert somalisk tolk kunne ta "
                "oppdraget i tide, og tolken behersker somali godt.",
                decided_by="Fagleder Tolketjenesten",
            ),
            now=live_now,
        )
    for day_offset, hour in ((5, 10), (8, 13)):
        booking = create(_at(soon + dt.timedelta(days=day_offset), hour),
                         terminology_notes="Trygdeytelser, aktivitetsplikt")
        try:
            assign(booking, DEMO_INTERPRETER_NUMBER if demo is not None else None)
        except Exception:  # noqa: BLE001 - fall back to the ordinary offer round
            assign(booking)
    declined = create(_at(soon + dt.timedelta(days=6), 12), language="ara")
    offers = offers_send_wave(booking_id=declined.pk, user=coordinator, limit=2, now=live_now)
    if offers and interpreter_user is not None and offers[0].interpreter_id == getattr(
        interpreter_user, "interpreter_id", None
    ):
        offer_decline(offer_id=offers[0].pk, user=interpreter_user, reason="Opptatt",
                      now=live_now)
    cancelled = create(_at(today + dt.timedelta(days=1), 9), language="pol")
    booking_cancel(booking_id=cancelled.pk, user=booker, reason="Brukeren har flyttet",
                   now=base_now)
    # An emergency with a documented exception: ad hoc interpreter outside the register.
    emergency = create(_at(today + dt.timedelta(days=2), 22), language="rhg", modality="phone",
                       platform=PLATFORMS[2], address="")
    # The interpreter has no login: the coordinator records their written declarations.
    assignment_record_adhoc(
        booking_id=emergency.pk, user=coordinator, adhoc_name="Tolk utenfor registeret",
        adhoc_age=34,
        exception=ExceptionRecord(
            ground="emergency",
            justification="Akutt situasjon på legevakten; ingen kvalifisert rohingya-tolk "
            "tilgjengelig innen forsvarlig tid.",
            decided_by="Vakthavende lege",
        ),
        written_declaration=WrittenDeclaration(
            declared_by="Tolk utenfor registeret", declared_at=base_now - dt.timedelta(minutes=20),
            impartial=True, confidentiality=True,
        ),
        now=base_now,
    )
    return {
        "guidelines": guidelines,
        "provider_agreements": agreements,
        "bookings": len(made),
    }
