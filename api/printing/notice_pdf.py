"""A regulator's notice as a PDF: the page a person reads, laid out for A4 by WeasyPrint
from our own HTML template, with the operators' ranking chart drawn offline by vl-convert
(SVG) and the CJK font embedded (subset), so it prints and reads the same everywhere.

Nothing is fetched while rendering: every resource is in the HTML itself, and any URL
the document might name is refused.
"""

from typing import Any

from api import charts


def _no_fetching(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    raise ValueError(f"the notice PDF fetches nothing ({url})")


def ranking_svg(bars: list[charts.RankRow], text: charts.ChartText) -> str | None:
    """The ranking chart drawn as a static SVG (None when no operator is ranked)."""
    return charts.chart_svg(charts.ranking_chart(bars, text)) if bars else None


def html_to_pdf(html: str) -> bytes:
    """The HTML document rendered to PDF (fonts embedded by WeasyPrint)."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    pdf: bytes = HTML(string=html, url_fetcher=_no_fetching).write_pdf()
    return pdf
