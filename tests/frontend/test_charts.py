"""The server-rendered SVG charts and the number formats of the pages."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from frontend import charts
from frontend.templatetags.tolk import number, percent, signed_percent


def test_bar_chart_escapes_labels_and_marks_suppressed_rows() -> None:
    svg = charts.bar_chart(
        [("<b>arabisk</b>", 120.0), ("tigrinja", None)], title="Oppdrag", suppressed_label="skjult"
    )
    assert "<b>" not in svg
    assert "&lt;b&gt;arabisk&lt;/b&gt;" in svg
    assert svg.count(f'fill="{charts.PALETTE[0]}"') == 1  # no bar for the suppressed row
    assert svg.count('data-withheld="true"') == 1  # but a hatched mark
    assert "tigrinja: skjult" in svg  # said in the description for screen readers
    assert 'role="img"' in svg and "<title" in svg


def test_bars_are_proportional_to_the_largest_value() -> None:
    svg = charts.bar_chart([("a", 100.0), ("b", 50.0)], title="t")
    assert 'width="300.0"' in svg and 'width="150.0"' in svg


def test_line_chart_without_values_is_empty_but_valid() -> None:
    svg = charts.line_chart([("2024", None)], title="t")
    assert svg.startswith("<svg") and "<polyline" not in svg


def test_split_bar_shares_add_up_to_the_width() -> None:
    svg = charts.split_bar([("x", 1.0), ("y", 3.0)], title="t")
    assert 'width="147.5"' in svg and 'width="442.5"' in svg


def test_number_formats_follow_the_language() -> None:
    with translation.override("nb"):
        assert number(1234567) == "1\u00a0234\u00a0567"
        assert percent(0.38) == "38\u00a0%"
        assert signed_percent(-0.1429) == "−14,3\u00a0%"
        assert percent(None) == ""
    with translation.override("en"):
        assert number(1234.5, 1) == "1,234.5"
        assert signed_percent(0.05) == "+5.0\u00a0%"


def test_split_bar_marks_withheld_parts_instead_of_stretching_the_rest_to_100_percent() -> None:
    # On-site and video withheld, phone 5,910 of 8,547 assignments.
    parts = [("Oppmøte", None), ("Skjerm", None), ("Telefon", 5910.0)]
    svg = charts.split_bar(parts, title="t", total=8547.0, suppressed_label="skjult",
                           withheld_rest_label="Skravert: skjult")
    assert f'width="{charts.WIDTH:.1f}" height="34" fill="{charts.PALETTE[2]}"' not in svg
    assert 'width="408.0" height="34"' in svg  # phone: 69 % of the bar
    assert "Telefon: 5\u00a0910 (69\u00a0%)" in svg
    assert "Oppmøte: skjult" in svg and "Skjerm: skjult" in svg
    assert 'x="408.0" y="0" width="182.0"' in svg and 'data-withheld="true"' in svg
    assert "100\u00a0%" not in svg
    # Without a published total the shares cannot be drawn at all.
    unknown = charts.split_bar(parts, title="t", unknown_shares_label="Andelene er skjult")
    assert f'fill="{charts.PALETTE[2]}"' not in unknown.split("<text")[0]
    assert "Andelene er skjult" in unknown


def test_line_chart_marks_a_withheld_year_and_breaks_the_line() -> None:
    svg = charts.line_chart([("2022", 10.0), ("2023", None), ("2024", 12.0)], title="t",
                            suppressed_label="skjult")
    assert "2023: skjult" in svg and 'data-withheld="true"' in svg
    assert "<polyline" not in svg  # no line drawn across the withheld year


def test_chart_text_is_never_under_12_px() -> None:
    every = [
        charts.bar_chart([("a", 1.0), ("b", None)], title="t"),
        charts.split_bar([("a", 1.0), ("b", 2.0)], title="t"),
        charts.line_chart([("2024", 1.0), ("2025", 2.0)], title="t"),
    ]
    for svg in every:
        assert f'viewBox="0 0 {charts.WIDTH} ' in svg
        sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
        assert sizes and min(sizes) * charts.MIN_SCALE >= 12
    # The stylesheet never draws a chart narrower than that scale allows.
    css = (Path(charts.__file__).parent / "static/frontend/css/tolk.css").read_text()
    rule = re.search(r"\.chart svg \{[^}]*min-width: (\d+)px", css)
    assert rule is not None
    assert int(rule.group(1)) * charts.FONT_SIZE / charts.WIDTH >= 12
