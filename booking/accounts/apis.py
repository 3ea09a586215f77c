"""Users, organisations and API tokens over HTTP: who one is, one's organisation, log in for a
token, revoke it, list and revoke one's own tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.accounts import selectors
from booking.accounts.services import token_create, token_revoke, tokens_revoke_all
from booking.models import Organisation, User
from tolk.api import Pagination
from tolk.errors import DomainError, NotFoundError, ValidationFailed
from tolk.lockout import retry_after_seconds
from tolk.throttling import ClientRateThrottle


class LoginLocked(DomainError):
    status_code = 429


def _current_token_key(request: Request) -> str | None:
    return request.auth.token_key if isinstance(request.auth, AuthToken) else None


class TokenApi(APIView):
    """`POST` username and password for a new API token (one per device or client; it expires
    after a while unused); `DELETE` revokes the token the request is made with (with a session:
    all the user's tokens)."""

    throttle_classes = [ClientRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        token_id = serializers.CharField(source="token_key")
        expiry = serializers.DateTimeField(allow_null=True)

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_authenticators(self) -> list[Any]:
        # Logging in must not require (or be blocked by) an existing session's CSRF check.
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            minutes = max(retry_after_seconds() // 60, 1)
            raise LoginLocked.of("login_locked", minutes=minutes)
        if user is None or not user.is_active:
            raise ValidationFailed.of("invalid_credentials")
        token, secret = token_create(user=user)
        return Response(self.OutputSerializer({
            "token": secret, "token_key": token.token_key, "expiry": token.expiry,
        }).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            token_revoke(token=request.auth)
        elif isinstance(request.user, User):
            tokens_revoke_all(user=request.user)
        return Response(status=204)


class ApiTokenOutput(serializers.Serializer):
    token_id = serializers.CharField(source="token_key")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField()

    def get_current(self, obj: AuthToken) -> bool:
        """True for the token this request is made with."""
        return obj.token_key == self.context.get("current")


class TokenListApi(ListAPIView):
    """The caller's own API tokens that have not expired, newest first. The secret itself is never
    shown again; `token_id` names a token to revoke."""

    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    serializer_class = ApiTokenOutput

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return AuthToken.objects.none()
        return AuthToken.objects.filter(
            user=self.request.user, expiry__gt=timezone.now()
        ).order_by("-created", "token_key")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "current": _current_token_key(self.request)}


class TokenDetailApi(APIView):
    """`DELETE`: revoke one of the caller's own tokens; what was opened with it ends too."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, token_id: str) -> Response:
        token = AuthToken.objects.filter(user=request.user, token_key=token_id[:25]).first()
        if token is None:
            raise NotFoundError.of("token_not_found")
        token_revoke(token=token)
        return Response(status=204)


class UnitOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sector = serializers.CharField()
    municipality = serializers.CharField()


class OrganisationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    org_number = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    provider_type = serializers.CharField()
    municipality = serializers.CharField()
    units = UnitOutput(many=True)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        name = serializers.CharField(source="get_full_name")
        role = serializers.CharField()
        organisation = OrganisationOutput(allow_null=True)
        unit = UnitOutput(allow_null=True)
        register_number = serializers.CharField(
            source="interpreter.register_number", allow_null=True, default=None
        )

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        return Response(self.OutputSerializer(user).data)


class OrganisationListApi(ListAPIView):
    """Your own organisation with its units (admins: every organisation)."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrganisationOutput
    queryset = Organisation.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self) -> Any:
        return selectors.organisations_visible_to(user=self.request.user)  # type: ignore[arg-type]


class OrganisationDetailApi(RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = OrganisationOutput
    queryset = Organisation.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self) -> Any:
        return selectors.organisations_visible_to(user=self.request.user)  # type: ignore[arg-type]

    def get_object(self) -> Organisation:
        organisation = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if organisation is None:
            raise NotFoundError.of("organisation_not_found")
        return organisation
