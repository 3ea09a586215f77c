"""Bookings over HTTP: thin views that parse, call one service or selector, and serialize."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.accounts.permissions import IsBooker, IsInterpreter, role_permission
from booking.accounts.permissions import request_user as _user
from booking.dispatch import selectors
from booking.dispatch.apis.serializers import (
    INTERPRETER_WITHDRAWN,
    AssignmentOutput,
    AuditEntryOutput,
    AuditPageOutput,
    BookingCheckOutput,
    BookingDetailOutput,
    BookingOffersOutput,
    BookingOutput,
    BookingPageOutput,
    CandidateExplanationOutput,
    CandidateOutput,
    CandidatePageOutput,
    InterpreterCancelOutput,
    OffersSentOutput,
)
from booking.dispatch.filters import BookingFilter
from booking.dispatch.services import bookings as services
from booking.dispatch.services import exception_path
from booking.dispatch.services.offers import offers_send_wave
from booking.models import (
    Assignment,
    Booking,
    BookingStatus,
    Category,
    Gender,
    Modality,
    Offer,
    OfferStatus,
    Role,
    Sector,
)
from booking.rules import ChildException, ExceptionRecord, WrittenDeclaration
from booking.rules.declarations import interpreter_must_declare, timezone_naive
from tolk.api import Pagination
from tolk.errors import ValidationFailed
from tolk.fields import BlankAsNullCharField, InstantField, InstantOutputField

CanSeeBookings = role_permission(Role.BOOKER, Role.COORDINATOR, Role.INTERPRETER, Role.ADMIN)
CanManageBookings = role_permission(Role.BOOKER, Role.COORDINATOR, Role.ADMIN)
CanDispatch = role_permission(Role.COORDINATOR, Role.ADMIN)


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


def _detail(booking: Booking, request: Request) -> Any:
    return BookingDetailOutput(booking, context={"user": _user(request)}).data


class BookingListCreateApi(APIView):
    """GET: the bookings the caller may see (paginated, filterable). POST: a booker books."""

    permission_classes = [IsAuthenticated, CanSeeBookings]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, many=True),
            OpenApiParameter("language", OpenApiTypes.STR),
            OpenApiParameter("modality", OpenApiTypes.STR),
            OpenApiParameter("sector", OpenApiTypes.STR),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
        ],
        responses={200: BookingPageOutput},
    )
    def get(self, request: Request) -> Response:
        qs: QuerySet[Booking] = selectors.bookings_visible_to(user=_user(request))
        filterset = BookingFilter(request.query_params, queryset=qs)
        if not filterset.is_valid():
            raise ValidationFailed.of(
                "list_filter_invalid",
                fields={k: [str(e) for e in v] for k, v in filterset.errors.items()},
            )
        paginator = Pagination()
        ordered = filterset.qs.order_by("-start", "-id")
        page: list[Any] | None = paginator.paginate_queryset(ordered, request, view=self)
        return paginator.get_paginated_response(
            BookingOutput(page or [], many=True, context={"user": _user(request)}).data
        )

    @extend_schema(
        request=BookingInputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR,
                                     OpenApiParameter.HEADER)],
        responses={
            201: BookingDetailOutput,
            200: OpenApiResponse(BookingDetailOutput, description="A retry with the same "
                                 "Idempotency-Key: the booking created the first time."),
        },
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
        return Response(_detail(booking, request), status=201 if created else 200)


class BookingCheckApi(APIView):
    """Dry run of the rules for the booking form, with the number of free qualified
    interpreters. Nothing is saved."""

    permission_classes = [IsAuthenticated, IsBooker]

    @extend_schema(request=BookingInputSerializer, responses={200: BookingCheckOutput})
    def post(self, request: Request) -> Response:
        data = _parse(BookingInputSerializer, request.data).to_input()
        return Response(
            BookingCheckOutput(services.booking_check(user=_user(request), data=data)).data
        )


class BookingDetailApi(APIView):
    permission_classes = [IsAuthenticated, CanSeeBookings]

    @extend_schema(responses={200: BookingDetailOutput})
    def get(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        return Response(_detail(booking, request))


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
        responses={200: OpenApiResponse(
            PolymorphicProxySerializer(
                component_name="BookingCandidates",
                serializers=[CandidatePageOutput, CandidateExplanationOutput],
                resource_type_field_name=None,
            ),
            description="A page of ranked candidates; with `explain`, the explanation for "
            "that interpreter.",
        )},
    )
    def get(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        register_number = request.query_params.get("explain", "").strip()
        if register_number:
            explanation = selectors.candidate_explain(
                booking=booking, register_number=register_number[:16]
            )
            return Response(CandidateExplanationOutput(explanation).data)
        paginator = Pagination()
        size = paginator.get_page_size(request) or paginator.page_size
        raw_page = request.query_params.get(paginator.page_query_param, "1")
        number = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 10_000 else 1
        # Rank only as far as the requested page reaches; the count covers every candidate.
        head = selectors.booking_candidates_ranked(booking=booking, limit=number * size)
        page: list[Any] | None = paginator.paginate_queryset(
            _RankedHead(head.ranked, head.total), request, view=self  # type: ignore[arg-type]
        )
        return paginator.get_paginated_response(CandidateOutput(page or [], many=True).data)


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

    @extend_schema(responses={200: BookingOffersOutput})
    def get(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        offers = selectors.offers_for_booking(booking=booking).order_by("wave", "rank")
        return Response(BookingOffersOutput({"results": offers}).data)

    @extend_schema(request=InputSerializer, responses={
        201: OffersSentOutput,
        200: OpenApiResponse(OffersSentOutput, description="No candidate left: no offer sent."),
    })
    def post(self, request: Request, pk: int) -> Response:
        selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        data = _parse(self.InputSerializer, request.data).validated_data
        offers = offers_send_wave(booking_id=_booking_id(pk), user=_user(request),
                                  limit=data.get("limit"),
                                  register_numbers=data.get("register_numbers"))
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        body = OffersSentOutput({"booking": booking, "offers": offers},
                                context={"user": _user(request)}).data
        return Response(body, status=201 if offers else 200)


class BookingCancelApi(APIView):
    permission_classes = [IsAuthenticated, CanManageBookings]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                       default="")

    @extend_schema(request=InputSerializer, responses={200: BookingDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        data = _parse(self.InputSerializer, request.data).validated_data
        services.booking_cancel(booking_id=_booking_id(pk), user=_user(request),
                                reason=data["reason"])
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        return Response(_detail(booking, request))


class BookingCompleteApi(APIView):
    permission_classes = [IsAuthenticated, CanManageBookings]

    class InputSerializer(serializers.Serializer):
        actual_start = InstantField()
        actual_end = InstantField()
        cost_nok = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                            allow_null=True, min_value=0)

    @extend_schema(request=InputSerializer, responses={200: BookingDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        data = _parse(self.InputSerializer, request.data).validated_data
        services.booking_complete(
            booking_id=_booking_id(pk), user=_user(request), actual_start=data["actual_start"],
            actual_end=data["actual_end"], cost_nok=data.get("cost_nok"),
        )
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        return Response(_detail(booking, request))


class BookingInterpreterCancelApi(APIView):
    """The assigned interpreter gives the assignment back; it is offered again automatically."""

    permission_classes = [IsAuthenticated, IsInterpreter]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                       default="")

    @extend_schema(request=InputSerializer, responses={200: InterpreterCancelOutput})
    def post(self, request: Request, pk: int) -> Response:
        selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        data = _parse(self.InputSerializer, request.data).validated_data
        services.assignment_cancel_by_interpreter(
            booking_id=_booking_id(pk), user=_user(request), reason=data["reason"]
        )
        return Response(InterpreterCancelOutput({
            "booking_id": _booking_id(pk), "status": INTERPRETER_WITHDRAWN,
        }).data)


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


class PersonalOfferOutput(serializers.Serializer):
    id = serializers.IntegerField()
    register_number = serializers.CharField(source="interpreter.register_number")
    personal = serializers.BooleanField()
    status = serializers.ChoiceField(choices=OfferStatus.choices)
    expires_at = InstantOutputField()
    exception_ground = BlankAsNullCharField()
    exception_justification = BlankAsNullCharField()
    exception_decided_by = BlankAsNullCharField()
    block_override_reason = BlankAsNullCharField()


class BookingStateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)


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
        booking = BookingStateOutput()
        offer = PersonalOfferOutput(
            allow_null=True, help_text="The personal offer (registered interpreter)."
        )
        assignment = AssignmentOutput(
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
            raise ValidationFailed.of(
                "register_number_or_adhoc_name",
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
            "booking": booking, "offer": offer, "assignment": assignment,
        }).data, status=201)


class BookingAuditApi(APIView):
    """The booking's audit trail: who, when, from, to, why."""

    permission_classes = [IsAuthenticated, CanManageBookings]

    @extend_schema(responses={200: AuditPageOutput})
    def get(self, request: Request, pk: int) -> Response:
        booking = selectors.booking_get(user=_user(request), booking_id=_booking_id(pk))
        entries = selectors.audit_for_booking(booking=booking)
        paginator = Pagination()
        page: list[Any] | None = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(AuditEntryOutput(page or [], many=True).data)


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
