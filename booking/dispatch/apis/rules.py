"""The rules in force on a date, and organisations' guidelines (§ 9)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.accounts.permissions import request_user as _user
from booking.dispatch.services.guidelines import guideline_in_force, guideline_publish_rechecked
from booking.models import Category, Guideline, Organisation, Role
from booking.rules import rule_set_for, rules_in_force
from tolk.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from tolk.fields import BlankAsNullCharField, InstantOutputField


class RuleOutput(serializers.Serializer):
    code = serializers.CharField()
    section = serializers.CharField()
    title_nb = serializers.CharField()
    title_en = serializers.CharField()
    text_nb = serializers.CharField()
    text_en = serializers.CharField()


class RulesOutput(serializers.Serializer):
    date = serializers.DateField()
    rule_set = serializers.CharField(help_text="dispensation, or exception-only after it ends.")
    dispensation_last_day = serializers.DateField()
    rules = RuleOutput(many=True)


class GuidelineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    version = serializers.IntegerField()
    valid_from = serializers.DateField()
    min_category = BlankAsNullCharField()
    remote_platforms = serializers.ListField(child=serializers.CharField())
    police_certificate_required = serializers.BooleanField()
    late_cancellation_hours = serializers.IntegerField()
    ordering_routine = serializers.CharField(allow_blank=True)
    mandatory_use = serializers.CharField(allow_blank=True)
    remote_guidance = serializers.CharField(allow_blank=True)
    created_at = InstantOutputField()


class GuidelineListOutput(serializers.Serializer):
    in_force = serializers.IntegerField(allow_null=True,
                                        help_text="The version in force today.")
    results = GuidelineOutput(many=True)


class GuidelinePublishedOutput(GuidelineOutput):
    """The new version and what it took away from the organisation's coming bookings (context
    `recheck`)."""

    reopened_assignments = serializers.SerializerMethodField()
    withdrawn_offers = serializers.SerializerMethodField()
    tightened_bookings = serializers.SerializerMethodField()

    def get_reopened_assignments(self, guideline: Guideline) -> int:
        return int(self.context["recheck"].reopened_assignments)

    def get_withdrawn_offers(self, guideline: Guideline) -> int:
        return int(self.context["recheck"].withdrawn_offers)

    def get_tightened_bookings(self, guideline: Guideline) -> int:
        return int(self.context["recheck"].tightened_bookings)


class RulesApi(APIView):
    """`GET /api/v1/rules/?date=YYYY-MM-DD`: the Interpreter Act's rules for an assignment on
    that date (default today)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("date", OpenApiTypes.DATE)],
                   responses={200: RulesOutput})
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("date", "")
        if raw:
            try:
                on = dt.date.fromisoformat(raw)
            except ValueError:
                raise ValidationFailed.of(
                    "date_format_invalid", fields={"date": [raw[:40]]}
                ) from None
        else:
            on = timezone.localdate()
        last_day = settings.TOLK_DISPENSATION_LAST_DAY
        return Response(RulesOutput({
            "date": on,
            "rule_set": rule_set_for(on=on, dispensation_last_day=last_day),
            "dispensation_last_day": last_day,
            "rules": rules_in_force(on=on, dispensation_last_day=last_day),
        }).data)


class GuidelinesApi(APIView):
    """GET: the caller's organisation's guideline versions (newest first) and the one in force.
    POST: publish a new version (administrators; `organisation` = organisation number). The
    organisation's coming bookings are re-checked against it in the same transaction; the answer
    says how many assignments were reopened and offers withdrawn."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        organisation = serializers.CharField(max_length=9)
        valid_from = serializers.DateField()
        min_category = serializers.ChoiceField(choices=Category.choices, required=False,
                                               allow_blank=True, default="")
        remote_platforms = serializers.ListField(
            child=serializers.CharField(max_length=100), required=False, default=list,
            max_length=50,
        )
        police_certificate_required = serializers.BooleanField(required=False, default=False)
        late_cancellation_hours = serializers.IntegerField(min_value=0, max_value=336,
                                                           required=False, default=24)
        ordering_routine = serializers.CharField(required=False, allow_blank=True, default="",
                                                 max_length=20000)
        mandatory_use = serializers.CharField(required=False, allow_blank=True, default="",
                                              max_length=20000)
        remote_guidance = serializers.CharField(required=False, allow_blank=True, default="",
                                                max_length=20000)

    @extend_schema(responses={200: GuidelineListOutput})
    def get(self, request: Request) -> Response:
        org_id = _user(request).organisation_id
        if org_id is None:
            return Response(GuidelineListOutput({"in_force": None, "results": []}).data)
        versions = Guideline.objects.filter(organisation_id=org_id).order_by("-version")
        current = guideline_in_force(organisation_id=org_id, on=timezone.localdate())
        return Response(GuidelineListOutput({
            "in_force": current.version if current else None, "results": versions,
        }).data)

    @extend_schema(request=InputSerializer, responses={201: GuidelinePublishedOutput})
    def post(self, request: Request) -> Response:
        if _user(request).role != Role.ADMIN:
            raise PermissionDeniedError.of("guidelines_publish_not_allowed")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organisation = Organisation.objects.filter(org_number=data.pop("organisation")).first()
        if organisation is None:
            raise NotFoundError.of("organisation_not_found")
        published = guideline_publish_rechecked(
            organisation=organisation, created_by=_user(request), **data
        )
        return Response(GuidelinePublishedOutput(
            published.guideline, context={"recheck": published.recheck}
        ).data, status=201)
