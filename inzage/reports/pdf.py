"""Reports as PDF: WeasyPrint renders our own HTML template to a tagged PDF/UA-1 (real text, structure tags, the
document language and title), one A4 page per student where it fits.

WeasyPrint is pure Python on top of Pango (Debian: libpango-1.0-0, present wherever chromium is; `make pdf-libs`
installs it otherwise). Imported on first use: it costs ~0.3 s, which a process serving no PDF need not pay.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from inzage.reports.queries import ReportView


def reports_html(reports: list[ReportView], *, title: str) -> str:
    """The print HTML of one or more reports (each its own page)."""
    return render_to_string("reports/print.html", {"reports": reports, "title": title})


def reports_pdf(reports: list[ReportView], *, title: str) -> bytes:
    """One PDF with a page (or more, if a long remark needs it) per report, tagged for screen readers."""
    import weasyprint

    html = reports_html(reports, title=title)
    document = weasyprint.HTML(string=html, base_url=None).render()
    return bytes(document.write_pdf(pdf_variant="pdf/ua-1"))
