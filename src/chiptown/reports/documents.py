"""The report as documents: the HTML page (one self-contained file, charts inline as SVG) and the PDF
(WeasyPrint, A4) rendered from one language's figures."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from chiptown.core.addresses import absolute_url


def report_html(*, figures: dict[str, Any], language: str, edition: Any) -> str:
    with translation.override(language):
        return render_to_string("reports/report/document.html", {"figures": figures, "edition": edition})


def report_pdf(*, html: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html, base_url=absolute_url("/")).write_pdf())
