"""Reading a PDF in tests: its text, page sizes, whether it is tagged, and a PNG of a page (pypdfium2: Google's
PDFium, a wheel on PyPI, so no system package is needed)."""

from __future__ import annotations

import io
from dataclasses import dataclass


@dataclass(frozen=True)
class PdfFacts:
    pages: list[str]  # the text of each page, runs of whitespace as one space
    sizes: list[tuple[float, float]]  # (width, height) in points
    tagged: bool
    title: str
    language: str


def pdf_facts(data: bytes) -> PdfFacts:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(data)
    try:
        # whitespace normalised: the extractor ends each laid-out line with \r\n
        pages = [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
        sizes = [doc[i].get_size() for i in range(len(doc))]
        tagged = bool(raw.FPDFCatalog_IsTagged(doc.raw))
        title = doc.get_metadata_dict().get("Title", "")
        return PdfFacts(pages=pages, sizes=sizes, tagged=tagged, title=title, language=_language(data))
    finally:
        doc.close()


def _language(data: bytes) -> str:
    """The catalog's /Lang, read with pypdfium2's own API (`FPDFCatalog_GetLanguage`, PDFium 6000+) when present."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    if not hasattr(raw, "FPDFCatalog_GetLanguage"):
        return ""
    doc = pdfium.PdfDocument(data)
    try:
        n = raw.FPDFCatalog_GetLanguage(doc.raw, None, 0)
        buffer = (ctypes.c_ushort * max(n // 2, 1))()
        raw.FPDFCatalog_GetLanguage(doc.raw, buffer, n)
        return bytes(buffer)[: max(n - 2, 0)].decode("utf-16-le")
    finally:
        doc.close()


def pdf_png(data: bytes, *, page: int = 0, scale: float = 1.0) -> bytes:
    """A page rendered to PNG (what a parent's PDF viewer would show)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        image = doc[page].render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
    finally:
        doc.close()
