"""Output serializers shared by the booking APIs: what a booking, an assignment, an offer and an
audit entry look like in an answer. Every key here is part of the public API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from booking.dispatch import selectors
from booking.dispatch.services.offers import offer_payload
from booking.models import (
    Assignment,
    AssignmentStatus,
    Booking,
    BookingStatus,
    DeclarationSource,
    Modality,
    Offer,
    OfferStatus,
    Role,
)
from tolk.fields import BlankAsNullCharField, InstantOutputField
from tolk.outputs import OptionalKeysSerializer, paginated
from tolk.reference.languages import language_name


class OrganisationRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    org_number = serializers.CharField()


class UnitRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AssignmentOutput(serializers.Serializer):
    """An assignment with the evidence an auditor needs: the interpreter (in the register or
    not), the category checked, the § 7 exception, the §§ 15–16 declarations and who gave them."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AssignmentStatus.choices)
    register_number = serializers.CharField(source="interpreter.register_number",
                                            allow_null=True)
    name = serializers.SerializerMethodField()
    in_register = serializers.SerializerMethodField()
    category = BlankAsNullCharField()
    category_checked_at = InstantOutputField()
    basis = serializers.CharField()
    exception_ground = BlankAsNullCharField()
    exception_justification = BlankAsNullCharField()
    exception_decided_by = BlankAsNullCharField()
    child_exception_ground = BlankAsNullCharField()
    declared_impartial = serializers.BooleanField()
    declared_confidentiality = serializers.BooleanField()
    declared_at = InstantOutputField(allow_null=True)
    declaration_source = serializers.ChoiceField(choices=DeclarationSource.choices)
    declared_by_name = BlankAsNullCharField()
    declaration_recorded_by = serializers.CharField(source="declaration_recorded_by.username",
                                                    allow_null=True)
    declaration_recorded_at = InstantOutputField(allow_null=True)
    travel_minutes = serializers.IntegerField()
    actual_start = InstantOutputField(allow_null=True)
    actual_end = InstantOutputField(allow_null=True)
    cost_nok = serializers.CharField(allow_null=True, help_text="NOK, two decimals, as text.")

    def get_name(self, assignment: Assignment) -> str:
        """The interpreter's name; outside the register, the name recorded for them."""
        interpreter = assignment.interpreter
        return interpreter.full_name if interpreter else assignment.adhoc_name

    def get_in_register(self, assignment: Assignment) -> bool:
        return assignment.interpreter_id is not None


class AcceptedAssignmentOutput(AssignmentOutput):
    """The assignment an accepted offer made, with its booking."""

    booking_id = serializers.IntegerField()


# Not shown to interpreters: the customer's own assessment, case and administration.
STAFF_FIELDS = (
    "duty_basis", "assessment_note", "case_reference", "preferred_gender", "min_category",
    "qualified_required", "police_certificate_required", "guideline_version", "rule_set", "wave",
    "created_at", "cancelled_at", "cancelled_by", "cancel_reason", "late_cancellation",
    "assignment", "filled_at", "time_to_fill_seconds",
)
_NOT_FOR_INTERPRETERS = "Not shown to interpreters."


class BookingOutput(serializers.Serializer):
    """One booking as the caller may see it (context `user`). Interpreters see what they need for
    the job, not the customer's internal assessment or case reference."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    language = serializers.CharField(help_text="ISO 639-3")
    language_name = serializers.SerializerMethodField()
    dialect = serializers.CharField(allow_blank=True)
    modality = serializers.ChoiceField(choices=Modality.choices)
    start = InstantOutputField()
    end = InstantOutputField()
    municipality = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    platform = serializers.CharField(allow_blank=True)
    sector = serializers.CharField(allow_blank=True)
    topic_notes = serializers.CharField(allow_blank=True)
    terminology_notes = serializers.CharField(allow_blank=True)
    customer = OrganisationRefOutput()
    unit = UnitRefOutput()
    provider = OrganisationRefOutput()
    duty_basis = serializers.CharField(required=False, help_text=_NOT_FOR_INTERPRETERS)
    assessment_note = serializers.CharField(required=False, allow_blank=True,
                                            help_text=_NOT_FOR_INTERPRETERS)
    case_reference = serializers.CharField(required=False, allow_blank=True,
                                           help_text=_NOT_FOR_INTERPRETERS)
    preferred_gender = BlankAsNullCharField(required=False, help_text=_NOT_FOR_INTERPRETERS)
    min_category = BlankAsNullCharField(required=False, help_text=_NOT_FOR_INTERPRETERS)
    qualified_required = serializers.BooleanField(required=False,
                                                  help_text=_NOT_FOR_INTERPRETERS)
    police_certificate_required = serializers.BooleanField(required=False,
                                                           help_text=_NOT_FOR_INTERPRETERS)
    guideline_version = serializers.IntegerField(source="guideline.version", allow_null=True,
                                                 required=False, help_text=_NOT_FOR_INTERPRETERS)
    rule_set = serializers.CharField(required=False, help_text=_NOT_FOR_INTERPRETERS)
    wave = serializers.IntegerField(required=False, help_text=_NOT_FOR_INTERPRETERS)
    created_at = InstantOutputField(required=False, help_text=_NOT_FOR_INTERPRETERS)
    cancelled_at = InstantOutputField(required=False, allow_null=True,
                                      help_text=_NOT_FOR_INTERPRETERS)
    cancelled_by = BlankAsNullCharField(required=False, help_text=_NOT_FOR_INTERPRETERS)
    cancel_reason = BlankAsNullCharField(required=False, help_text=_NOT_FOR_INTERPRETERS)
    late_cancellation = serializers.BooleanField(required=False,
                                                 help_text=_NOT_FOR_INTERPRETERS)
    filled_at = InstantOutputField(
        required=False, allow_null=True,
        help_text="When the interpreter who holds it accepted. " + _NOT_FOR_INTERPRETERS)
    time_to_fill_seconds = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="From when the booking was made to that acceptance, in seconds. "
        + _NOT_FOR_INTERPRETERS)
    acute = serializers.BooleanField(
        help_text="Made to start within TOLK_ACUTE_HOURS (decided when it was made): a larger "
        "first wave, short offer expiry, first on the dispatch board.")

    def get_language_name(self, booking: Booking) -> str:
        return language_name(booking.language)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        user = self.context.get("user")
        if user is not None and user.role == Role.INTERPRETER:
            for name in STAFF_FIELDS:
                fields.pop(name, None)
        return fields


class _LiveAssignmentField(AssignmentOutput):
    def get_attribute(self, instance: Booking) -> Assignment | None:
        return selectors.booking_live_assignment(booking=instance)


class BookingDetailOutput(BookingOutput):
    """A booking with its live assignment (bookers, coordinators, admins)."""

    assignment = _LiveAssignmentField(allow_null=True, required=False,
                                      help_text=_NOT_FOR_INTERPRETERS)


BookingPageOutput = paginated("PaginatedBookingList", BookingOutput(many=True))


class RemoteSuggestionOutput(serializers.Serializer):
    """Free qualified interpreters on site and, instead, over video and over phone."""

    onsite = serializers.IntegerField()
    video = serializers.IntegerField()
    phone = serializers.IntegerField()


class BookingCheckOutput(serializers.Serializer):
    """The dry run: the rules that apply on the day and the free qualified interpreters."""

    ok = serializers.BooleanField()
    rule_set = serializers.CharField()
    date = serializers.DateField()
    rules = serializers.ListField(child=serializers.CharField(), help_text="Rule codes in force.")
    guideline_version = serializers.IntegerField(allow_null=True)
    provider = serializers.CharField(help_text="The provider's organisation number.")
    min_category = serializers.CharField(allow_blank=True)
    qualified_required = serializers.BooleanField()
    police_certificate_required = serializers.BooleanField()
    acute = serializers.BooleanField(help_text="Booked now, the booking would be acute.")
    free_qualified_interpreters = serializers.IntegerField()
    by_category = serializers.DictField(child=serializers.IntegerField(),
                                        help_text="Free qualified interpreters per category A–E.")
    remote_suggestion = RemoteSuggestionOutput(
        allow_null=True,
        help_text="An acute on-site booking with too few free interpreters for its first wave "
        "(TOLK_ACUTE_FIRST_WAVE), when video or phone would find more and the organisation has "
        "an approved platform: the counts. Null otherwise.")
    late_cancellation_hours = serializers.IntegerField(
        help_text="The guideline's late-cancellation window before the start, in hours.")
    late_cancellation_on_acceptance = serializers.BooleanField(
        help_text="Booked now, the booking starts inside that window: a cancellation after an "
        "interpreter has accepted it would already be late (before any acceptance it never is).")


class CandidateOutput(serializers.Serializer):
    interpreter_id = serializers.IntegerField()
    register_number = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    gender = serializers.CharField()
    municipality = serializers.CharField()
    category = serializers.CharField()
    recent_assignments = serializers.IntegerField()
    distance_km = serializers.SerializerMethodField()
    travel_minutes = serializers.IntegerField()
    rank = serializers.IntegerField()

    def get_distance_km(self, candidate: selectors.Candidate) -> float:
        return round(candidate.distance_km, 1)


CandidatePageOutput = paginated("PaginatedCandidateList", CandidateOutput(many=True))


class ConflictOutput(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class ExclusionReasonOutput(OptionalKeysSerializer):
    code = serializers.CharField(help_text="A rule code (TL...) or MODALITY, PREFERENCE_GENDER, "
                                 "ALREADY_OFFERED, BUSY.")
    section = serializers.CharField(allow_null=True)
    detail = serializers.CharField()
    conflicts = ConflictOutput(many=True, required=False,
                               help_text="BUSY: the other assignments in the slot.")


class CandidateExplanationOutput(serializers.Serializer):
    """`?explain=`: is the interpreter a candidate, and every rule that excludes them."""

    register_number = serializers.CharField()
    eligible = serializers.BooleanField()
    category = serializers.CharField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    reasons = ExclusionReasonOutput(many=True)


class OfferRowOutput(serializers.Serializer):
    """An offer of a booking, as the coordinator sees it."""

    id = serializers.IntegerField()
    register_number = serializers.CharField(source="interpreter.register_number")
    wave = serializers.IntegerField()
    rank = serializers.IntegerField()
    status = serializers.ChoiceField(choices=OfferStatus.choices)
    expires_at = InstantOutputField()
    responded_at = InstantOutputField(allow_null=True)
    decline_reason = BlankAsNullCharField()
    personal = serializers.BooleanField()


class BookingOffersOutput(serializers.Serializer):
    results = OfferRowOutput(many=True)


class OffersSentOutput(serializers.Serializer):
    booking = BookingOutput()
    offers = OfferRowOutput(many=True, help_text="The offers sent now (none: 200).")


INTERPRETER_WITHDRAWN = "withdrawn"


class InterpreterCancelOutput(serializers.Serializer):
    booking_id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=[INTERPRETER_WITHDRAWN],
        help_text="The interpreter has given the assignment back; the booking goes out again.",
    )


class AuditEntryOutput(serializers.Serializer):
    """Who, when, from, to, why."""

    id = serializers.IntegerField()
    at = InstantOutputField()
    actor = serializers.CharField(source="actor.username", allow_null=True)
    actor_role = serializers.CharField(allow_blank=True)
    action = serializers.CharField()
    reason = BlankAsNullCharField()
    details = serializers.DictField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # `from` is a Python keyword, so these two cannot be declared as attributes.
        ordered: dict[str, serializers.Field] = {}
        for name, field in fields.items():
            if name == "reason":
                ordered["from"] = BlankAsNullCharField(source="from_status")
                ordered["to"] = BlankAsNullCharField(source="to_status")
            ordered[name] = field
        return ordered


AuditPageOutput = paginated("PaginatedAuditEntryList", AuditEntryOutput(many=True))


class InterpreterOfferOutput(OptionalKeysSerializer):
    """An offer as the interpreter sees it: what they need to judge it (§ 14), never data about
    the person. The same payload as the websocket's `offer.created`."""

    offer_id = serializers.IntegerField()
    booking_id = serializers.IntegerField()
    language = serializers.CharField()
    language_name = serializers.CharField()
    dialect = serializers.CharField(allow_blank=True)
    modality = serializers.ChoiceField(choices=Modality.choices)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    topic_notes = serializers.CharField(allow_blank=True)
    terminology_notes = serializers.CharField(allow_blank=True)
    expires_at = serializers.DateTimeField()
    personal = serializers.BooleanField()
    acute = serializers.BooleanField(help_text="An acute booking (see the booking's `acute`).")
    municipality = serializers.CharField(required=False, allow_blank=True,
                                         help_text="On-site only.")
    address = serializers.CharField(required=False, allow_blank=True, help_text="On-site only.")
    platform = serializers.CharField(required=False, allow_blank=True,
                                     help_text="Video and phone only.")
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=OfferStatus.choices)
    wave = serializers.IntegerField()
    created_at = InstantOutputField()
    responded_at = InstantOutputField(allow_null=True)
    booking_status = serializers.ChoiceField(choices=BookingStatus.choices)

    def to_representation(self, instance: Any) -> Any:
        if isinstance(instance, Offer):
            instance = {
                **offer_payload(instance, instance.booking),
                "id": instance.pk, "status": instance.status, "wave": instance.wave,
                "created_at": instance.created_at, "responded_at": instance.responded_at,
                "booking_status": instance.booking.status,
            }
        return super().to_representation(instance)


InterpreterOfferPageOutput = paginated("PaginatedInterpreterOfferList",
                                       InterpreterOfferOutput(many=True))
