"""Bar and funnel charts drawn as reportlab Drawings in the reports' colours."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.reports.fonts import REGULAR, register_fonts
from app.reports.style import ACCENT, ACCENT_LIGHT, INK, RULE


def bar_chart(items: Sequence[tuple[str, float]], width: float, *, value_format: str = "{:,.0f}",
              bar_color: Any = ACCENT, height_per_bar: float = 13.0) -> Drawing:
    """Horizontal bars with the value printed at the end of each: one bar per label."""
    register_fonts()
    label_width = min(max((stringWidth(label, REGULAR, 7.5) for label, _ in items),
                          default=20) + 6, width * 0.35)
    height = height_per_bar * len(items) + 14
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 4
    chart.width, chart.height = width - label_width - 45, height - 10
    ordered = list(reversed(items))  # first item at the top
    chart.data = [[max(value, 0) for _, value in ordered]]
    chart.categoryAxis.categoryNames = [label for label, _ in ordered]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.visibleTicks = 0
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.visible = 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([v for _, v in items] + [1]) * 1.02
    chart.bars[0].fillColor = bar_color
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: value_format.format(v)
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barSpacing = 1
    drawing.add(chart)
    return drawing


def funnel_chart(stages: Sequence[tuple[str, int]], width: float) -> Drawing:
    """Centred bars narrowing stage by stage, each with its count and share of the first."""
    register_fonts()
    bar_h, gap = 16.0, 3.0
    drawing = Drawing(width, len(stages) * (bar_h + gap))
    top = max([count for _, count in stages] + [1])
    label_w = 70.0
    usable = width - label_w - 90
    for index, (label, count) in enumerate(stages):
        y = drawing.height - (index + 1) * (bar_h + gap) + gap
        w = max(usable * count / top, 1.5)
        x = label_w + (usable - w) / 2
        drawing.add(Rect(x, y, w, bar_h, fillColor=ACCENT if index % 2 == 0 else ACCENT_LIGHT,
                         strokeColor=None))
        drawing.add(String(label_w - 4, y + 5, label, fontName=REGULAR, fontSize=8,
                           textAnchor="end", fillColor=INK))
        share = f"{count:,}  ({100 * count / top:.0f}%)" if stages[0][1] else f"{count:,}"
        drawing.add(String(label_w + usable + 6, y + 5, share, fontName=REGULAR, fontSize=8,
                           fillColor=INK))
    return drawing
