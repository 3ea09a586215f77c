"""Charts for the need report as server-rendered SVG: no JavaScript, no external library, readable
by screen readers (title and description), and the same numbers are in the tables below them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1b365d", "#0a7c6a", "#b35900", "#6b3fa0", "#a4151b", "#4a4f55")
_ids = count(1)


def _fmt_default(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


def _svg(width: int, height: int, title: str, desc: str, body: str) -> SafeString:
    n = next(_ids)
    return mark_safe(  # noqa: S308 - every text in `body` is escaped where it is built
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-t{n} chart-d{n}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="13">'
        f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def bar_chart(
    rows: Sequence[tuple[str, float | None]],
    *,
    title: str,
    fmt: Callable[[float], str] = _fmt_default,
    maximum: float | None = None,
    suppressed_label: str = "",
) -> SafeString:
    """Horizontal bars, one per row. A None value is a suppressed cell: no bar, marked."""
    label_w, bar_w, row_h, value_w = 170, 330, 26, 90
    width = label_w + bar_w + value_w
    height = max(row_h * len(rows) + 10, 40)
    top = maximum if maximum is not None else max((v or 0) for _l, v in rows) if rows else 0
    top = top or 1
    parts = []
    described = []
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" fill="#1a1a1a">'
            f"{escape(short)}</text>"
        )
        if value is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 17}" fill="#4a4f55" font-style="italic">'
                f"{escape(suppressed_label)}</text>"
            )
            described.append(f"{label}: {suppressed_label}")
            continue
        length = max(bar_w * float(value) / top, 1)
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" '
            f'fill="{PALETTE[0]}" rx="2"/>'
        )
        parts.append(
            f'<text x="{label_w + length + 6:.1f}" y="{y + 17}" fill="#1a1a1a">'
            f"{escape(fmt(float(value)))}</text>"
        )
        described.append(f"{label}: {fmt(float(value))}")
    return _svg(width, height, title, "; ".join(described), "".join(parts))


def split_bar(
    parts_in: Sequence[tuple[str, float | None]], *, title: str,
    fmt: Callable[[float], str] = _fmt_default,
) -> SafeString:
    """One 100 % bar split into shares (fractions), with a legend."""
    width, bar_h = 590, 34
    legend_h = 22 * len(parts_in)
    height = bar_h + 16 + legend_h
    total = sum(v or 0 for _l, v in parts_in) or 1
    x = 0.0
    body = []
    described = []
    for i, (label, value) in enumerate(parts_in):
        colour = PALETTE[i % len(PALETTE)]
        share = (value or 0) / total
        w = width * share
        if w > 0:
            body.append(
                f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>'
            )
        x += w
        y = bar_h + 16 + i * 22
        text = f"{label}: {fmt(value) if value is not None else '–'}"
        body.append(
            f'<rect x="0" y="{y - 11}" width="14" height="14" fill="{colour}"/>'
            f'<text x="22" y="{y}" fill="#1a1a1a">{escape(text)}</text>'
        )
        described.append(text)
    return _svg(width, height, title, "; ".join(described), "".join(body))


def line_chart(
    points: Sequence[tuple[str, float | None]], *, title: str,
    fmt: Callable[[float], str] = _fmt_default,
) -> SafeString:
    """Values across years (or another ordered axis)."""
    width, height, left, right, top_pad, bottom = 590, 220, 70, 20, 20, 40
    values = [v for _l, v in points if v is not None]
    if not values:
        return _svg(width, 60, title, "", "")
    top = max(values) or 1
    plot_w = width - left - right
    plot_h = height - top_pad - bottom
    step = plot_w / max(len(points) - 1, 1)
    coords = []
    body = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" '
        f'stroke="#6b737b"/>',
        f'<text x="{left - 8}" y="{top_pad + 5}" text-anchor="end" fill="#4a4f55">'
        f"{escape(fmt(top))}</text>",
        f'<text x="{left - 8}" y="{top_pad + plot_h}" text-anchor="end" fill="#4a4f55">0</text>',
    ]
    described = []
    for i, (label, value) in enumerate(points):
        x = left + i * step
        body.append(
            f'<text x="{x:.1f}" y="{height - 15}" text-anchor="middle" fill="#1a1a1a">'
            f"{escape(label)}</text>"
        )
        if value is None:
            continue
        y = top_pad + plot_h * (1 - value / top)
        coords.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{PALETTE[1]}"/>')
        described.append(f"{label}: {fmt(value)}")
    if len(coords) > 1:
        body.insert(
            0,
            f'<polyline points="{" ".join(coords)}" fill="none" stroke="{PALETTE[1]}" '
            f'stroke-width="2.5"/>',
        )
    return _svg(width, height, title, "; ".join(described), "".join(body))
