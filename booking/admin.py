"""Django admin for the register, organisations and users. The admin speaks bokmål by default
(Django's own translations plus Tolk's in booking/locale)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import (
    AuditEntry,
    Booking,
    DailyJobRun,
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


def _recheck_interpreter(request: HttpRequest, interpreter_id: int,
                         locked: set[int] | None = None) -> None:
    """An admin change to an interpreter, an entry or a status event: re-check their pending
    offers and future assignments in the same transaction (the admin saves in one), and say what
    was taken away."""
    from booking.dispatch.services.recheck import recheck_interpreters

    result = recheck_interpreters(
        interpreter_ids=[interpreter_id], cause=f"admin change by {request.user}",
        actor=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
        actor_role="register", locked_booking_ids=locked,
    )
    if result.changed:
        messages.warning(request, _(
            "%(assignments)s future assignment(s) reopened and %(offers)s offer(s) withdrawn: "
            "they no longer meet the rules on their date."
        ) % {"assignments": result.reopened_assignments, "offers": result.withdrawn_offers})


@admin.register(Interpreter)
class InterpreterAdmin(admin.ModelAdmin):
    list_display = ("register_number", "family_name", "given_name", "municipality", "county",
                    "availability")
    list_filter = ("county", "availability", "gender", "qualifications__category")
    search_fields = ("register_number", "family_name", "given_name", "email")
    readonly_fields = ("county", "created_at", "updated_at")
    inlines = (QualificationInline, StatusEventInline)
    list_per_page = 50

    def save_model(self, request: HttpRequest, obj: Interpreter, form: ModelForm,
                   change: bool) -> None:
        if change:
            from booking.dispatch.services.recheck import recheck_lock_bookings

            # Saving locks the interpreter row: lock their bookings first (the lock order).
            obj._recheck_locked = recheck_lock_bookings(  # type: ignore[attr-defined]
                interpreter_ids=[obj.pk], now=timezone.now()
            )
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any,
                     change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change:
            _recheck_interpreter(request, form.instance.pk,
                                 getattr(form.instance, "_recheck_locked", set()))


@admin.register(RegisterStatusEvent)
class RegisterStatusEventAdmin(admin.ModelAdmin):
    list_display = ("interpreter", "kind", "language", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("interpreter__register_number", "interpreter__family_name")
    raw_id_fields = ("interpreter",)

    def save_model(self, request: HttpRequest, obj: RegisterStatusEvent, form: ModelForm,
                   change: bool) -> None:
        super().save_model(request, obj, form, change)
        _recheck_interpreter(request, obj.interpreter_id)


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
        *(DjangoUserAdmin.fieldsets or ()),
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

    def save_model(self, request: HttpRequest, obj: Guideline, form: ModelForm,
                   change: bool) -> None:
        """A version added here applies to the organisation's coming bookings on its days,
        as one published through the API does."""
        from booking.dispatch.services.recheck import recheck_organisation

        super().save_model(request, obj, form, change)
        result = recheck_organisation(
            organisation_id=obj.organisation_id, cause=f"guideline version {obj.version}",
            actor=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
        )
        if result.changed:
            messages.warning(request, _(
                "%(assignments)s future assignment(s) reopened and %(offers)s offer(s) "
                "withdrawn: they no longer meet the rules on their date."
            ) % {"assignments": result.reopened_assignments,
                 "offers": result.withdrawn_offers})


@admin.register(DailyJobRun)
class DailyJobRunAdmin(_ReadOnly, admin.ModelAdmin):
    """When the daily re-check ran and what it took away: read only."""

    list_display = ("job", "day", "started_at", "finished_at", "reopened_assignments",
                    "withdrawn_offers", "tightened_bookings")


@admin.register(ProviderAgreement)
class ProviderAgreementAdmin(admin.ModelAdmin):
    list_display = ("customer", "provider", "is_default")
    list_filter = ("is_default",)


@admin.register(InterpreterBlock)
class InterpreterBlockAdmin(admin.ModelAdmin):
    list_display = ("organisation", "interpreter", "case_reference", "created_at")
    raw_id_fields = ("interpreter",)
    search_fields = ("interpreter__register_number", "case_reference")
