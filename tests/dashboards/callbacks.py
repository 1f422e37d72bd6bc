"""Calling the dashboards' Dash callbacks over HTTP as the browser's renderer does."""

from __future__ import annotations

import json
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

    def item(d: dict[str, Any]) -> Any:
        value = values.get(f"{d['id']}.{d['property']}")
        if isinstance(d["id"], str) and d["id"].startswith("{"):  # a pattern: one match
            pattern = json.loads(d["id"])
            concrete = {k: "fuzz" if isinstance(v, list) else v for k, v in pattern.items()}
            return [{"id": concrete, "property": d["property"], "value": value}]
        return {**d, "value": value}

    def items(kind: str) -> list[Any]:
        return [item(d) for d in declared[kind]]

    inputs = items("inputs")
    head = declared["inputs"][0] if declared["inputs"] else None
    first = f"{head['id']}.{head['property']}" if head else ""
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
