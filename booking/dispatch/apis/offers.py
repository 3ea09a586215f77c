"""An interpreter's offers over HTTP: list, accept with declarations, decline."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.accounts.permissions import IsInterpreter
from booking.accounts.permissions import request_user as _user
from booking.dispatch import selectors
from booking.dispatch.apis.serializers import (
    AcceptedAssignmentOutput,
    InterpreterOfferOutput,
    InterpreterOfferPageOutput,
)
from booking.dispatch.filters import OfferFilter
from booking.dispatch.services.offers import offer_accept, offer_decline
from booking.models import OfferStatus
from booking.rules import Declarations
from tolk.api import Pagination
from tolk.errors import ValidationFailed


class OfferListApi(APIView):
    """The caller's own offers (interpreters), newest first; `?status=pending` to filter."""

    permission_classes = [IsAuthenticated, IsInterpreter]

    @extend_schema(
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, many=True,
                                     enum=OfferStatus.values)],
        responses={200: InterpreterOfferPageOutput},
    )
    def get(self, request: Request) -> Response:
        filterset = OfferFilter(request.query_params,
                                queryset=selectors.offers_for_interpreter(user=_user(request)))
        if not filterset.is_valid():
            raise ValidationFailed.of(
                "list_filter_invalid",
                fields={k: [str(e) for e in v] for k, v in filterset.errors.items()},
            )
        paginator = Pagination()
        page: list[Any] | None = paginator.paginate_queryset(filterset.qs, request, view=self)
        return paginator.get_paginated_response(
            InterpreterOfferOutput(page or [], many=True).data
        )


class OfferAcceptApi(APIView):
    """Accept with the declarations `{"impartial": true, "confidentiality": true}`."""

    permission_classes = [IsAuthenticated, IsInterpreter]

    class InputSerializer(serializers.Serializer):
        impartial = serializers.BooleanField()
        confidentiality = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={201: AcceptedAssignmentOutput})
    def post(self, request: Request, pk: int) -> Response:
        declarations = Declarations.from_data(request.data)
        assignment = offer_accept(offer_id=int(pk), user=_user(request), declarations=declarations)
        return Response(AcceptedAssignmentOutput(assignment).data, status=201)


class OfferDeclineApi(APIView):
    permission_classes = [IsAuthenticated, IsInterpreter]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                       default="")

    @extend_schema(request=InputSerializer, responses={200: InterpreterOfferOutput})
    def post(self, request: Request, pk: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = offer_decline(offer_id=int(pk), user=_user(request),
                              reason=serializer.validated_data["reason"])
        return Response(InterpreterOfferOutput(offer).data)
