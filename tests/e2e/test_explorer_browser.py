"""GraphiQL in headless Chromium, with every request to another origin blocked.

A real uvicorn serves the test app on a free loopback port; Playwright drives Debian's
chromium (never a downloaded browser). The explorer must load, run its query and show data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Route

from tests.e2e.browser import chromium

pytestmark = pytest.mark.browser


async def test_explorer_runs_a_query_offline_under_csp(server: str, tmp_path: Path) -> None:
    blocked: list[str] = []
    csp_violations: list[str] = []

    async def only_our_origin(route: Route) -> None:
        if route.request.url.startswith(server):
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    async with chromium() as browser:
        page = await browser.new_page()
        page.on(
            "console",
            lambda m: (
                csp_violations.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        await page.route("**/*", only_our_origin)
        await page.goto(f"{server}/graphql", wait_until="networkidle")
        # GraphiQL may still be fetching its schema (an introspection POST) when the
        # button is clicked: wait for the answer to the explorer's own query.
        async with page.expect_response(
            lambda r: (
                r.url == f"{server}/graphql"
                and r.request.method == "POST"
                and "__schema" not in (r.request.post_data or "")
            )
        ) as answer:
            await page.locator(".graphiql-execute-button").click()
        body = await (await answer.value).json()
        # CodeMirror draws only the visible lines: the first gu is what a person sees.
        response = page.locator(".graphiql-response")
        await response.get_by_text("Jongno-gu").first.wait_for(timeout=15_000)
        text = await response.inner_text()
        await page.screenshot(path=str(tmp_path / "explorer.png"))
    assert "139858" in text  # Jongno-gu's 2020 census population, from the seeded graph
    assert "errors" not in body, body
    assert len(body["data"]["districts"]) == 25
    assert body["data"]["sensors"]["totalCount"] >= 2
    assert blocked == []
    assert csp_violations == []
