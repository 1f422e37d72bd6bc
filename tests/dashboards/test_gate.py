"""What reaches the Dash app: callback requests it can answer, and nothing else, refused in the
dashboards' own error format (civicgraph/dashboard_gate.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.dashboards.callbacks import CALLBACK, request_body

GARBAGE: list[Any] = [
    None,
    0,
    -1,
    1e308,
    True,
    "",
    "x" * 5000,
    "/dashboard/../../etc/passwd",
    [],
    [1, "a", None],
    {},
    {"topics": "cases", "a": {"b": [1]}},
]


def callbacks(app: Any) -> dict[str, dict[str, Any]]:
    return app.state.dashboards.dash.callback_map  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"garbage", 400),
        (b"{}", 400),
        (b"[1, 2]", 400),
        (b'{"output": "nobody.children", "outputs": {}, "inputs": []}', 400),
        (b'{"output": "page.children"}', 400),
        (b"[" * 100 + b"]" * 100, 400),
        (b'{"output": "page.children", "outputs": {}, "inputs": "x"}', 400),
        (b"\xff\xfe", 400),
    ],
)
async def test_a_malformed_callback_request_is_400(
    client: httpx.AsyncClient, body: bytes, status: int
) -> None:
    answer = await client.post(CALLBACK, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == status
    assert answer.json()["code"] == "bad_callback_request"


async def test_callback_requests_other_than_json_within_the_limit_are_refused(
    client: httpx.AsyncClient,
) -> None:
    form = await client.post(CALLBACK, content=b"a=1", headers={"content-type": "text/plain"})
    assert form.status_code == 415
    big = await client.post(
        CALLBACK,
        content=b'{"a": "' + b"x" * 300_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413
    got = await client.get(CALLBACK)
    assert (got.status_code, got.headers["allow"]) == (405, "POST")


async def test_a_callback_naming_other_components_is_400(
    client: httpx.AsyncClient, app: Any
) -> None:
    key = next(k for k in callbacks(app) if "page.children" in k)
    body = request_body(key, callbacks(app)[key], {})
    body["inputs"][0]["id"] = "somebody-else"
    answer = await client.post(CALLBACK, json=body)
    assert answer.status_code == 400
    body = request_body(key, callbacks(app)[key], {})
    body["state"] = []
    assert (await client.post(CALLBACK, json=body)).status_code == 400
    # outputs other than declared, and a changed property that is no input (Dash answered 500)
    key = next(k for k in callbacks(app) if k == "paused.data")
    body = request_body(key, callbacks(app)[key], {})
    body["outputs"] = {"id": "nope", "property": "x"}
    assert (await client.post(CALLBACK, json=body)).status_code == 400
    # a pattern id of 30,000 levels in 180 KB: refused, without the parser recursing in C
    # (py_ecc raises the recursion limit to 100,000, past what the stack holds)
    deep = '{"a":' * 30_000 + "1" + "}" * 30_000 + ".value"
    for changed in ("{x.y", "nope.value", "pause", 7, deep):
        body = request_body(key, callbacks(app)[key], {})
        body["changedPropIds"] = [changed]
        assert (await client.post(CALLBACK, json=body)).status_code == 400, changed
    # a callback that runs in the browser has nothing to run on the server
    key = next(k for k, d in callbacks(app).items() if d.get("callback") is None)
    body = request_body(key, callbacks(app)[key], {})
    assert (await client.post(CALLBACK, json=body)).status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/dashboard/nowhere", 404),
        ("GET", "/dashboard/_dash-component-suites/dash/nope.js", 404),
        ("GET", "/dashboard/_dash-component-suites/os/__init__.py", 404),
        ("GET", "/dashboard/_reload-hash", 404),
        ("DELETE", "/dashboard/", 405),
        ("POST", "/dashboard/_dash-layout", 405),
        ("PUT", "/dashboard/public", 405),
        # static paths answer only for what is there: our typed 404, never the framework's
        # `{"detail": ...}` nor a redirect to the bundle
        ("GET", "/dashboard/vendor/", 404),
        ("GET", "/dashboard/vendor/a/b", 404),
        ("GET", "/dashboard/vendor//plotly-basic.min.js", 404),
        ("GET", "/dashboard/vendor/deck.gl%2Fdist.min.js", 404),
        ("GET", "/dashboard/vendor/plotly-basic.min.js/", 404),
        ("GET", "/dashboard/vendor/plotly-basic.min.js%2F", 404),
        ("GET", "/dashboard/assets/nope.css", 404),
        ("GET", "/dashboard/assets/%2e%2e/%2e%2e/pyproject.toml", 404),
        ("GET", "/dashboard/assets/../app.py", 404),
        ("GET", "/dashboard/assets/", 404),
    ],
)
async def test_paths_and_methods_dash_does_not_serve(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    answer = await client.request(method, path)
    assert answer.status_code == status
    assert set(answer.json()) == {"error", "code"}


@pytest.mark.parametrize("path", ["/dashboard/assets/live.js", "/dashboard/assets/map.css"])
async def test_the_assets_that_are_there_are_served(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 200


async def test_pages_and_callbacks_carry_security_headers(client: httpx.AsyncClient) -> None:
    page = await client.get("/dashboard/")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'sha256-" in csp  # Dash's inline renderer script, by hash
    assert "unsafe-eval" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    script = next(
        p for p in page.text.split('"') if p.startswith("/dashboard/_dash-component-suites/")
    )
    assert "no-store" not in (await client.get(script)).headers.get("cache-control", "")


async def test_head_is_answered_as_get_without_a_body(client: httpx.AsyncClient) -> None:
    for path in ("/dashboard/", "/dashboard/public", "/dashboard/_dash-layout"):
        head = await client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""


async def test_every_callback_takes_any_json_value(client: httpx.AsyncClient, app: Any) -> None:
    """A browser can send any JSON as a component's property: no callback may fail on one
    (Dash would answer 500). Every input and state of every callback gets each value."""
    failures = []
    served = {k: d for k, d in callbacks(app).items() if d.get("callback") is not None}
    assert len(served) >= 6
    for key, declared in served.items():
        slots = [f"{d['id']}.{d['property']}" for d in (*declared["inputs"], *declared["state"])]
        for value in GARBAGE:
            body = request_body(key, declared, dict.fromkeys(slots, value))
            answer = await client.post(CALLBACK, json=body)
            if answer.status_code not in (200, 204):
                failures.append(
                    (key, value if not isinstance(value, str) else value[:20], answer.status_code)
                )
    assert failures == []
