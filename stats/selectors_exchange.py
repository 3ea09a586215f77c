"""What a year's need report is built from: the platform's own bookings, each source pulled from
another installation (with when it was last pulled, and how that went), and each provider file."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stats.models import PullSource, Source, SourcePull, StatsImport


def _iso(value: Any) -> str | None:
    """An instant in Oslo time (the offset keeps it an instant), to the second."""
    return None if value is None else timezone.localtime(value).replace(microsecond=0).isoformat()


def report_sources(*, facts: Any, year: int, with_counts: bool) -> list[dict[str, Any]]:
    """The report's `sources`: one entry per origin of the facts in `facts` (the year's facts,
    narrowed by the report's filters), plus sources pulled for the year that gave none. `rows` is
    given only with `with_counts` (the unsuppressed report): a small source's count would be a
    small number of its own."""
    groups = list(
        facts.order_by().values("source", "stats_import_id").annotate(n=Count("id"))
    )
    platform_rows = sum(g["n"] for g in groups if g["source"] == Source.PLATFORM)
    per_import = {g["stats_import_id"]: g["n"] for g in groups
                  if g["source"] == Source.IMPORT and g["stats_import_id"] is not None}
    unattributed = sum(g["n"] for g in groups
                       if g["source"] == Source.IMPORT and g["stats_import_id"] is None)
    imports = StatsImport.objects.filter(pk__in=list(per_import)).select_related("pull__source")

    entries: list[dict[str, Any]] = []
    if platform_rows:
        entries.append({"kind": "platform", "name": _("Bookings in this installation"),
                        "rows": platform_rows})
    pulled: dict[int, int] = {}
    for record in imports:
        pull = getattr(record, "pull", None)
        if pull is not None:
            pulled[pull.source_id] = pulled.get(pull.source_id, 0) + per_import[record.pk]
            continue
        entries.append({
            "kind": "file", "name": record.file_name, "imported_at": _iso(record.imported_at),
            "rows": per_import[record.pk],
        })
    if unattributed:
        entries.append({"kind": "file", "name": _("Earlier imports"), "imported_at": None,
                        "rows": unattributed})

    year_pulls = SourcePull.objects.filter(year=year)
    sources = PullSource.objects.filter(pk__in={*pulled, *year_pulls.values_list(
        "source_id", flat=True)}).annotate(
        last_ok=Max("pulls__started_at", filter=_ok_for(year)),
    )
    for source in sources:
        last = year_pulls.filter(source=source).order_by("-started_at", "-id").first()
        entries.append({
            "kind": "pull", "name": source.name, "url": source.url,
            "rows": pulled.get(source.pk, 0),
            "last_pulled_at": _iso(last.started_at) if last else None,
            "last_status": last.status if last else None,
            "last_code": (last.code or None) if last else None,
            "last_ok_at": _iso(source.last_ok),
        })
    entries.sort(key=lambda e: (("platform", "pull", "file").index(e["kind"]), e["name"]))
    if not with_counts:
        for entry in entries:
            entry["rows"] = None
    return entries


def _ok_for(year: int) -> Q:
    return Q(pulls__year=year, pulls__status=SourcePull.Status.OK)
