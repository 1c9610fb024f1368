"""Browser-test helpers: Playwright driving Debian's Chromium, and axe-core for accessibility checks."""

from __future__ import annotations

import shutil

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's chromium; Playwright's own browser download is not used (and not reachable here)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Chromium is not installed: `apt-get install chromium` (make test tries this itself).")


def assert_accessible(page: Page) -> None:
    """Fail with the list of WCAG 2.1 A/AA violations axe-core finds on the current page."""
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    assert results.violations_count == 0, results.generate_report()
