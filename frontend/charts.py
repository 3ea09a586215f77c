"""Charts for the need report as server-rendered SVG: no JavaScript, no external library, readable
by screen readers (title and description), and the same numbers are in the tables below them.

Every chart is `WIDTH` units wide with text of `FONT_SIZE` units, and the page never draws one
narrower than `MIN_SCALE` of that (the stylesheet's `.chart svg` min-width; the chart scrolls
sideways instead), so no chart text is smaller than 12 px.

A value is `(label, value)` or `(label, value, note)`. `None` is a withheld cell: it is marked
("withheld", hatched), never left out, and a split bar does not stretch the published parts to
100 % without it. A note (e.g. that the value is perturbed) is shown beside the value; `None`
with a note is a value that does not exist (a share of nothing): the note alone is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1b365d", "#0a7c6a", "#b35900", "#6b3fa0", "#a4151b", "#4a4f55")
WITHHELD_FILL = "url(#withheld)"
WIDTH = 590
FONT_SIZE = 14
MIN_FONT_PX = 12
MIN_SCALE = MIN_FONT_PX / FONT_SIZE  # the stylesheet: .chart svg { min-width: 506px }
_ids = count(1)

Value = tuple[str, float | None] | tuple[str, float | None, str]


def _fmt_default(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


def _parts(row: Value) -> tuple[str, float | None, str]:
    label, value = row[0], row[1]
    note = row[2] if len(row) > 2 else ""  # type: ignore[misc]
    return label, (None if value is None else float(value)), str(note)


def _hatch(n: int) -> str:
    return (
        f'<defs><pattern id="withheld-{n}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#6b737b" stroke-width="2"/></pattern></defs>'
    )


def _svg(height: int, title: str, desc: str, body: str) -> SafeString:
    n = next(_ids)
    body = body.replace(WITHHELD_FILL, f"url(#withheld-{n})")
    return mark_safe(  # noqa: S308 - every text in `body` is escaped where it is built
        f'<svg viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="chart-t{n} chart-d{n}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}">'
        f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'
        f"{_hatch(n)}{body}</svg>"
    )


def _with_note(text: str, note: str) -> str:
    return f"{text} ({note})" if note else text


def bar_chart(
    rows: Sequence[Value],
    *,
    title: str,
    fmt: Callable[[float], str] = _fmt_default,
    maximum: float | None = None,
    suppressed_label: str = "",
    footnote: str = "",
) -> SafeString:
    """Horizontal bars, one per row. A None value is a withheld cell: a hatched stub, marked.
    `footnote` says what the chart leaves out (e.g. withheld rows that cannot be ranked)."""
    label_w, value_w, row_h = 180, 110, 28
    bar_w = WIDTH - label_w - value_w
    parsed = [_parts(r) for r in rows]
    height = max(row_h * len(parsed) + 10, 40) + (row_h if footnote else 0)
    top = maximum if maximum is not None else max((v or 0) for _l, v, _n in parsed) if parsed else 0
    top = top or 1
    parts = []
    described = []
    for i, (label, value, note) in enumerate(parsed):
        y = 5 + i * row_h
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" fill="#1a1a1a">'
            f"{escape(short)}</text>"
        )
        if value is None and note:
            parts.append(
                f'<text x="{label_w + 6}" y="{y + 19}" fill="#1a1a1a">{escape(note)}</text>'
            )
            described.append(f"{label}: {note}")
            continue
        if value is None:
            parts.append(
                f'<rect x="{label_w}" y="{y + 5}" width="36" height="{row_h - 10}" '
                f'fill="{WITHHELD_FILL}" stroke="#6b737b" data-withheld="true"/>'
                f'<text x="{label_w + 44}" y="{y + 19}" fill="#1a1a1a" font-style="italic">'
                f"{escape(suppressed_label)}</text>"
            )
            described.append(f"{label}: {suppressed_label}")
            continue
        length = max(bar_w * value / top, 1)
        text = _with_note(fmt(value), note)
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{length:.1f}" height="{row_h - 10}" '
            f'fill="{PALETTE[0]}" rx="2"/>'
        )
        parts.append(
            f'<text x="{label_w + length + 6:.1f}" y="{y + 19}" fill="#1a1a1a">'
            f"{escape(text)}</text>"
        )
        described.append(f"{label}: {text}")
    if footnote:
        parts.append(
            f'<text x="0" y="{height - 10}" fill="#1a1a1a" font-style="italic">'
            f"{escape(footnote)}</text>"
        )
        described.append(footnote)
    return _svg(height, title, "; ".join(described), "".join(parts))


def split_bar(
    parts_in: Sequence[Value], *, title: str,
    fmt: Callable[[float], str] = _fmt_default,
    total: float | None = None,
    suppressed_label: str = "",
    withheld_rest_label: str = "",
    unknown_shares_label: str = "",
    protected_rest_label: str = "",
) -> SafeString:
    """One bar split into the parts' shares, with a legend. With every part published and adding
    up to `total` the bar is the parts' sum. With a part withheld, or published parts that add up
    to less than the published `total` (protected small parts published as 0), the shares are of
    `total`, the published parts drawn as they are and the rest hatched; without a total no bar is
    drawn, since the published parts alone would be stretched to 100 %."""
    bar_h, line_h = 34, 24
    parsed = [_parts(p) for p in parts_in]
    withheld = [label for label, value, _n in parsed if value is None]
    published = sum(v or 0 for _l, v, _n in parsed)
    short = not withheld and total is not None and total > published
    rest_label = withheld_rest_label if withheld else (protected_rest_label if short else "")
    legend_h = line_h * (len(parsed) + (1 if rest_label else 0))
    height = bar_h + 20 + legend_h
    body = []
    described = []
    whole = total if (withheld or short) else published
    if whole:
        x = 0.0
        for i, (_label, value, _note) in enumerate(parsed):
            if value is None:
                continue
            w = WIDTH * min(value / whole, 1.0)
            if w > 0:
                body.append(
                    f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_h}" '
                    f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                )
            x += w
        if (withheld or short) and x < WIDTH:
            body.append(
                f'<rect x="{x:.1f}" y="0" width="{WIDTH - x:.1f}" height="{bar_h}" '
                f'fill="{WITHHELD_FILL}" stroke="#6b737b" data-withheld="true"/>'
            )
    else:
        body.append(
            f'<rect x="0" y="0" width="{WIDTH}" height="{bar_h}" fill="{WITHHELD_FILL}" '
            f'stroke="#6b737b" data-withheld="true"/>'
            f'<text x="10" y="{bar_h / 2 + 5:.0f}" fill="#1a1a1a" font-style="italic">'
            f"{escape(unknown_shares_label)}</text>"
        )
        described.append(unknown_shares_label)
    for i, (label, value, note) in enumerate(parsed):
        y = bar_h + 20 + i * line_h
        if value is None:
            swatch, text = WITHHELD_FILL, f"{label}: {suppressed_label}"
        else:
            swatch = PALETTE[i % len(PALETTE)]
            share = f" ({value / whole * 100:.0f}\u00a0%)" if whole else ""
            text = _with_note(f"{label}: {fmt(value)}{share}", note)
        body.append(
            f'<rect x="0" y="{y - 12}" width="16" height="16" fill="{swatch}" stroke="#6b737b"/>'
            f'<text x="24" y="{y + 1}" fill="#1a1a1a">{escape(text)}</text>'
        )
        described.append(text)
    if rest_label:
        y = bar_h + 20 + len(parsed) * line_h
        text = rest_label
        body.append(f'<text x="0" y="{y + 1}" fill="#1a1a1a" font-style="italic">'
                    f"{escape(text)}</text>")
        described.append(text)
    return _svg(height, title, "; ".join(described), "".join(body))


def line_chart(
    points: Sequence[Value], *, title: str,
    fmt: Callable[[float], str] = _fmt_default,
    suppressed_label: str = "",
) -> SafeString:
    """Values across years (or another ordered axis); a withheld point is marked on the axis and
    breaks the line."""
    height, left, right, top_pad, bottom = 230, 80, 24, 24, 56
    parsed = [_parts(p) for p in points]
    values = [v for _l, v, _n in parsed if v is not None]
    if not values and not parsed:
        return _svg(60, title, "", "")
    top = max(values, default=0) or 1
    plot_w = WIDTH - left - right
    plot_h = height - top_pad - bottom
    step = plot_w / max(len(parsed) - 1, 1)
    runs: list[list[str]] = [[]]
    axis = top_pad + plot_h
    body = [
        f'<line x1="{left}" y1="{axis}" x2="{WIDTH - right}" y2="{axis}" stroke="#6b737b"/>',
        f'<text x="{left - 8}" y="{top_pad + 5}" text-anchor="end" fill="#4a4f55">'
        f"{escape(fmt(top))}</text>",
        f'<text x="{left - 8}" y="{axis}" text-anchor="end" fill="#4a4f55">0</text>',
    ]
    described = []
    for i, (label, value, note) in enumerate(parsed):
        x = left + i * step
        body.append(
            f'<text x="{x:.1f}" y="{height - 28}" text-anchor="middle" fill="#1a1a1a">'
            f"{escape(label)}</text>"
        )
        if value is None:
            runs.append([])
            body.append(
                f'<rect x="{x - 7:.1f}" y="{axis - 7}" width="14" height="14" '
                f'fill="{WITHHELD_FILL}" stroke="#6b737b" data-withheld="true"/>'
                f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="#1a1a1a" '
                f'font-style="italic">{escape(suppressed_label)}</text>'
            )
            described.append(f"{label}: {suppressed_label}")
            continue
        y = top_pad + plot_h * (1 - value / top)
        runs[-1].append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{PALETTE[1]}"/>')
        described.append(f"{label}: {_with_note(fmt(value), note)}")
    for run in runs:
        if len(run) > 1:
            body.insert(
                0,
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{PALETTE[1]}" '
                f'stroke-width="2.5"/>',
            )
    return _svg(height, title, "; ".join(described), "".join(body))
