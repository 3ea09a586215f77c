"""The need report's JSON as output serializers: every table, row and measure typed in the API
schema. `stats.report.build` makes the dictionary; these say what it holds. In the protected view
every count is perturbed with the cell key method (`stats.ptable`), so nothing is withheld; a null
share is a share of nothing."""

from __future__ import annotations

from rest_framework import serializers

from tolk.outputs import NumberOutputField, OptionalKeysSerializer

_WITHHELD = "Never null in the cell key view (kept nullable for a withheld value)."


class ChangeOutput(serializers.Serializer):
    """The change from last year's published figure."""

    previous = NumberOutputField()
    absolute = NumberOutputField()
    relative = serializers.FloatField(allow_null=True, help_text="Null when last year was 0.")


class TotalsChangeOutput(serializers.Serializer):
    requests = ChangeOutput(allow_null=True)
    assignments = ChangeOutput(allow_null=True)
    unfilled = ChangeOutput(allow_null=True)
    cancelled = ChangeOutput(allow_null=True)
    hours = ChangeOutput(allow_null=True)
    cost_nok = ChangeOutput(allow_null=True)
    qualified_share = ChangeOutput(allow_null=True)
    language_count = ChangeOutput(allow_null=True)


class TotalsOutput(serializers.Serializer):
    requests = serializers.IntegerField(allow_null=True, help_text=_WITHHELD)
    assignments = serializers.IntegerField(allow_null=True, help_text=_WITHHELD)
    unfilled = serializers.IntegerField(allow_null=True, help_text=_WITHHELD)
    cancelled = serializers.IntegerField(allow_null=True, help_text=_WITHHELD)
    hours = serializers.FloatField(allow_null=True)
    cost_nok = serializers.FloatField(allow_null=True)
    qualified_share = serializers.FloatField(allow_null=True)
    language_count = serializers.IntegerField()
    suppressed = serializers.BooleanField()
    change = TotalsChangeOutput(allow_null=True, help_text="Null without last year's report.")


class RowOutput(serializers.Serializer):
    """One row of a table (a language, provider type, modality, sector, county or category)."""

    key = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    requests = serializers.IntegerField(allow_null=True, help_text=_WITHHELD)
    assignments = serializers.IntegerField(allow_null=True, help_text=_WITHHELD)
    share = serializers.FloatField(allow_null=True, help_text="Share of all assignments.")
    qualified_share = serializers.FloatField(allow_null=True)
    unfilled = serializers.IntegerField(allow_null=True, help_text=_WITHHELD)
    cancelled = serializers.IntegerField(allow_null=True, help_text=_WITHHELD)
    hours = serializers.FloatField(allow_null=True)
    cost_nok = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField(help_text="True when any cell of the row is withheld.")


class CoverageLevelOutput(serializers.Serializer):
    capacity = serializers.IntegerField(help_text="Assignments a year per interpreter.")
    coverage = serializers.FloatField(allow_null=True)
    uncovered = serializers.IntegerField(allow_null=True)
    interpreters_needed = serializers.IntegerField(allow_null=True)


class CoverageOutput(serializers.Serializer):
    low = CoverageLevelOutput()
    medium = CoverageLevelOutput()
    high = CoverageLevelOutput()


class LanguageChangeOutput(serializers.Serializer):
    requests = ChangeOutput(allow_null=True)
    assignments = ChangeOutput(allow_null=True)
    share = ChangeOutput(allow_null=True)
    qualified_share = ChangeOutput(allow_null=True)
    unfilled = ChangeOutput(allow_null=True)


class LanguageRowOutput(RowOutput):
    """A language row with the shortage measures (see `stats.report._language_extras`)."""

    cumulative_share = serializers.FloatField(allow_null=True)
    qualified_interpreters = serializers.IntegerField(
        help_text="Interpreters in the register qualified in the language."
    )
    need = serializers.IntegerField(allow_null=True, help_text="Assignments + unfilled.")
    shortage_share = serializers.FloatField(
        allow_null=True, help_text="Share of the need not met by a qualified interpreter."
    )
    coverage = CoverageOutput(help_text="Per capacity level.")
    change = LanguageChangeOutput(allow_null=True)


class SuppressionOutput(serializers.Serializer):
    applied = serializers.BooleanField()
    threshold = serializers.IntegerField()


class ProtectionOutput(OptionalKeysSerializer):
    """How the figures are protected: `cell_key` with the p-table's parameters, or `none` (the
    exact figures, for users with `stats.view_unsuppressed`)."""

    method = serializers.ChoiceField(choices=["cell_key", "none"])
    exact = serializers.BooleanField()
    key_range = serializers.IntegerField(required=False, help_text="cell_key only.")
    max_perturbation = serializers.IntegerField(required=False, help_text="cell_key only.")
    variance = serializers.FloatField(required=False, help_text="cell_key only.")
    small_counts = serializers.ListField(
        child=serializers.IntegerField(), required=False,
        help_text="cell_key only: the first and last count never published as itself.",
    )
    small_counts_published_as = serializers.IntegerField(required=False,
                                                         help_text="cell_key only.")
    zeros_stay_zero = serializers.BooleanField(required=False, help_text="cell_key only.")
    magnitude_scale = NumberOutputField(required=False, help_text="cell_key only.")


class CapacityOutput(serializers.Serializer):
    low = serializers.IntegerField()
    medium = serializers.IntegerField()
    high = serializers.IntegerField()


class SourceOutput(OptionalKeysSerializer):
    """Where the report's facts come from: this installation's bookings (`platform`), provider
    files (`file`) or another installation's export (`pull`)."""

    kind = serializers.ChoiceField(choices=["platform", "file", "pull"])
    name = serializers.CharField()
    rows = serializers.IntegerField(allow_null=True,
                                    help_text="Only in the report without suppression.")
    imported_at = serializers.DateTimeField(allow_null=True, required=False,
                                            help_text="file only.")
    url = serializers.CharField(required=False, help_text="pull only.")
    last_pulled_at = serializers.DateTimeField(allow_null=True, required=False,
                                               help_text="pull only.")
    last_status = serializers.CharField(allow_null=True, required=False, help_text="pull only.")
    last_code = serializers.CharField(allow_null=True, required=False, help_text="pull only.")
    last_ok_at = serializers.DateTimeField(allow_null=True, required=False,
                                           help_text="pull only.")


class NeedReportOutput(serializers.Serializer):
    """The yearly need report."""

    year = serializers.IntegerField()
    filters = serializers.DictField(child=serializers.CharField(),
                                    help_text="The filters applied, as given.")
    suppression = SuppressionOutput()
    protection = ProtectionOutput()
    coverage_capacity = CapacityOutput()
    sources = SourceOutput(many=True)
    totals = TotalsOutput()
    top10_share = serializers.FloatField(
        allow_null=True, help_text="Share of assignments in the ten largest languages."
    )
    by_language = LanguageRowOutput(many=True)
    by_provider_type = RowOutput(many=True)
    by_modality = RowOutput(many=True)
    by_sector = RowOutput(many=True)
    by_county = RowOutput(many=True)
    by_category = RowOutput(many=True)
