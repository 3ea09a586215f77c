"""Admin pages for the exchange of facts between installations: export clients (created here,
their token shown once), the exports made, and the sources this installation pulls from with
their last pull. Tokens are never displayed after creation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stats.models import ExportClient, FactExport, PullSource, SourcePull
from stats.services.export_clients import export_client_create, export_client_revoke


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.action(description=_("Revoke the selected export clients"))
def revoke_clients(modeladmin: Any, request: HttpRequest, queryset: QuerySet[ExportClient]) -> None:
    for client in queryset:
        export_client_revoke(client=client)
    messages.success(request, _("The tokens were revoked."))


@admin.register(ExportClient)
class ExportClientAdmin(admin.ModelAdmin):
    list_display = ("name", "token_id", "created_by", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name",)
    fields = ("name",)
    actions = [revoke_clients]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # revoke instead: the exports it made keep naming it

    def save_model(self, request: Any, obj: ExportClient, form: Any, change: bool) -> None:
        client, token = export_client_create(name=obj.name, created_by=request.user)
        obj.pk = client.pk
        obj.__dict__.update(client.__dict__)
        request._tolk_export_token = token

    def response_add(self, request: Any, obj: ExportClient, post_url_continue: Any = None
                     ) -> HttpResponse:
        return TemplateResponse(request, "admin/stats/exportclient/token.html", {
            **self.admin_site.each_context(request),
            "title": _("Token for %(name)s") % {"name": obj.name},
            "client": obj,
            "token": request._tolk_export_token,
            "opts": self.model._meta,
        })


@admin.register(FactExport)
class FactExportAdmin(_ReadOnly):
    list_display = ("year", "started_at", "finished_at", "client", "user", "rows", "bytes",
                    "sha256")
    list_filter = ("year", "client")


class PullSourceForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https",
                         help_text=_("The other installation's address, e.g. "
                                     "https://tolk.example.no"))
    token = forms.CharField(
        label=_("token"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The export client token the other installation gave you. Left empty, the "
                    "stored token is kept."),
    )

    class Meta:
        model = PullSource
        fields = ("name", "url", "token")

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token") or ""
        return token or (self.instance.token if self.instance.pk else "")


class SourcePullInline(admin.TabularInline):
    model = SourcePull
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("year", "started_at", "status", "code", "message", "rows", "added", "changed",
              "unchanged", "removed", "seconds")
    readonly_fields = fields
    ordering = ("-started_at",)

    def get_queryset(self, request: Any) -> QuerySet[SourcePull]:
        return super().get_queryset(request).order_by("-started_at")


@admin.register(PullSource)
class PullSourceAdmin(admin.ModelAdmin):
    form = PullSourceForm
    list_display = ("name", "url", "has_token", "last_pull", "last_status", "last_message",
                    "last_ok")
    search_fields = ("name", "url")
    inlines = [SourcePullInline]

    @admin.display(boolean=True, description=_("token stored"))
    def has_token(self, obj: PullSource) -> bool:
        return bool(obj.token)

    def _last(self, obj: PullSource) -> SourcePull | None:
        return obj.pulls.order_by("-started_at", "-id").first()

    @admin.display(description=_("last pull"))
    def last_pull(self, obj: PullSource) -> str:
        last = self._last(obj)
        return "" if last is None else (
            f"{timezone.localtime(last.started_at):%Y-%m-%d %H:%M} ({last.year})"
        )

    @admin.display(description=_("result"))
    def last_status(self, obj: PullSource) -> str:
        last = self._last(obj)
        return "" if last is None else str(last.get_status_display())

    @admin.display(description=_("message"))
    def last_message(self, obj: PullSource) -> str:
        last = self._last(obj)
        if last is None:
            return ""
        if last.status == SourcePull.Status.OK:
            return (f"{last.rows:,} rows: {last.added:,} new, {last.changed:,} changed, "
                    f"{last.unchanged:,} unchanged")
        return f"{last.message} [{last.code}]"

    @admin.display(description=_("last successful pull"))
    def last_ok(self, obj: PullSource) -> str:
        last = obj.pulls.filter(status=SourcePull.Status.OK).order_by("-started_at").first()
        return "" if last is None else f"{timezone.localtime(last.started_at):%Y-%m-%d %H:%M}"


@admin.register(SourcePull)
class SourcePullAdmin(_ReadOnly):
    list_display = ("source", "year", "started_at", "status", "code", "rows", "added", "changed",
                    "unchanged", "removed", "seconds")
    list_filter = ("status", "source", "year")
