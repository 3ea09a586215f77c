"""The server-rendered SVG charts and the number formats of the pages."""

from __future__ import annotations

from django.utils import translation

from frontend import charts
from frontend.templatetags.tolk import number, percent, signed_percent


def test_bar_chart_escapes_labels_and_marks_suppressed_rows() -> None:
    svg = charts.bar_chart(
        [("<b>arabisk</b>", 120.0), ("tigrinja", None)], title="Oppdrag", suppressed_label="skjult"
    )
    assert "<b>" not in svg
    assert "&lt;b&gt;arabisk&lt;/b&gt;" in svg
    assert svg.count("<rect") == 1  # no bar for the suppressed row
    assert "tigrinja: skjult" in svg  # said in the description for screen readers
    assert 'role="img"' in svg and "<title" in svg


def test_bars_are_proportional_to_the_largest_value() -> None:
    svg = charts.bar_chart([("a", 100.0), ("b", 50.0)], title="t")
    assert 'width="330.0"' in svg and 'width="165.0"' in svg


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
