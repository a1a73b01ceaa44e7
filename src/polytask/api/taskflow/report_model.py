"""What a report's PDF shows, as plain data: its chart and its tables, the figures already
formatted as text. Rendering it (report_pdf.py) needs reportlab, which is imported only when
a PDF is asked for: its modules would cost every server process about 7 MB."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chart:
    title: str
    categories: Sequence[str]
    series: Sequence[tuple[str, Sequence[float]]]  # (legend name, one value per category)
    unit: str = ""


@dataclass(frozen=True)
class Sheet:
    heading: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: frozenset[int] = field(default_factory=frozenset)  # column indexes aligned right


@dataclass(frozen=True)
class PdfReport:
    title: str
    period: str
    generated_at: str
    chart: Chart | None
    sheets: Sequence[Sheet]
