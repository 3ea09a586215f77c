"""Bookings over HTTP: thin views that parse, call one service or selector, and serialize."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import selectors_bookings as selectors
from booking.filters_bookings import BookingFilter
from booking.languages import language_name
from booking.models import (
    Assignment,
    Booking,
    BookingStatus,
    Category,
    DeclarationSource,
    Gender,
    Modality,
    Offer,
    Role,
    Sector,
    User,
)
from booking.permissions import IsBooker, IsInterpreter, role_permission
from booking.rules import ChildException, ExceptionRecord, WrittenDeclaration
from booking.rules.declarations import interpreter_must_declare, timezone_naive
from booking.services import bookings as services
from booking.services import exception_path
from booking.services.offers import offers_send_wave
from tolk.api import Pagination
from tolk.errors import ValidationFailed
from tolk.fields import InstantField

CanSeeBookings = role_permission(Role.BOOKER, Role.COORDINATOR, Role.INTERPRETER, Role.ADMIN)
CanManageBookings = role_permission(Role.BOOKER, Role.COORDINATOR, Role.ADMIN)
CanDispatch = role_permission(Role.COORDINATOR, Role.ADMIN)


def _user(request: Request) -> User:
    """The caller; every view here requires authentication, so never anonymous."""
    return cast(User, request.user)


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name, "org_number": org.org_number}


def assignment_to_dict(assignment: Assignment | None) -> dict[str, Any] | None:
    if assignment is None:
        return None
    interpreter = assignment.interpreter
    return {
        "id": assignment.pk,
        "status": assignment.status,
        "register_number": interpreter.register_number if interpreter else None,
        "name": interpreter.full_name if interpreter else assignment.adhoc_name,
        "in_register": interpreter is not None,
        "category": assignment.category or None,
        "category_checked_at": assignment.category_checked_at,
        "basis": assignment.basis,
        "exception_ground": assignment.exception_ground or None,
        "exception_justification": assignment.exception_justification or None,
        "exception_decided_by": assignment.exception_decided_by or None,
        "child_exception_ground": assignment.child_exception_ground or None,
        "declared_impartial": assignment.declared_impartial,
        "declared_confidentiality": assignment.declared_confidentiality,
        "declared_at": assignment.declared_at,
        "declaration_source": assignment.declaration_source,
        "declared_by_name": assignment.declared_by_name or None,
        "declaration_recorded_by": (
            assignment.declaration_recorded_by.username
            if assignment.declaration_recorded_by else None
        ),
        "declaration_recorded_at": assignment.declaration_recorded_at,
        "travel_minutes": assignment.travel_minutes,
        "actual_start": assignment.actual_start,
        "actual_end": assignment.actual_end,
        "cost_nok": str(assignment.cost_nok) if assignment.cost_nok is not None else None,
    }


def booking_to_dict(booking: Booking, *, user: User, detail: bool = False) -> dict[str, Any]:
    """One booking as the caller may see it. Interpreters see what they need for the job, not
    the customer's internal assessment or case reference."""
    data: dict[str, Any] = {
        "id": booking.pk,
        "status": booking.status,
        "language": booking.language,
        "language_name": language_name(booking.language),
        "dialect": booking.dialect,
        "modality": booking.modality,
        "start": booking.start,
        "end": booking.end,
        "municipality": booking.municipality,
        "address": booking.address,
        "platform": booking.platform,
        "sector": booking.sector,
        "topic_notes": booking.topic_notes,
        "terminology_notes": booking.terminology_notes,
        "customer": _org(booking.customer),
        "unit": {"id": booking.unit_id, "name": booking.unit.name},
        "provider": _org(booking.provider),
    }
    if user.role == Role.INTERPRETER:
        return data
    data.update({
        "duty_basis": booking.duty_basis,
        "assessment_note": booking.assessment_note,
        "case_reference": booking.case_reference,
        "preferred_gender": booking.preferred_gender or None,
        "min_category": booking.min_category or None,
        "qualified_required": booking.qualified_required,
        "police_certificate_required": booking.police_certificate_required,
        "guideline_version": booking.guideline.version if booking.guideline else None,
        "rule_set": booking.rule_set,
        "wave": booking.wave,
        "created_at": booking.created_at,
        "cancelled_at": booking.cancelled_at,
        "cancelled_by": booking.cancelled_by or None,
        "cancel_reason": booking.cancel_reason or None,
        "late_cancellation": booking.late_cancellation,
    })
    if detail:
        data["assignment"] = assignment_to_dict(
            selectors.booking_live_assignment(booking=booking)
        )
    return data


class BookingInputSerializer(serializers.Serializer):
    language = serializers.CharField(max_length=3)
    dialect = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    modality = serializers.ChoiceField(choices=Modality.choices)
    start = InstantField(help_text="ISO 8601 with offset; without one, Oslo time (refused "
                         "when it does not exist or exists twice on a clock change day).")
    end = InstantField()
    municipality = serializers.CharField(max_length=4, required=False, allow_blank=True,
                                         default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    platform = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                     default="")
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True,
                                     default="")
    duty_basis = serializers.CharField(max_length=16)
    assessment_note = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                            default="")
    topic_notes = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                        default="")
    terminology_notes = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                              default="")
    case_reference = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                           default="")
    preferred_gender = serializers.ChoiceField(choices=Gender.choices, required=False,
                                               allow_blank=True, default="")
    min_category = serializers.ChoiceField(choices=Category.choices, required=False,
                                           allow_blank=True, default="")
    police_certificate_required = serializers.BooleanField(required=False, default=False)
    provider = serializers.CharField(max_length=9, required=False, allow_blank=True, default="",
                                     help_text="Organisation number; empty: default provider.")

    def to_input(self) -> services.BookingInput:
        return services.BookingInput(**self.validated_data)


def _parse(serializer_class: type[serializers.Serializer], data: Any) -> Any:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer


def _booking_id(pk: int) -> int:
    return int(pk)


class BookingListCreateApi(APIView):
    """GET: the bookings the caller may see (paginated, filterable). POST: a booker books."""

    permission_classes = [IsAuthenticated, CanSeeBookings]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, many=True),
            OpenApiParameter("language", OpenApiTypes.STR),
            OpenApiParameter("modality", OpenApiTypes.STR),
            OpenApiParameter("sector", OpenApiTypes.STR),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        qs: QuerySet[Booking] = selectors.bookings_visible_to(user=_user(request))
        filterset = BookingFilter(request.query_params, queryset=qs)
        if not filterset.is_valid():
            raise ValidationFailed(
                code="invalid", message_nb="Ugyldig filter.", message_en="Invalid filter.",
                fields={k: [str(e) for e in v] for k, v in filterset.errors.items()},
            )
        paginator = Pagination()
        ordered = filterset.qs.order_by("-start", "-id")
        page: list[Any] | None = paginator.paginate_queryset(ordered, request, view=self)
        return paginator.get_paginated_response(
            [booking_to_dict(b, user=_user(request)) for b in page or []]
        )

    @extend_schema(
        request=BookingInputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR,
                                     OpenApiParameter.HEADER)],
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        if not IsBooker().has_permission(request, self):
            self.permission_denied(request)
        data = _parse(BookingInputSerializer, request.data).to_input()
        booking, created = services.booking_create(
            user=_user(request), data=data,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        booking = selectors.booking_get(user=_user(request), booking_id=booking.pk)
        return Response(booking_to_dict(booking, user=_user(request), detail=True),
                        status=201 if created else 200)


class BookingCheckApi(APIView):
    """Dry run of the rules for the booking form, with the number of free qualified
    interpreters. Nothing is saved."""

    permission_classes = [IsAuthenticated, IsBooker]

    @extend_schema(request=BookingInputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = _parse(BookingInputSerializer, request.data).to_input()
        return Response(services.booking_check(user=_user(request), data=data))


class BookingDetailApi(APIView):
    permission_classes = [IsAuthenticated, CanSeeBookings]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        return Response(booking_to_dict(booking, user=_user(request), detail=True))


class _RankedHead(Sequence):
    """The ranked head of a candidate list, sized as the whole list, for the paginator."""

    def __init__(self, ranked: list[Any], total: int) -> None:
        self.ranked, self.total = ranked, total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: Any) -> Any:
        return self.ranked[index]


class BookingCandidatesApi(APIView):
    """Ranked candidates; `?explain=REGISTER_NUMBER` says which rules exclude an interpreter."""

    permission_classes = [IsAuthenticated, CanManageBookings]

    @extend_schema(
        parameters=[OpenApiParameter("explain", OpenApiTypes.STR)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        register_number = request.query_params.get("explain", "").strip()
        if register_number:
            explanation = selectors.candidate_explain(
                booking=booking, register_number=register_number[:16]
            )
            return Response({
                "register_number": explanation.register_number,
                "eligible": explanation.eligible,
                "category": explanation.category,
                "rank": explanation.rank,
                "reasons": explanation.reasons,
            })
        paginator = Pagination()
        size = paginator.get_page_size(request) or paginator.page_size
        raw_page = request.query_params.get(paginator.page_query_param, "1")
        number = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 10_000 else 1
        # Rank only as far as the requested page reaches; the count covers every candidate.
        head = selectors.booking_candidates_ranked(booking=booking, limit=number * size)
        page: list[Any] | None = paginator.paginate_queryset(
            _RankedHead(head.ranked, head.total), request, view=self  # type: ignore[arg-type]
        )
        return paginator.get_paginated_response([c.as_dict() for c in page or []])


class BookingOffersApi(APIView):
    """POST `{"limit": N}`: the coordinator offers the booking to the next N candidates.
    GET: the booking's offers."""

    permission_classes = [IsAuthenticated, CanDispatch]

    class InputSerializer(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=100, required=False)
        register_numbers = serializers.ListField(
            child=serializers.CharField(max_length=16), required=False, max_length=100,
            help_text="Offer to these candidates instead of the top of the list.",
        )

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        offers = selectors.offers_for_booking(booking=booking).order_by("wave", "rank")
        return Response({"results": [_offer_row(o) for o in offers]})

    @extend_schema(request=InputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        data = _parse(self.InputSerializer, request.data).validated_data
        offers = offers_send_wave(booking_id=_booking_id(pk), user=_user(request),
                                  limit=data.get("limit"),
                                  register_numbers=data.get("register_numbers"))
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        return Response(
            {"booking": booking_to_dict(booking, user=_user(request)),
             "offers": [_offer_row(o) for o in offers]},
            status=201 if offers else 200,
        )


def _offer_row(offer: Any) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "register_number": offer.interpreter.register_number,
        "wave": offer.wave,
        "rank": offer.rank,
        "status": offer.status,
        "expires_at": offer.expires_at,
        "responded_at": offer.responded_at,
        "decline_reason": offer.decline_reason or None,
        "personal": offer.personal,
    }


class BookingCancelApi(APIView):
    permission_classes = [IsAuthenticated, CanManageBookings]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                       default="")

    @extend_schema(request=InputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        data = _parse(self.InputSerializer, request.data).validated_data
        services.booking_cancel(booking_id=_booking_id(pk), user=_user(request),
                                reason=data["reason"])
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        return Response(booking_to_dict(booking, user=_user(request), detail=True))


class BookingCompleteApi(APIView):
    permission_classes = [IsAuthenticated, CanManageBookings]

    class InputSerializer(serializers.Serializer):
        actual_start = InstantField()
        actual_end = InstantField()
        cost_nok = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                            allow_null=True, min_value=0)

    @extend_schema(request=InputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        data = _parse(self.InputSerializer, request.data).validated_data
        services.booking_complete(
            booking_id=_booking_id(pk), user=_user(request), actual_start=data["actual_start"],
            actual_end=data["actual_end"], cost_nok=data.get("cost_nok"),
        )
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        return Response(booking_to_dict(booking, user=_user(request), detail=True))


class BookingInterpreterCancelApi(APIView):
    """The assigned interpreter gives the assignment back; it is offered again automatically."""

    permission_classes = [IsAuthenticated, IsInterpreter]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                       default="")

    @extend_schema(request=InputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        data = _parse(self.InputSerializer, request.data).validated_data
        services.assignment_cancel_by_interpreter(
            booking_id=_booking_id(pk), user=_user(request), reason=data["reason"]
        )
        return Response({"booking_id": int(pk), "status": "withdrawn"})


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false, nothing that merely looks like one ("yes", 1)."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class OffsetDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time with its UTC offset: a bare Oslo wall-clock time can be ambiguous or
    missing when the clocks change, so it is not guessed."""

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and timezone_naive(parsed):
                raise serializers.ValidationError("Must include a time zone offset.")
        return super().to_internal_value(value)


class WrittenDeclarationSerializer(serializers.Serializer):
    declared_by = serializers.CharField(
        max_length=200, help_text="The name the interpreter declared under (their own name)."
    )
    declared_at = OffsetDateTimeField(
        help_text="When the interpreter gave the declarations, with its UTC offset (not in the "
        "future)."
    )
    impartial = StrictBooleanField(help_text="§ 16: not disqualified. Must be true.")
    confidentiality = StrictBooleanField(help_text="§ 15: duty of confidentiality. Must be true.")


class AssignmentOutputSerializer(serializers.Serializer):
    """An assignment with the evidence an auditor needs (as in the booking detail)."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    register_number = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    in_register = serializers.BooleanField()
    category = serializers.CharField(allow_null=True)
    category_checked_at = serializers.DateTimeField()
    basis = serializers.CharField()
    exception_ground = serializers.CharField(allow_null=True)
    exception_justification = serializers.CharField(allow_null=True)
    exception_decided_by = serializers.CharField(allow_null=True)
    child_exception_ground = serializers.CharField(allow_null=True)
    declared_impartial = serializers.BooleanField()
    declared_confidentiality = serializers.BooleanField()
    declared_at = serializers.DateTimeField(allow_null=True)
    declaration_source = serializers.ChoiceField(choices=DeclarationSource.choices)
    declared_by_name = serializers.CharField(allow_null=True)
    declaration_recorded_by = serializers.CharField(allow_null=True)
    declaration_recorded_at = serializers.DateTimeField(allow_null=True)
    travel_minutes = serializers.IntegerField()
    actual_start = serializers.DateTimeField(allow_null=True)
    actual_end = serializers.DateTimeField(allow_null=True)
    cost_nok = serializers.CharField(allow_null=True)


class PersonalOfferOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    register_number = serializers.CharField()
    personal = serializers.BooleanField()
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()
    exception_ground = serializers.CharField(allow_null=True)
    exception_justification = serializers.CharField(allow_null=True)
    exception_decided_by = serializers.CharField(allow_null=True)
    block_override_reason = serializers.CharField(allow_null=True)


class BookingStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)


def personal_offer_to_dict(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "register_number": offer.interpreter.register_number,
        "personal": offer.personal,
        "status": offer.status,
        "expires_at": offer.expires_at,
        "exception_ground": offer.exception_ground or None,
        "exception_justification": offer.exception_justification or None,
        "exception_decided_by": offer.exception_decided_by or None,
        "block_override_reason": offer.block_override_reason or None,
    }


class BookingExceptionAssignApi(APIView):
    """The documented path for an interpreter outside the offer waves (§ 7 exception, § 16
    override, § 4 age check). A registered interpreter (`register_number`) gets a personal
    offer and is assigned only when they accept it with their own declarations; an interpreter
    outside the register (`adhoc_name`, `adhoc_age`) is assigned with their written declaration
    (`written_declaration`) recorded. The coordinator never declares for the interpreter."""

    permission_classes = [IsAuthenticated, CanDispatch]

    class InputSerializer(serializers.Serializer):
        register_number = serializers.CharField(max_length=16, required=False, allow_blank=True,
                                                default="")
        adhoc_name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                           default="")
        adhoc_age = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                             max_value=120)
        exception = serializers.DictField(
            required=False, allow_null=True,
            help_text="§ 7 exception: {ground, justification, decided_by}.",
        )
        child_exception = serializers.DictField(required=False, allow_null=True)
        written_declaration = WrittenDeclarationSerializer(
            required=False, allow_null=True,
            help_text="Interpreters outside the register only: their written §§ 15–16 "
            "declarations, who declared and when.",
        )
        block_override_reason = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, default="",
            help_text="Use an interpreter blocked for the case (§ 16): emergency or clearly "
            "justifiable, in writing.",
        )

    class OutputSerializer(serializers.Serializer):
        booking = BookingStateSerializer()
        offer = PersonalOfferOutputSerializer(
            allow_null=True, help_text="The personal offer (registered interpreter)."
        )
        assignment = AssignmentOutputSerializer(
            allow_null=True, help_text="The assignment (interpreter outside the register)."
        )

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        serializer = _parse(self.InputSerializer, request.data)
        data = serializer.validated_data
        for name in ("impartial", "confidentiality"):
            if name in request.data:
                raise interpreter_must_declare(name)
        register_number = data["register_number"].strip()
        adhoc_name = data["adhoc_name"].strip()
        if bool(register_number) == bool(adhoc_name):
            raise ValidationFailed(
                code="invalid",
                message_nb="Oppgi enten tolkenummer eller navn på tolk utenfor registeret.",
                message_en="Give either a register number or the name of an interpreter "
                "outside the register.",
                fields={"register_number": ["Give one of register_number and adhoc_name."]},
            )
        exception = ExceptionRecord.from_data(data.get("exception"))
        offer: Offer | None = None
        assignment: Assignment | None = None
        if register_number:
            if data.get("written_declaration") is not None:
                raise interpreter_must_declare("written_declaration")
            offer = exception_path.offer_send_personal(
                booking_id=_booking_id(pk), user=_user(request),
                register_number=register_number, exception=exception,
                block_override_reason=data["block_override_reason"],
            )
        else:
            written = data.get("written_declaration")
            assignment = exception_path.assignment_record_adhoc(
                booking_id=_booking_id(pk), user=_user(request), adhoc_name=adhoc_name,
                adhoc_age=data.get("adhoc_age"), exception=exception,
                child_exception=ChildException.from_data(data.get("child_exception")),
                written_declaration=WrittenDeclaration(**written) if written else None,
            )
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        return Response(self.OutputSerializer({
            "booking": {"id": booking.pk, "status": booking.status},
            "offer": personal_offer_to_dict(offer) if offer else None,
            "assignment": assignment_to_dict(assignment),
        }).data, status=201)


class BookingAuditApi(APIView):
    """The booking's audit trail: who, when, from, to, why."""

    permission_classes = [IsAuthenticated, CanManageBookings]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        entries = selectors.audit_for_booking(booking=booking)
        paginator = Pagination()
        page: list[Any] | None = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response([
            {
                "id": e.pk,
                "at": e.at,
                "actor": e.actor.username if e.actor else None,
                "actor_role": e.actor_role,
                "action": e.action,
                "from": e.from_status or None,
                "to": e.to_status or None,
                "reason": e.reason or None,
                "details": e.details,
            }
            for e in page or []
        ])


__all__ = [
    "BookingAuditApi",
    "BookingCancelApi",
    "BookingCandidatesApi",
    "BookingCheckApi",
    "BookingCompleteApi",
    "BookingDetailApi",
    "BookingExceptionAssignApi",
    "BookingInterpreterCancelApi",
    "BookingListCreateApi",
    "BookingOffersApi",
]
