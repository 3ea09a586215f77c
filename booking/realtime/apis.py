"""One-time websocket tickets: a client holding an API token asks for a ticket and opens the socket
with `?ticket=...`, so the token never travels in a URL."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.models import User, WebsocketTicket
from tolk.throttling import ClientRateThrottle

TICKET_SECONDS = 30


class WebsocketTicketApi(APIView):
    """POST: a one-time ticket for `ws/interpreter/` or `ws/bookings/?ticket=...`, valid 30 s."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "ws_ticket"

    class OutputSerializer(serializers.Serializer):
        ticket = serializers.CharField()

    @extend_schema(request=None, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        user = request.user
        if not isinstance(user, User):  # IsAuthenticated has let only real users through
            raise NotAuthenticated()
        now = timezone.now()
        # Used and expired tickets are worthless; drop this user's so the table stays small.
        WebsocketTicket.objects.filter(user=user, expires_at__lt=now).delete()
        ticket = WebsocketTicket.objects.create(
            key=secrets.token_urlsafe(32),
            user=user,
            expires_at=now + timedelta(seconds=TICKET_SECONDS),
            # A socket opened with it closes when this token is revoked.
            token_key=request.auth.token_key if isinstance(request.auth, AuthToken) else "",
        )
        return Response(self.OutputSerializer({"ticket": ticket.key}).data, status=201)
