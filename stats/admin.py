"""Read-only admin views of the statistics: facts are written by imports and bookings only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from stats.models import AssignmentFact, StatsImport


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(StatsImport)
class StatsImportAdmin(_ReadOnly):
    list_display = ("file_name", "imported_at", "imported_by", "organisation", "rows", "added",
                    "changed", "unchanged", "on_platform", "seconds")
    list_filter = ("organisation",)


@admin.register(AssignmentFact)
class AssignmentFactAdmin(_ReadOnly):
    list_display = ("provider_org_number", "reference", "date", "language", "provider_type",
                    "modality", "sector", "outcome", "interpreter_category", "source")
    list_filter = ("source", "provider_type", "outcome", "modality", "sector")
    search_fields = ("provider_org_number", "reference")
    date_hierarchy = "date"
    show_full_result_count = False
from stats import admin_exchange  # noqa: E402, F401 - registers the exchange pages
