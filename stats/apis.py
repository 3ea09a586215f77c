"""The statistics over HTTP: the need report (JSON, CSV, XLSX) and provider file imports."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.accounts.permissions import role_permission
from booking.models import Role
from stats import selectors
from stats.exports import CSV_FORMATS, filename, report_csv, report_xlsx
from stats.filters import report_filters
from stats.models import StatsImport
from stats.serializers import NeedReportOutput
from stats.services.imports import assignments_import
from tolk.api import require_upload_size
from tolk.csvimport import FileKind
from tolk.errors import PermissionDeniedError, ValidationFailed

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CanReadStatistics = role_permission(Role.ANALYST, Role.ADMIN)
CanImportAssignments = role_permission(Role.ANALYST, Role.ADMIN, Role.COORDINATOR)


class _JsonOnlyNegotiation(DefaultContentNegotiation):
    """`?format=csv|xlsx` picks the download, not a DRF renderer; errors are always JSON."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class NeedReportApi(APIView):
    """The yearly need report. Protected with the cell key method by default (`stats.ptable`);
    `unsuppressed=true` (the exact figures) needs the permission `stats.view_unsuppressed`.
    `format=csv|csv-excel|xlsx` downloads `tolk-need-report-YYYY.csv|xlsx`."""

    permission_classes = [CanReadStatistics]
    content_negotiation_class = _JsonOnlyNegotiation

    class InputSerializer(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000)
        format = serializers.ChoiceField(choices=["json", "csv", "csv-excel", "xlsx"],
                                         default="json")
        unsuppressed = serializers.BooleanField(default=False)

        def validate_year(self, value: int) -> int:
            if value > timezone.localdate().year:
                raise serializers.ValidationError("The year has not begun yet.")
            return value

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True, description="The year, e.g. 2025."),
            OpenApiParameter(
                "format", str, enum=["json", "csv", "csv-excel", "xlsx"],
                description="json (default), or a download: csv (UTF-8, comma, decimal point: "
                "for programs), csv-excel (UTF-8 with BOM, semicolon, decimal comma: opens in "
                "Excel with Norwegian settings) or xlsx.",
            ),
            OpenApiParameter("unsuppressed", bool,
                             description="The exact figures, without the cell key "
                             "protection of small numbers (needs stats.view_unsuppressed)."),
            OpenApiParameter("county", str, description="County number, e.g. 03."),
            OpenApiParameter("sector", str), OpenApiParameter("provider_type", str),
            OpenApiParameter("modality", str),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                NeedReportOutput,
                description="year, protection (the method and its parameters: cell_key, or "
                "none for the exact figures), totals (with change), top10_share and the tables "
                "by_language, by_provider_type, by_modality, by_sector, by_county, by_category.",
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="format=csv or csv-excel: `tolk-need-report-YYYY.csv`.",
            ),
            (200, XLSX_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="format=xlsx: `tolk-need-report-YYYY.xlsx`."
            ),
        },
    )
    def get(self, request: Request) -> Any:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = report_filters(request.query_params)
        data = params.validated_data
        if data["unsuppressed"] and not selectors.can_see_unsuppressed(
            request.user  # type: ignore[arg-type]
        ):
            raise PermissionDeniedError.of("unsuppressed_not_allowed")
        report = selectors.need_report(
            year=data["year"], filters=filters, suppress=not data["unsuppressed"]
        )
        extension = data["format"]
        if data["format"] in CSV_FORMATS:
            response = HttpResponse(report_csv(report, dialect=data["format"]),
                                    content_type="text/csv; charset=utf-8")
            extension = "csv"
        elif data["format"] == "xlsx":
            response = HttpResponse(report_xlsx(report), content_type=XLSX_TYPE)
        else:
            return Response(NeedReportOutput(report).data)
        response["Content-Disposition"] = (
            f'attachment; filename="{filename(data["year"], extension)}"'
        )
        return response


class RowErrorOutput(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.CharField()
    code = serializers.CharField()
    reason = serializers.CharField()


class AssignmentImportApi(ListAPIView):
    """`POST` a provider's assignment file (multipart field `file`): imported only if every row
    is valid. Analysts import for any provider, a provider's coordinator for their own
    organisation. `GET` lists earlier imports (a coordinator sees their organisation's)."""

    permission_classes = [CanImportAssignments]
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()

    class ResultSerializer(serializers.Serializer):
        import_id = serializers.IntegerField(allow_null=True)
        file_name = serializers.CharField()
        rows = serializers.IntegerField()
        added = serializers.IntegerField()
        changed = serializers.IntegerField()
        unchanged = serializers.IntegerField()
        on_platform = serializers.IntegerField()
        seconds = serializers.FloatField()
        error_count = serializers.IntegerField()
        errors_truncated = serializers.BooleanField()
        errors = RowErrorOutput(many=True)  # type: ignore[assignment]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        file_name = serializers.CharField()
        imported_at = serializers.DateTimeField()
        imported_by = serializers.CharField(source="imported_by.username", allow_null=True,
                                            default=None)
        organisation = serializers.CharField(source="organisation.name", allow_null=True,
                                             default=None)
        rows = serializers.IntegerField()
        added = serializers.IntegerField()
        changed = serializers.IntegerField()
        unchanged = serializers.IntegerField()
        on_platform = serializers.IntegerField()

    serializer_class = OutputSerializer
    queryset = StatsImport.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self) -> Any:
        return selectors.imports_visible_to(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={
            201: ResultSerializer,
            400: OpenApiResponse(
                description="Not imported: the error shape (code, detail, section, fields) plus "
                "the result fields, with every bad row (line, column, code, reason) in `errors`."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        require_upload_size(upload, kind=FileKind.ASSIGNMENTS)
        result = assignments_import(stream=upload, file_name=upload.name,
                                    user=request.user)  # type: ignore[arg-type]
        body = self.ResultSerializer(result.as_dict()).data
        if not result.ok:
            error = ValidationFailed.of(
                "assignment_import_invalid", count=result.error_count,
                fields={"file": ["assignment_import_invalid"]},
            )
            return Response({**error.as_dict(), **body}, status=error.status_code)
        return Response(body, status=201)
