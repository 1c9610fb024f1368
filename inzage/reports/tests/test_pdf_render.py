"""The PDF render's own guarantees (pdf.py): it leaves the garbage collector as it found it, and fetches nothing."""

from __future__ import annotations

import gc
import socket

import pytest

from inzage.reports import pdf


def test_the_render_leaves_the_garbage_collector_as_it_was(monkeypatch) -> None:
    import weasyprint

    monkeypatch.setattr(pdf, "reports_html", lambda reports, *, title: "<p>x</p>")
    for frozen_before in (False, True):  # someone (a server after preloading) may have frozen objects already
        gc.unfreeze()
        if frozen_before:
            gc.freeze()
        before = gc.get_freeze_count()
        assert pdf.reports_pdf([], title="x").startswith(b"%PDF")
        after = gc.get_freeze_count()
        if frozen_before:
            # Still frozen (an unfreeze would give 0); a frozen object that another thread lets go of leaves the
            # permanent generation, so the count may drop by a few.
            assert before - 100 <= after <= before
        else:
            assert after == 0
    gc.unfreeze()

    def broken(*args, **kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(weasyprint.HTML, "render", broken)
    with pytest.raises(RuntimeError):
        pdf.reports_pdf([], title="x")
    assert gc.get_freeze_count() == 0  # unfrozen on the way out


def test_a_report_loads_nothing_from_outside(monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("the PDF render opened a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(
        pdf, "reports_html", lambda reports, *, title: '<p>x<img src="http://example.invalid/a.png" alt=""></p>'
    )
    assert pdf.reports_pdf([], title="x").startswith(b"%PDF")
