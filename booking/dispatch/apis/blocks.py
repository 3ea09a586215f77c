"""§ 16 blocks over HTTP: an organisation's list of interpreters it must not use, per case or for
all its bookings. Bookers manage their own organisation's; administrators any organisation's."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.accounts.permissions import request_user as _user
from booking.accounts.permissions import role_permission
from booking.dispatch import selectors
from booking.dispatch.services.blocks import interpreter_block_create, interpreter_block_delete
from booking.models import InterpreterBlock, Role
from tolk.errors import ValidationFailed

CanBlock = role_permission(Role.BOOKER, Role.ADMIN)


class BlockOutput(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.org_number")
    organisation_name = serializers.CharField(source="organisation.name")
    register_number = serializers.CharField(source="interpreter.register_number")
    interpreter_name = serializers.CharField(source="interpreter.full_name")
    case_reference = serializers.CharField(
        help_text="Empty: the block holds for all the organisation's bookings."
    )
    reason = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True,
                                       default=None)
    created_at = serializers.DateTimeField()


class BlockListCreateApi(ListAPIView):
    """GET: the organisation's blocks, newest first (`register_number`, `case_reference` filter).
    POST: block an interpreter (§ 16) with a reason; pending offers to them on the organisation's
    affected bookings are withdrawn and future assignments there reopen and go out again."""

    permission_classes = [IsAuthenticated, CanBlock]
    serializer_class = BlockOutput

    class InputSerializer(serializers.Serializer):
        register_number = serializers.CharField(max_length=16)
        reason = serializers.CharField(max_length=500)
        case_reference = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                               default="")
        organisation = serializers.RegexField(
            r"^\d{9}$", required=False, allow_blank=True, default="",
            help_text="Organisation number; administrators only (bookers block for their own).",
        )

    class ResultSerializer(BlockOutput):
        withdrawn_offers = serializers.IntegerField()
        reopened_assignments = serializers.IntegerField()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return InterpreterBlock.objects.none()
        blocks = selectors.interpreter_blocks_visible_to(user=_user(self.request))
        number = (self.request.query_params.get("register_number") or "").strip()
        case = self.request.query_params.get("case_reference")
        if len(number) > 16 or (case is not None and len(case) > 64):
            raise ValidationFailed.of(
                "list_filter_invalid",
                fields={"register_number" if len(number) > 16 else "case_reference":
                        ["max_length"]},
            )
        if number:
            blocks = blocks.filter(interpreter__register_number=number)
        if case is not None:
            blocks = blocks.filter(case_reference=case.strip())
        return blocks

    @extend_schema(parameters=[
        OpenApiParameter("register_number", OpenApiTypes.STR),
        OpenApiParameter("case_reference", OpenApiTypes.STR,
                         description="Exact case reference; empty for organisation-wide blocks"),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=InputSerializer, responses={201: ResultSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = interpreter_block_create(
            user=_user(request), register_number=values["register_number"],
            reason=values["reason"], case_reference=values["case_reference"],
            organisation_number=values["organisation"],
        )
        body = dict(BlockOutput(result.block).data)
        body["withdrawn_offers"] = result.withdrawn_offers
        body["reopened_assignments"] = result.reopened_assignments
        return Response(body, status=201)


class BlockDetailApi(APIView):
    """DELETE lifts a block. Assignments taken off while it stood are not given back."""

    permission_classes = [IsAuthenticated, CanBlock]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        interpreter_block_delete(user=_user(request), block_id=int(pk))
        return Response(status=204)
