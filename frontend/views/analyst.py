"""The analyst's pages: the yearly need report (headline figures with year-over-year change,
charts, tables with suppressed cells marked, CSV/XLSX downloads) and the provider file upload with
its row-by-row error report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.models import Role
from frontend.access import role_required
from frontend.forms import set_choices
from frontend.report import report_page_context
from stats.selectors import can_see_unsuppressed
from stats.services.imports import assignments_import
from tolk.csvimport import FileKind, max_bytes, max_megabytes


class ProviderFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Provider file (CSV)"),
        help_text=gettext_lazy(
            "UTF-8, comma-separated, with a header row; one row per request. Importing the same "
            "file again changes nothing. If any row is invalid, nothing is imported."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes(FileKind.ASSIGNMENTS):
            raise forms.ValidationError(
                gettext_lazy(
                    "The file is larger than %(megabytes)s MB. Split it by year or provider."
                ),
                code="too_large",
                params={"megabytes": max_megabytes(FileKind.ASSIGNMENTS)},
            )
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(
                gettext_lazy("Upload a .csv file in the provider format."), code="not_csv"
            )
        return upload


@role_required(Role.ANALYST, Role.COORDINATOR, Role.ADMIN)
def provider_import(request: HttpRequest) -> HttpResponse:
    result = None
    form = ProviderFileForm()
    status = 200
    if request.method == "POST":
        form = ProviderFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = assignments_import(
                stream=upload.file, file_name=upload.name, user=request.user  # type: ignore[arg-type]
            )
            status = 200 if result.ok else 400
        else:
            status = 400
    return render(
        request,
        "frontend/analyst/provider_import.html",
        {"form": form, "result": result, "columns": _columns()},
        status=status,
    )


def _columns() -> list[tuple[str, str, str]]:
    return [
        ("provider_org_number", _("yes"), _("9-digit organisation number with valid check digit")),
        ("provider_type", _("yes"), "private, municipal, state, in_house"),
        ("reference", _("yes"), _("the provider's own id for the request")),
        ("date", _("yes"), "YYYY-MM-DD"),
        ("language", _("yes"), _("ISO 639-3 code, e.g. ara, tir, som, ukr")),
        ("modality", _("yes"), "onsite, video, phone"),
        ("sector", _("yes"),
         "health, welfare, child_welfare, education, justice, immigration, other"),
        ("municipality", _("no"), _("4-digit municipality number")),
        ("interpreter_category", _("no"), _("A–E when qualified for the language that day")),
        ("outcome", _("yes"), "completed, cancelled, unfilled"),
        ("duration_minutes", _("for completed"), _("whole minutes, 0 or more")),
        ("cost_nok", _("no"), _("decimal, e.g. 1250.00")),
    ]


FILTERS = ("county", "sector", "provider_type", "modality")


class ReportFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    county = forms.ChoiceField(label=gettext_lazy("County"), required=False)
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    provider_type = forms.ChoiceField(label=gettext_lazy("Provider type"), required=False)
    modality = forms.ChoiceField(label=gettext_lazy("Modality"), required=False)
    unsuppressed = forms.BooleanField(
        label=gettext_lazy("Show small numbers (internal use only, never for publication)"),
        required=False,
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        from booking.models import Modality, ProviderType, Sector
        from tolk.reference import geo

        super().__init__(*args, **kwargs)
        every: list[tuple[str, Any]] = [("", _("All"))]
        set_choices(self.fields["year"], [(str(y), str(y)) for y in years])
        set_choices(self.fields["county"], every + sorted(
            ((code, place.name) for code, place in geo.COUNTIES.items()), key=lambda c: c[1]
        ))
        set_choices(self.fields["sector"], every + list(Sector.choices))
        set_choices(self.fields["provider_type"], every + list(ProviderType.choices))
        set_choices(self.fields["modality"], every + list(Modality.choices))


def _years() -> list[int]:
    from django.db.models.functions import ExtractYear

    from stats.models import AssignmentFact

    years = sorted(
        set(
            AssignmentFact.objects.annotate(y=ExtractYear("date"))
            .values_list("y", flat=True)
            .distinct()
        ),
        reverse=True,
    )
    return years


def default_year(years: list[int]) -> int:
    """The last complete year with facts: the current year has only begun and would open the
    page on a nearly empty report. The current year when it is the only one."""
    this_year = timezone.localdate().year
    return next((y for y in years if y < this_year), years[0])


@role_required(Role.ANALYST, Role.ADMIN)
def need_report(request: HttpRequest) -> HttpResponse:
    years = _years()
    if not years:
        return render(request, "frontend/analyst/need_report.html", {"no_data": True})
    data = request.GET.copy()
    data.setdefault("year", str(default_year(years)))
    form = ReportFilterForm(data, years=years)
    if not form.is_valid():
        return render(
            request, "frontend/analyst/need_report.html", {"form": form, "invalid": True},
            status=400,
        )
    filters = {k: form.cleaned_data[k] for k in FILTERS if form.cleaned_data.get(k)}
    allowed = can_see_unsuppressed(request.user)  # type: ignore[arg-type]
    unsuppressed = allowed and form.cleaned_data.get("unsuppressed", False)
    context = report_page_context(
        year=form.cleaned_data["year"], filters=filters, years=years, suppress=not unsuppressed
    )
    context["form"] = form
    context["may_unsuppress"] = allowed
    return render(request, "frontend/analyst/need_report.html", context)

