"""Reports as PDF: WeasyPrint renders our own HTML template to a tagged PDF/UA-1 (real text, structure tags, the
document language and title), one A4 page per student where it fits.

WeasyPrint is pure Python on top of Pango (Debian: libpango-1.0-0, present wherever chromium is; `make pdf-libs`
installs it otherwise). Imported on first use: it costs ~0.3 s, which a process serving no PDF need not pay.

Speed (a class of 30 is one document of 30 pages, `reports.class_pdf_s` in `make bench`): WeasyPrint's cost grows
with the number of boxes it lays out and the CSS features they use, so `print.html` keeps each page plain — the
student's details as lines of text instead of a CSS grid, tables with a fixed layout (no measuring of every cell's
content to size the columns), one font. The render runs with the garbage collector's view of the process's older
objects frozen: WeasyPrint allocates millions of short-lived objects, and every full collection would otherwise
walk the whole Django process as well (measured: docs/reports.md).
"""

from __future__ import annotations

import gc
from typing import Any

from django.template.loader import render_to_string

from inzage.reports.queries import ReportView


def reports_html(reports: list[ReportView], *, title: str) -> str:
    """The print HTML of one or more reports (each its own page)."""
    return render_to_string("reports/print.html", {"reports": reports, "title": title})


def _no_fetching() -> Any:
    """A URL fetcher that fetches nothing: a report needs no outside resource, and WeasyPrint's default fetcher
    builds an HTTPS opener (loading the system's certificates) for every document."""
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def __init__(self) -> None:  # no handlers, no SSL context
            self._fail_on_errors = False

        def fetch(self, url: str, headers: object = None) -> Any:
            raise ValueError("A report loads nothing from outside.")

    return NoFetching()


def reports_pdf(reports: list[ReportView], *, title: str) -> bytes:
    """One PDF with a page (or more, if a long remark needs it) per report, tagged for screen readers."""
    import weasyprint

    html = reports_html(reports, title=title)
    # Objects that exist before the render are not garbage of it: keep full collections from walking them. When
    # something else already froze objects (a server that freezes after preloading), leave its choice alone:
    # unfreezing would also release what it froze.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_no_fetching()).render()
        return bytes(document.write_pdf(pdf_variant="pdf/ua-1"))
    finally:
        if freeze:
            gc.unfreeze()
