"""Django admin for the register, organisations and users. The admin speaks bokmål by default
(Django's own translations plus Tolk's in booking/locale)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from booking.models import (
    AuditEntry,
    Booking,
    Guideline,
    Interpreter,
    InterpreterBlock,
    Organisation,
    ProviderAgreement,
    Qualification,
    RegisterImport,
    RegisterStatusEvent,
    Unit,
    User,
)

admin.site.site_header = _("Tolk administration")
admin.site.site_title = _("Tolk")
admin.site.index_title = _("Register, organisations and users")


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0
    fields = ("language", "category", "valid_from", "valid_to", "status")


class StatusEventInline(admin.TabularInline):
    model = RegisterStatusEvent
    extra = 0
    fields = ("kind", "language", "valid_from", "valid_to", "reason")


@admin.register(Interpreter)
class InterpreterAdmin(admin.ModelAdmin):
    list_display = ("register_number", "family_name", "given_name", "municipality", "county",
                    "availability")
    list_filter = ("county", "availability", "gender", "qualifications__category")
    search_fields = ("register_number", "family_name", "given_name", "email")
    readonly_fields = ("county", "created_at", "updated_at")
    inlines = (QualificationInline, StatusEventInline)
    list_per_page = 50


@admin.register(RegisterStatusEvent)
class RegisterStatusEventAdmin(admin.ModelAdmin):
    list_display = ("interpreter", "kind", "language", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("interpreter__register_number", "interpreter__family_name")
    raw_id_fields = ("interpreter",)


@admin.register(RegisterImport)
class RegisterImportAdmin(admin.ModelAdmin):
    """Imports are a record of who changed the register: read only."""

    list_display = ("file_name", "imported_at", "imported_by", "rows", "added", "changed")
    readonly_fields = ("file_name", "imported_at", "imported_by", "rows", "added", "changed",
                       "unchanged", "newly_blocked")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ("name", "sector", "municipality")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "org_number", "kind", "provider_type", "municipality")
    list_filter = ("kind", "provider_type")
    search_fields = ("name", "org_number")
    inlines = (UnitInline,)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "organisation", "is_active")
    list_filter = ("role", "is_active", "organisation")
    raw_id_fields = ("interpreter",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role in Tolk"), {"fields": ("role", "organisation", "unit", "interpreter")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role in Tolk"), {"fields": ("role", "organisation", "unit", "interpreter")}),
    )


class _ReadOnly:
    """Records the law requires us to keep as they were: viewable, never changed or deleted."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditEntryInline(_ReadOnly, admin.TabularInline):
    model = AuditEntry
    extra = 0
    fields = ("at", "actor", "actor_role", "action", "from_status", "to_status", "reason")
    readonly_fields = fields


@admin.register(Booking)
class BookingAdmin(_ReadOnly, admin.ModelAdmin):
    """Bookings change only through Tolk's services, which enforce the Interpreter Act and write
    the audit trail; the admin shows them."""

    list_display = ("id", "customer", "language", "modality", "start", "status", "provider")
    list_filter = ("status", "modality", "sector", "duty_basis")
    search_fields = ("id", "language", "customer__name")
    date_hierarchy = "start"
    inlines = (AuditEntryInline,)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


@admin.register(Guideline)
class GuidelineAdmin(admin.ModelAdmin):
    """A guideline version is never edited: a change is a new version."""

    list_display = ("organisation", "version", "valid_from", "min_category",
                    "police_certificate_required", "late_cancellation_hours")
    list_filter = ("organisation",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProviderAgreement)
class ProviderAgreementAdmin(admin.ModelAdmin):
    list_display = ("customer", "provider", "is_default")
    list_filter = ("is_default",)


@admin.register(InterpreterBlock)
class InterpreterBlockAdmin(admin.ModelAdmin):
    list_display = ("organisation", "interpreter", "case_reference", "created_at")
    raw_id_fields = ("interpreter",)
    search_fields = ("interpreter__register_number", "case_reference")
