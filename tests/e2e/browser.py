"""Debian's chromium (never a downloaded browser), headless under Playwright, for the browser
tests: one launch line for every test file."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

from bench.dashboard_browser import CHROMIUM, CHROMIUM_ARGS


def need_chromium() -> None:
    """Skips the test when Debian's chromium is not installed."""
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Debian chromium is not installed (make test installs it)")


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A launched headless chromium, closed when the block ends; skips without one."""
    need_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


def collect_errors(page: Page, errors: list[str]) -> None:
    """Appends the page's console errors and uncaught exceptions to `errors`."""
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
