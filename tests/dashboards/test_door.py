"""Signing in to the dashboards with an API key, and what a session cookie does and does not
open (tests run the merged app in process with the session's seeded stores)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from civicgraph.stores import Stores
from dashboards.session import COOKIE
from graph.records import api_keys
from graph.records.api_keys import Tier
from tests.dashboards.callbacks import call

ORIGIN = {"origin": "http://civicgraph.test"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


async def sign_in(client: httpx.AsyncClient, key: str, **extra: str) -> httpx.Response:
    return await client.post(
        "/dashboard/session",
        content=httpx.QueryParams({"key": key, "next": "/dashboard/cases", **extra}).__str__(),
        headers=ORIGIN | FORM,
    )


def callbacks(app: Any) -> dict[str, dict[str, Any]]:
    return app.state.dashboards.dash.callback_map  # type: ignore[no-any-return]


async def page_text(client: httpx.AsyncClient, app: Any, path: str) -> str:
    answer = await call(
        client, callbacks(app), "page.children", {"url.pathname": path, "lang.data": "en"}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_a_good_key_signs_in_with_a_strict_cookie(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    answer = await sign_in(client, keys[Tier.ANALYST])
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard/cases"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/dashboard", "Max-Age=28800"):
        assert flag in cookie
    assert keys[Tier.ANALYST] not in cookie  # the cookie holds no key


@pytest.mark.parametrize(
    "key",
    ["", "cg_nope_nope", "x" * 129, "bad key!", "cg_\u00e9"],
    ids=["empty", "unknown", "long", "space", "latin1"],
)
async def test_a_bad_key_is_refused_401_in_the_readers_language(
    client: httpx.AsyncClient, key: str
) -> None:
    answer = await sign_in(client, key, lang="ko")
    assert answer.status_code == 401
    assert "set-cookie" not in answer.headers
    assert 'lang="ko"' in answer.text
    assert 'role="alert"' in answer.text


async def test_sign_in_refuses_other_origins_other_bodies_and_big_bodies(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    body = f"key={keys[Tier.ANALYST]}"
    other = await client.post(
        "/dashboard/session", content=body, headers=FORM | {"origin": "https://evil.example"}
    )
    assert other.status_code == 403
    assert "다른 사이트" in other.text  # the reader's language: Korean without Accept-Language
    as_json = await client.post(
        "/dashboard/session", json={"key": keys[Tier.ANALYST]}, headers=ORIGIN
    )
    assert as_json.status_code == 415
    big = await client.post(
        "/dashboard/session", content="key=" + "a" * 10_000, headers=ORIGIN | FORM
    )
    assert big.status_code == 413
    many = await client.post(
        "/dashboard/session", content="&".join(f"f{i}=1" for i in range(50)), headers=ORIGIN | FORM
    )
    assert many.status_code == 400
    blanks = await client.post(
        "/dashboard/session", content="&&&&&&&&&&key=nope", headers=ORIGIN | FORM
    )
    assert blanks.status_code == 401  # empty separators are no field
    got = await client.get("/dashboard/session")
    assert got.status_code == 405


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/dashboard",
        "/graphql",
        "/dashboard\\@evil",
        "javascript:alert(1)",
    ],
)
async def test_next_never_leaves_the_dashboards(
    client: httpx.AsyncClient, keys: dict[Tier, str], target: str
) -> None:
    answer = await sign_in(client, keys[Tier.ANALYST], next=target)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard/"


async def test_a_session_opens_the_analyst_pages_and_nothing_else(
    app: Any, keys: dict[Tier, str]
) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as browser:
        public = await page_text(browser, app, "/dashboard/cases")
        assert "signin-key" in public  # the sign-in form, not the page
        assert "'value': '/dashboard/cases'" in str(json.loads(public))  # back there after
        assert (await sign_in(browser, keys[Tier.ANALYST])).status_code == 303
        staff = await page_text(browser, app, "/dashboard/")
        assert "signin-key" not in staff
        assert "kpi-open_cases" in staff
        # the cookie is not a credential of the API: no cross-site request can use it there
        api = await browser.post(
            "/graphql", json={"query": "{ citizens(first: 1) { totalCount } }"}
        )
        assert api.json()["errors"][0]["extensions"]["code"] == "forbidden"
        ended = await browser.post("/dashboard/session/end", headers=ORIGIN)
        assert ended.status_code == 303
        assert "Max-Age=0" in ended.headers["set-cookie"]
        assert "signin-key" in await page_text(browser, app, "/dashboard/cases")


async def test_the_header_names_the_signed_in_key_and_its_tier(app: Any, stores: Stores) -> None:
    issued = await api_keys.create_key(stores.records, "Mayor's office <b>wall</b>", Tier.ANALYST)
    long = await api_keys.create_key(stores.records, "x" * 200, Tier.OPERATOR)
    transport = httpx.ASGITransport(app=app)
    for key, shown in ((issued, "Mayor's office <b>wall</b> (analyst)"), (long, "x" * 40 + "…")):
        async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as b:
            assert (await sign_in(b, key.secret)).status_code == 303
            answer = await call(b, callbacks(app), "account.children", {"lang.data": "en"})
            assert answer.status_code == 200, answer.text
            account = json.loads(answer.text)["response"]["account"]["children"]
            # the name is text (Dash escapes it), never markup
            assert account[0]["props"]["children"].startswith(f"Signed in as: {shown}")
            assert account[0]["props"]["title"] == key.name


async def test_a_revoked_key_ends_its_sessions(app: Any, stores: Stores) -> None:
    issued = await api_keys.create_key(stores.records, "revoked soon", Tier.OPERATOR)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as browser:
        assert (await sign_in(browser, issued.secret)).status_code == 303
        assert "kpi-open_cases" in await page_text(browser, app, "/dashboard/")
        await api_keys.revoke_key(stores.records, issued.prefix)
        app.state.door.keys._entries.clear()  # the key cache's lifetime, passed
        assert "signin-key" in await page_text(browser, app, "/dashboard/cases")


async def test_a_forged_or_tampered_cookie_is_public(app: Any, keys: dict[Tier, str]) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as browser:
        good = (await sign_in(browser, keys[Tier.ANALYST])).cookies[COOKIE]
        for forged in (good[:-2] + "xx", "a" * 300, "", good + ".extra", "%CE%A9"):
            browser.cookies.clear()
            browser.cookies.set(COOKIE, forged, path="/dashboard")
            assert "signin-key" in await page_text(browser, app, "/dashboard/cases")


@pytest.mark.parametrize("gu", ["nope", "11999", "<b>x</b>", "1" * 10_000])
async def test_a_gu_that_is_no_gu_is_all_of_seoul(app: Any, keys: dict[Tier, str], gu: str) -> None:
    # given a signed-in analyst whose browser's gu store holds what no gu is
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as b:
        assert (await sign_in(b, keys[Tier.ANALYST])).status_code == 303
        asked = {"url.pathname": "/dashboard/sensors", "lang.data": "en"}
        answer = await call(b, callbacks(app), "page.children", {**asked, "gu.data": gu})
        seoul = await call(b, callbacks(app), "page.children", asked)
    # then the page is the city's, never titled by it (nor a view of its own)
    assert answer.status_code == 200, answer.text
    assert gu not in answer.text
    assert answer.json()["response"] == seoul.json()["response"]
