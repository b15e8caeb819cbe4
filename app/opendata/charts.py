"""Geometry of the statistics charts, drawn by the templates as inline SVG (no script, nothing from outside).

Each function returns plain numbers (positions and sizes in the SVG's own units); the SVG scales to
the width of the screen (viewBox), so the same chart reads at 360 px and at 1280 px.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.formatting import ENGLISH_MONTHS, THAI_MONTHS_SHORT, buddhist_year

# Column charts keep their text in the SVG (month labels under the columns), so the drawing is narrow
# enough that 15-unit text stays about 10 px tall on a 360 px phone; the table beside gives every figure.
COLUMN_WIDTH = 480
COLUMN_HEIGHT = 240
AXIS_LEFT = 52
AXIS_BOTTOM = 30
FONT = 15
BAR_SCALE = 1000  # horizontal bars: the longest bar, in the bar's own SVG (stretched to the room left)


def month_label(key: str, locale: str) -> str:
    """"ธ.ค. 69" in Thai (Buddhist Era, two digits, as Thai charts do), "Dec 26" in English."""
    year, month = int(key[:4]), int(key[5:7])
    if locale == "th":
        return f"{THAI_MONTHS_SHORT[month - 1]} {buddhist_year(year) % 100:02d}"
    return f"{ENGLISH_MONTHS[month - 1][:3]} {year % 100:02d}"


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    groups: list[dict[str, Any]]  # {"label", "x", "bars": [{"x", "y", "w", "h", "value", "series"}], "show_label"}
    ticks: list[dict[str, Any]]  # {"y", "value"}
    baseline: int
    left: int
    font: int


def column_chart(months: list[tuple[str, list[int]]], series_count: int, locale: str) -> ColumnChart:
    """Grouped columns, one group a month, `series_count` columns a group."""
    plot_w = COLUMN_WIDTH - AXIS_LEFT - 8
    plot_h = COLUMN_HEIGHT - AXIS_BOTTOM - 10
    top = _nice_max(max([v for _, values in months for v in values] + [0]))
    slot = plot_w / max(len(months), 1)
    bar_w = max(slot * 0.8 / series_count, 1)
    baseline = 10 + plot_h
    groups = []
    every = max(1, len(months) // 4)
    for i, (key, values) in enumerate(months):
        x0 = AXIS_LEFT + i * slot + slot * 0.1
        bars = []
        for j, value in enumerate(values):
            h = plot_h * value / top if top else 0
            bars.append({"x": round(x0 + j * bar_w, 1), "y": round(baseline - h, 1), "w": round(bar_w, 1),
                         "h": round(h, 1), "value": value, "series": j})
        groups.append({"key": key, "label": month_label(key, locale), "x": round(AXIS_LEFT + i * slot + slot / 2, 1),
                       "bars": bars, "show_label": (len(months) - 1 - i) % every == 0})
    ticks = [{"y": round(baseline - plot_h * k / 4, 1), "value": int(top * k / 4)} for k in range(5)]
    return ColumnChart(COLUMN_WIDTH, COLUMN_HEIGHT, groups, ticks, baseline, AXIS_LEFT, FONT)


@dataclass(frozen=True)
class BarChart:
    bars: list[dict[str, Any]]  # {"label", "value", "text", "permille"}


def bar_chart(rows: list[tuple[str, float, str]], maximum: float | None = None) -> BarChart:
    """Horizontal bars drawn as HTML text (label, figure) around a stretched SVG bar: (label, value, text)."""
    top = maximum if maximum is not None else max([v for _, v, _ in rows] + [0])
    bars = []
    for label, value, text in rows:
        permille = round(BAR_SCALE * value / top) if top else 0
        bars.append({"label": label, "value": value, "text": text, "permille": max(permille, 4 if value else 0)})
    return BarChart(bars=bars)
