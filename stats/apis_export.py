"""The facts of a year for another installation (IMDi's national collector): a streamed CSV in
the provider file format and the manifest that lets the receiver check it got every byte.

Export clients authenticate with `Authorization: Bearer tolkx_...` on these endpoints only;
analysts and admins (and users given `stats.export_facts`) may download with their usual login."""

from __future__ import annotations

from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from booking.models import Role
from stats.models import ExportClient, FactExport
from stats.services.export import export_filename, facts_export_start
from stats.services.export_clients import export_client_for_token
from tolk.errors import NotFoundError

EXPORT_PERMISSION = "stats.export_facts"
EXPORT_ID_HEADER = "Tolk-Export-Id"


class ExportClientPrincipal:
    """`request.user` for an export client: it holds `stats.export_facts` and nothing else."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    role = None
    pk = None
    id = None
    organisation = None
    organisation_id = None

    def __init__(self, client: ExportClient) -> None:
        self.client = client
        self.username = f"export-client:{client.name}"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return perm == EXPORT_PERMISSION

    def __str__(self) -> str:
        return self.username


class ExportClientAuthentication(BaseAuthentication):
    """`Authorization: Bearer <export client token>`. Used only by the export views."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ExportClientPrincipal, ExportClient] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise AuthenticationFailed("Invalid Authorization header.")
        try:
            token = header[1].decode()
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed("Invalid token.") from exc
        client = export_client_for_token(token=token)
        if client is None:
            raise AuthenticationFailed("Invalid or revoked token.")
        return ExportClientPrincipal(client), client

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="tolk-statistics-export"'


class ExportClientAuthenticationScheme(OpenApiAuthenticationExtension):
    """The export client token in the OpenAPI schema."""

    target_class = "stats.apis_export.ExportClientAuthentication"
    name = "exportClientToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http", "scheme": "bearer",
            "description": "A statistics export client's token (tolkx_...), created by an admin.",
        }


class CanExportFacts(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if isinstance(request.auth, ExportClient):
            return True
        return getattr(user, "role", None) in (Role.ANALYST, Role.ADMIN) or bool(
            user.has_perm(EXPORT_PERMISSION)
        )


class _JsonErrorsNegotiation(DefaultContentNegotiation):
    """`?format=csv` picks the body, not a DRF renderer; errors are always JSON."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


def _export_authentication() -> list[Any]:
    return [ExportClientAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES]


class FactsExportApi(APIView):
    """Every fact of the year as the provider file CSV, streamed. The header `Tolk-Export-Id`
    names the export; its manifest (rows, bytes, sha256) is at the `Link` with rel="manifest"
    once the body has been sent in full."""

    authentication_classes = _export_authentication()
    permission_classes = [CanExportFacts]
    content_negotiation_class = _JsonErrorsNegotiation

    class InputSerializer(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000)
        format = serializers.ChoiceField(choices=["csv"], default="csv")

        def validate_year(self, value: int) -> int:
            if value > timezone.localdate().year:
                raise serializers.ValidationError("The year has not begun yet.")
            return value

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True, description="The year, e.g. 2025."),
            OpenApiParameter("format", str, enum=["csv"], description="csv (the only format)."),
        ],
        responses={(200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR,
            description="The year's facts in the provider file format, streamed; the export "
            "is named in the `Tolk-Export-Id` header and its manifest linked with "
            'rel="manifest".',
        )},
    )
    def get(self, request: Request) -> Any:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        year = params.validated_data["year"]
        client = request.auth if isinstance(request.auth, ExportClient) else None
        user = None if client is not None else request.user
        body = facts_export_start(year=year, client=client, user=user)  # type: ignore[arg-type]
        # Under ASGI the body must be an async iterator, or Django would read it all first.
        asgi = isinstance(request._request, ASGIRequest)
        response = StreamingHttpResponse(
            body.aiter() if asgi else iter(body), content_type="text/csv; charset=utf-8"
        )
        export_id = str(body.export.pk)
        manifest = reverse("stats-facts-manifest", kwargs={"export_id": export_id})
        response[EXPORT_ID_HEADER] = export_id
        response["Link"] = f'<{manifest}>; rel="manifest"'
        response["Content-Disposition"] = f'attachment; filename="{export_filename(year)}"'
        response["Cache-Control"] = "no-store"
        return response


class FactExportManifestApi(APIView):
    """The manifest of an export: `complete` is false until the whole body has been produced."""

    authentication_classes = _export_authentication()
    permission_classes = [CanExportFacts]
    content_negotiation_class = _JsonErrorsNegotiation

    class OutputSerializer(serializers.Serializer):
        export_id = serializers.UUIDField(source="pk")
        year = serializers.IntegerField()
        started_at = serializers.DateTimeField()
        finished_at = serializers.DateTimeField(allow_null=True)
        complete = serializers.SerializerMethodField()
        rows = serializers.IntegerField(allow_null=True)
        bytes = serializers.IntegerField(allow_null=True)
        sha256 = serializers.CharField()

        def get_complete(self, obj: FactExport) -> bool:
            return obj.finished_at is not None

    @extend_schema(responses={200: OutputSerializer, 404: OpenApiResponse(
        description="No such export of yours.")})
    def get(self, request: Request, export_id: str) -> Response:
        export = FactExport.objects.filter(pk=export_id).first()
        client = request.auth if isinstance(request.auth, ExportClient) else None
        mine = export is not None and (
            export.client_id == client.pk if client is not None
            else export.user_id == getattr(request.user, "pk", None)
        )
        if export is None or not mine:
            raise NotFoundError.of("export_not_found")
        return Response(self.OutputSerializer(export).data)
