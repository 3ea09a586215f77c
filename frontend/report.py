"""The need report page: the statistics app's report (`stats.selectors.need_report`, protected by
default) turned into headline figures, charts and tables. No figure is computed here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontend import charts
from frontend.templatetags.tolk import number as fmt_number
from frontend.templatetags.tolk import percent, signed_percent
from stats.selectors import assignments_by_year, need_report

TOP_LANGUAGES = 10
TREND_YEARS = 6
HEADLINES = (
    ("requests", "number"), ("assignments", "number"), ("qualified_share", "percent"),
    ("unfilled", "number"), ("cancelled", "number"), ("hours", "number"),
    ("cost_nok", "number"), ("language_count", "number"),
)


def _labels() -> dict[str, str]:
    return {
        "requests": _("Requests"),
        "assignments": _("Assignments carried out"),
        "qualified_share": _("Done by a qualified interpreter"),
        "unfilled": _("Unfilled (no interpreter found)"),
        "cancelled": _("Cancelled"),
        "hours": _("Hours"),
        "cost_nok": _("Cost (NOK)"),
        "language_count": _("Languages"),
    }


def _headlines(totals: dict[str, Any]) -> list[dict[str, Any]]:
    labels = _labels()
    change = totals.get("change") or {}
    rows = []
    for key, kind in HEADLINES:
        value = totals.get(key)
        delta = (change.get(key) or {}) if isinstance(change, dict) else {}
        if kind == "percent":
            shown = percent(value) if value is not None else None
            moved = delta.get("absolute")
            change_text = (
                _("%(points)s percentage points from last year")
                % {"points": signed_percent(moved).replace("\u00a0%", "")}
                if moved is not None else ""
            )
        else:
            shown = fmt_number(value) if value is not None else None
            relative = delta.get("relative")
            change_text = (
                _("%(change)s from last year") % {"change": signed_percent(relative)}
                if relative is not None else ""
            )
        rows.append({"key": key, "label": labels[key], "value": shown, "change": change_text})
    return rows


def chart_value(row: Mapping[str, Any], cell: str) -> tuple[str, float | None, str]:
    """A cell of a report row as a chart draws it: (name, value, note). The one place that reads
    the report's per-cell protection flags, so that no chart leaves a protected value out or
    draws it as if it were exact.

    Today a protected cell is withheld: the report gives `None` and the row `suppressed: true`.
    A report that perturbs instead marks the row `perturbed` (true, or the names of its
    perturbed cells): the value is drawn with a note. `None` in a row that is not protected is a
    share of nothing (no assignments): no bar, a dash.
    """
    value = row.get(cell)
    name = str(row.get("name") or row.get("key") or "")
    if value is None:
        if row.get("suppressed") or row.get("withheld"):
            return name, None, ""
        return name, None, "–"
    perturbed = row.get("perturbed")
    if perturbed is True or (isinstance(perturbed, list | tuple | set | dict)
                             and cell in perturbed):
        return name, float(value), _("perturbed")
    return name, float(value), ""


def _trend(
    *, year: int, filters: dict[str, str], suppress: bool
) -> list[tuple[str, float | None, str]]:
    """Assignments year by year, each year as its own report publishes it (protected the same
    way unless `suppress` is False): never counted from the facts beside the report."""
    counts = assignments_by_year(first=year - TREND_YEARS + 1, last=year, filters=filters,
                                 suppress=suppress)
    points = [
        chart_value({"name": str(y), "assignments": n}, "assignments") for y, n in counts.items()
    ]
    # Leading years without data say nothing; drop them.
    while len(points) > 1 and not points[0][1]:
        points.pop(0)
    return points


def report_page_context(
    *, year: int, filters: dict[str, str], years: list[int], suppress: bool = True
) -> dict[str, Any]:
    """`suppress=False` only for users with `stats.view_unsuppressed` (the caller checks)."""
    report = need_report(year=year, filters=filters, suppress=suppress)
    withheld = _("withheld")
    pct = lambda v: percent(v)  # noqa: E731 - a one-line formatter for the charts
    languages = report["by_language"]
    top = languages[:TOP_LANGUAGES]
    shortage = sorted(
        (r for r in languages if r.get("shortage_share") is not None and r["requests"]),
        key=lambda r: r["shortage_share"], reverse=True,
    )[:TOP_LANGUAGES]
    unranked = sum(1 for r in languages if r["requests"] is None)
    top_title = _("Assignments by language, top %(n)s") % {"n": len(top)}
    provider_title = _("Qualified share by provider type")
    modality_title = _("Assignments by modality")
    shortage_title = _(
        "Shortage by language: share of the need not met by a qualified interpreter"
    )
    trend_title = _("Assignments carried out, year by year")
    modalities = [chart_value(r, "assignments") for r in report["by_modality"]]
    withheld_modalities = [name for name, value, _n in modalities if value is None]
    chart_list = [
        (top_title, charts.bar_chart(
            [chart_value(r, "assignments") for r in top],
            title=top_title, fmt=fmt_number, suppressed_label=withheld,
        )),
        (provider_title, charts.bar_chart(
            [chart_value(r, "qualified_share") for r in report["by_provider_type"]],
            title=provider_title, fmt=pct, maximum=1.0, suppressed_label=withheld,
        )),
        (modality_title, charts.split_bar(
            modalities, title=modality_title, fmt=fmt_number,
            total=chart_value(report["totals"], "assignments")[1],
            suppressed_label=withheld,
            withheld_rest_label=_("Hatched: withheld (%(names)s), too few to publish.")
            % {"names": ", ".join(withheld_modalities)},
            unknown_shares_label=_("Shares withheld: the total is protected."),
            protected_rest_label=_(
                "Hatched: the rest of the total, in modalities too small to publish (shown as 0)."
            ),
        )),
        (shortage_title, charts.bar_chart(
            [chart_value(r, "shortage_share") for r in shortage],
            title=shortage_title, fmt=pct, maximum=1.0, suppressed_label=withheld,
            footnote=ngettext(
                "%(n)s language with withheld figures cannot be ranked.",
                "%(n)s languages with withheld figures cannot be ranked.", unranked,
            ) % {"n": unranked} if unranked else "",
        )),
        (trend_title, charts.line_chart(
            _trend(year=year, filters=filters, suppress=suppress),
            title=trend_title, fmt=fmt_number, suppressed_label=withheld,
        )),
    ]
    query: dict[str, Any] = {"year": year, **filters}
    if not suppress:
        query["unsuppressed"] = "true"
    return {
        "report": report,
        "headlines": _headlines(report["totals"]),
        "charts": chart_list,
        "tables": [
            (_("By provider type"), report["by_provider_type"]),
            (_("By modality"), report["by_modality"]),
            (_("By sector"), report["by_sector"]),
            (_("By county"), report["by_county"]),
            (_("By register category"), report["by_category"]),
        ],
        "languages": [r for r in languages if r["requests"]],
        "other_languages": [r for r in languages if not r["requests"]],
        "capacity": report.get("coverage_capacity") or {},
        "download_csv": "/api/v1/stats/need-report/?" + urlencode({**query, "format": "csv"}),
        "download_csv_excel": "/api/v1/stats/need-report/?" + urlencode(
            {**query, "format": "csv-excel"}
        ),
        "download_xlsx": "/api/v1/stats/need-report/?" + urlencode({**query, "format": "xlsx"}),
        "year": year,
        "years": years,
        "suppressed_view": suppress,
    }
