"""Calling the dashboards' Dash callbacks over HTTP as the browser's renderer does."""

from __future__ import annotations

from typing import Any

import httpx

CALLBACK = "/dashboard/_dash-update-component"


def outputs_of(key: str) -> Any:
    """The `outputs` Dash's renderer sends for the callback keyed `key` in `callback_map`."""
    if key.startswith(".."):
        parts = [p for p in key.strip(".").split("...") if p]
        return [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]
    component, prop = key.rsplit(".", 1)
    return {"id": component, "property": prop}


def request_body(
    key: str, declared: dict[str, Any], values: dict[str, Any], changed: str | None = None
) -> dict[str, Any]:
    """A callback request for `key` whose inputs and states take `values` (by "id.property";
    the rest None); `changed` is the triggering "id.property" (default: the first input)."""

    def items(kind: str) -> list[dict[str, Any]]:
        return [{**d, "value": values.get(f"{d['id']}.{d['property']}")} for d in declared[kind]]

    inputs = items("inputs")
    first = f"{inputs[0]['id']}.{inputs[0]['property']}" if inputs else ""
    return {
        "output": key,
        "outputs": outputs_of(key),
        "inputs": inputs,
        "state": items("state"),
        "changedPropIds": [changed or first],
    }


async def call(
    client: httpx.AsyncClient,
    callbacks: dict[str, dict[str, Any]],
    output: str,
    values: dict[str, Any],
    changed: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST the callback whose key contains `output` (e.g. "page.children")."""
    key = next(k for k in callbacks if output in k)
    body = request_body(key, callbacks[key], values, changed)
    return await client.post(CALLBACK, json=body, headers=headers or {})
