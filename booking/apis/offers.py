"""An interpreter's offers over HTTP: list, accept with declarations, decline."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import selectors_bookings as selectors
from booking.apis.bookings import assignment_to_dict
from booking.filters_bookings import OfferFilter
from booking.models import Offer, User
from booking.permissions import IsInterpreter
from booking.rules import Declarations
from booking.services.offers import offer_accept, offer_decline, offer_payload
from tolk.api import Pagination
from tolk.errors import ValidationFailed


def _user(request: Request) -> User:
    """The caller; every view here requires authentication, so never anonymous."""
    return cast(User, request.user)


def offer_to_dict(offer: Offer) -> dict[str, Any]:
    data = offer_payload(offer, offer.booking)
    data.update({
        "id": offer.pk,
        "status": offer.status,
        "wave": offer.wave,
        "created_at": offer.created_at,
        "responded_at": offer.responded_at,
        "booking_status": offer.booking.status,
    })
    return data


class OfferListApi(APIView):
    """The caller's own offers (interpreters), newest first; `?status=pending` to filter."""

    permission_classes = [IsAuthenticated, IsInterpreter]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        filterset = OfferFilter(request.query_params,
                                queryset=selectors.offers_for_interpreter(user=_user(request)))
        if not filterset.is_valid():
            raise ValidationFailed(
                code="invalid", message_nb="Ugyldig filter.", message_en="Invalid filter.",
                fields={k: [str(e) for e in v] for k, v in filterset.errors.items()},
            )
        paginator = Pagination()
        page: list[Any] | None = paginator.paginate_queryset(filterset.qs, request, view=self)
        return paginator.get_paginated_response([offer_to_dict(o) for o in page or []])


class OfferAcceptApi(APIView):
    """Accept with the declarations `{"impartial": true, "confidentiality": true}`."""

    permission_classes = [IsAuthenticated, IsInterpreter]

    class InputSerializer(serializers.Serializer):
        impartial = serializers.BooleanField()
        confidentiality = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        declarations = Declarations.from_data(request.data)
        assignment = offer_accept(offer_id=int(pk), user=_user(request), declarations=declarations)
        data = assignment_to_dict(assignment) or {}
        data["booking_id"] = assignment.booking_id
        return Response(data, status=201)


class OfferDeclineApi(APIView):
    permission_classes = [IsAuthenticated, IsInterpreter]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                       default="")

    @extend_schema(request=InputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = offer_decline(offer_id=int(pk), user=_user(request),
                              reason=serializer.validated_data["reason"])
        return Response(offer_to_dict(offer))
