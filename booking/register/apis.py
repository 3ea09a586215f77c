"""The register over HTTP: the search, the public card check, the register import and the bookable
languages; thin views over services and selectors."""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.accounts.permissions import CanSearchRegister, IsAdmin
from booking.models import Interpreter, Role, User
from booking.register import selectors
from booking.register.filters import InterpreterFilter
from booking.register.services import register_import
from tolk.api import Pagination, require_upload_size
from tolk.csvimport import FileKind
from tolk.errors import NotFoundError, ValidationFailed
from tolk.i18n import request_language
from tolk.reference.geo import county_name, municipality_name
from tolk.reference.languages import language_name
from tolk.throttling import ClientRateThrottle


class QualificationOutput(serializers.Serializer):
    language = serializers.CharField()
    language_name = serializers.SerializerMethodField()
    category = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    status = serializers.CharField()

    def get_language_name(self, obj: Any) -> str:
        return language_name(obj.language, request_language())


class InterpreterListApi(ListAPIView):
    """Search the National Register of Interpreters. Only interpreters qualified (on `date`, default
    today) for the filtered language and categories are listed, best category first."""

    permission_classes = [CanSearchRegister]
    filter_backends = [DjangoFilterBackend]
    filterset_class = InterpreterFilter

    class OutputSerializer(serializers.Serializer):
        register_number = serializers.CharField()
        name = serializers.CharField(source="full_name")
        given_name = serializers.CharField()
        family_name = serializers.CharField()
        gender = serializers.CharField()
        municipality = serializers.CharField()
        municipality_name = serializers.SerializerMethodField()
        county = serializers.CharField()
        county_name = serializers.SerializerMethodField()
        availability = serializers.CharField()
        modalities = serializers.ListField(child=serializers.CharField())
        best_category = serializers.CharField(allow_null=True)
        qualifications = QualificationOutput(many=True)
        email = serializers.SerializerMethodField()
        phone = serializers.SerializerMethodField()

        def get_municipality_name(self, obj: Interpreter) -> str:
            return municipality_name(obj.municipality)

        def get_county_name(self, obj: Interpreter) -> str:
            return county_name(obj.county)

        def _contact_visible(self) -> bool:
            user = self.context["request"].user
            return user.role in (Role.COORDINATOR, Role.ADMIN)

        def get_email(self, obj: Interpreter) -> str | None:
            """Contact details only for coordinators (who dispatch) and admins."""
            return obj.email if self._contact_visible() else None

        def get_phone(self, obj: Interpreter) -> str | None:
            return obj.phone if self._contact_visible() else None

    serializer_class = OutputSerializer

    def get_queryset(self) -> Any:
        return selectors.interpreter_search()


class InterpreterCardApi(APIView):
    """The public card check: is this register number a registered interpreter, in which languages,
    in which category, and is the entry active today. No contact details."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "card"

    class OutputSerializer(serializers.Serializer):
        register_number = serializers.CharField()
        name = serializers.CharField()
        active = serializers.BooleanField()
        checked_on = serializers.DateField()
        languages = inline_serializer(
            name="CardLanguage",
            many=True,
            fields={
                "language": serializers.CharField(),
                "language_name": serializers.CharField(),
                "category": serializers.CharField(),
                "valid_from": serializers.DateField(),
                "valid_to": serializers.DateField(allow_null=True),
                "active": serializers.BooleanField(),
            },
        )

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, register_number: str) -> Response:
        card = selectors.interpreter_card_check(
            register_number=register_number, on=timezone.localdate(), lang=request_language()
        )
        if card is None:
            raise NotFoundError.of("interpreter_not_found")
        return Response(self.OutputSerializer(card).data)


class RowErrorOutput(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.CharField()
    code = serializers.CharField()
    reason = serializers.CharField()


class RegisterImportApi(ListAPIView):
    """Admins import the register CSV (all-or-nothing) and list earlier imports."""

    permission_classes = [IsAdmin]
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()

    class ResultSerializer(serializers.Serializer):
        file_name = serializers.CharField()
        rows = serializers.IntegerField()
        added = serializers.IntegerField()
        changed = serializers.IntegerField()
        unchanged = serializers.IntegerField()
        newly_suspended = serializers.ListField(child=serializers.DictField())
        newly_excluded = serializers.ListField(child=serializers.DictField())
        newly_revoked = serializers.ListField(child=serializers.DictField())
        reinstated = serializers.ListField(child=serializers.DictField())
        reopened_assignments = serializers.IntegerField()
        withdrawn_offers = serializers.IntegerField()
        # A declared field, not Serializer.errors: DRF's metaclass moves it into the fields.
        errors = RowErrorOutput(many=True)  # type: ignore[assignment]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        file_name = serializers.CharField()
        imported_at = serializers.DateTimeField()
        imported_by = serializers.CharField(source="imported_by.username", allow_null=True)
        rows = serializers.IntegerField()
        added = serializers.IntegerField()
        changed = serializers.IntegerField()
        unchanged = serializers.IntegerField()
        newly_blocked = serializers.ListField(child=serializers.DictField())
        reopened_assignments = serializers.IntegerField()
        withdrawn_offers = serializers.IntegerField()

    serializer_class = OutputSerializer

    def get_queryset(self) -> Any:
        return selectors.register_imports()

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={
            201: ResultSerializer,
            400: OpenApiResponse(
                description="Not imported: the error shape (code, detail, section, fields); for "
                "invalid rows also the result fields, with every bad row in `errors`."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        require_upload_size(upload, kind=FileKind.REGISTER)
        result = register_import(
            stream=upload, file_name=upload.name, imported_by=cast(User, request.user)
        )
        body = self.ResultSerializer(result.as_dict()).data
        if not result.ok:
            error = ValidationFailed.of(
                "register_import_invalid", fields={"file": ["register_import_invalid"]}
            )
            return Response({**error.as_dict(), **body}, status=error.status_code)
        return Response(body, status=201)


class LanguageListApi(APIView):
    """Languages for forms and filters: those in the register and those the language table offers,
    with the number of interpreters qualified in each today. `q` searches codes (ISO 639-3, 639-1,
    639-2), names in bokmål and English and common names and spellings ("farsi", "sorani",
    "kinesisk"), best match first; when nothing matches, `code` is `no_language_match` and
    `detail` says so in the request's language."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        name_nb = serializers.CharField()
        name_en = serializers.CharField()
        qualified_interpreters = serializers.IntegerField()

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Search text")],
        responses=inline_serializer(
            "PaginatedLanguageList",
            fields={
                "count": serializers.IntegerField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": OutputSerializer(many=True),
                "code": serializers.CharField(
                    required=False, help_text="no_language_match when `q` matched nothing"
                ),
                "detail": serializers.CharField(required=False),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        query = (request.query_params.get("q") or "").strip()[:50]
        rows = selectors.language_choices(
            on=timezone.localdate(), lang=request_language(), query=query
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        response = paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
        if query and not rows:
            response.data["code"] = "no_language_match"
            response.data["detail"] = gettext(
                "No language matches “%(query)s”. Try another name or spelling (for example "
                "farsi, sorani or kinesisk) or the language code."
            ) % {"query": query}
        return response
