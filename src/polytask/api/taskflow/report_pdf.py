"""A report as a PDF a manager can hand on (reportlab): a title, the period, when it was made,
one bar chart and the report's tables. Pure rendering: the figures come in as text already
formatted (money with its currency's places), the chart's bars as numbers."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from polytask.api.taskflow.report_model import Chart, PdfReport, Sheet

# The chart's series colours, in order (tests look for them in the rendered page).
SERIES_COLOURS = (colors.HexColor("#1F5FBF"), colors.HexColor("#E07B00"))
_HEADER_FILL = colors.HexColor("#DDE4EE")
# More bars than this would be unreadable on a page: the chart shows the first ones (the table all).
MAX_BARS = 24


def render_pdf(report: PdfReport) -> bytes:
    """The report as PDF bytes (A4 landscape)."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=report.title,
        author="Polytask",
    )
    styles = getSampleStyleSheet()
    story: list[Flowable] = [
        Paragraph(escape(report.title), styles["Title"]),
        Paragraph(f"Period: {escape(report.period)}", styles["Normal"]),
        Paragraph(f"Generated at: {escape(report.generated_at)}", styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    if report.chart is not None:
        story += [_chart(report.chart, doc.width), Spacer(1, 6 * mm)]
    for sheet in report.sheets:
        story += [Paragraph(escape(sheet.heading), styles["Heading2"]), _table(sheet), Spacer(1, 6 * mm)]
    doc.build(story)
    return out.getvalue()


def _table(sheet: Sheet) -> Table:
    data = [list(sheet.columns), *[list(row) for row in sheet.rows]]
    if not sheet.rows:
        data.append(["(none)"] + [""] * (len(sheet.columns) - 1))
    table = Table(data, repeatRows=1, hAlign="LEFT")
    style: list[Any] = [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i in sheet.numeric]
    table.setStyle(TableStyle(style))
    return table


def _chart(chart: Chart, width: float) -> Drawing:
    height = 75 * mm
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, chart.title, fontName="Helvetica-Bold", fontSize=11))
    categories = [_short(c) for c in chart.categories[:MAX_BARS]]
    if not categories:
        drawing.add(String(0, height / 2, "Nothing to chart for this period.", fontName="Helvetica", fontSize=10))
        return drawing
    bars = VerticalBarChart()
    bars.x, bars.y = 45, 30
    bars.width, bars.height = int(width - 200), int(height - 60)
    bars.data = [list(values[:MAX_BARS]) for _, values in chart.series]
    bars.categoryAxis.categoryNames = categories
    bars.categoryAxis.labels.fontSize = 7
    bars.categoryAxis.labels.angle = 20 if len(categories) > 6 else 0
    bars.categoryAxis.labels.boxAnchor = "ne" if len(categories) > 6 else "n"
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontSize = 7
    bars.barSpacing = 1
    bars.groupSpacing = 8
    for i, _ in enumerate(chart.series):
        bars.bars[i].fillColor = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        bars.bars[i].strokeColor = None
    drawing.add(bars)
    legend = Legend()
    legend.x, legend.y = int(width - 140), int(height - 30)
    legend.fontSize = 8
    legend.colorNamePairs = [
        (SERIES_COLOURS[i % len(SERIES_COLOURS)], f"{name}{f' ({chart.unit})' if chart.unit else ''}")
        for i, (name, _) in enumerate(chart.series)
    ]
    drawing.add(legend)
    return drawing


def _short(label: str, size: int = 18) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"
