"""The interpreter's calendar subscription: a revocable secret token in the URL (calendar
clients cannot send an Authorization header)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.accounts.permissions import IsInterpreter
from booking.accounts.permissions import request_user as _user
from booking.dispatch.calendar import calendar_build
from booking.dispatch.selectors import assignments_for_calendar
from booking.models import CalendarToken, Role
from tolk.errors import NotFoundError
from tolk.fields import InstantOutputField

HISTORY = dt.timedelta(days=90)


def _feed_url(request: Request, key: str) -> str:
    return request.build_absolute_uri(reverse("calendar-ics") + f"?token={key}")


class CalendarTokenApi(APIView):
    """POST creates the token, or rotates it (the old URL stops working). DELETE revokes it."""

    permission_classes = [IsAuthenticated, IsInterpreter]

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        url = serializers.URLField(help_text="The calendar feed to subscribe to.")
        created_at = InstantOutputField()

    @extend_schema(request=None, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        with transaction.atomic():
            CalendarToken.objects.filter(user=_user(request)).delete()
            token = CalendarToken.objects.create(user=_user(request),
                                                 key=secrets.token_urlsafe(32))
        return Response(self.OutputSerializer({
            "token": token.key, "url": _feed_url(request, token.key),
            "created_at": token.created_at,
        }).data, status=201)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        CalendarToken.objects.filter(user=_user(request)).delete()
        return Response(status=204)


class CalendarFeedApi(APIView):
    """`GET /api/v1/me/calendar.ics?token=...`: the interpreter's assignments from 90 days back."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(parameters=[OpenApiParameter("token", OpenApiTypes.STR, required=True)],
                   responses={(200, "text/calendar"): OpenApiResponse(
                       OpenApiTypes.STR, description="The assignments as an iCalendar feed "
                       "(RFC 5545), `tolk-oppdrag.ics`.")})
    def get(self, request: Request) -> HttpResponse:
        key = request.query_params.get("token", "")
        token = (
            CalendarToken.objects.select_related("user").filter(key=key).first()
            if 20 <= len(key) <= 64 else None
        )
        user = token.user if token else None
        if user is None or not user.is_active or user.role != Role.INTERPRETER \
                or user.interpreter_id is None:
            raise NotFoundError.of("calendar_not_found")
        assignments = assignments_for_calendar(
            interpreter_id=user.interpreter_id, since=timezone.now() - HISTORY
        )
        body = calendar_build(assignments=assignments, host=request.get_host().split(":")[0],
                              name="Tolk – mine oppdrag")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="tolk-oppdrag.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response
