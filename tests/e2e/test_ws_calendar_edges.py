"""A query over either websocket protocol with a DateTime at the calendar's edge (no UTC time
exists for it) gets the operation's coded `out_of_range` error, never `Internal error.`."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_ws_input_errors import LEGACY, TRANSPORT, next_frame, session

QUERY = """{ sensors(first: 1) { edges { node { readings(dataType: PM25,
  from: "0001-01-01T00:00:00+14:00", to: "0001-01-02T00:00:00+14:00") { avg } } } } }"""
VARIABLES_QUERY = """query($to: DateTime!) { sensors(first: 1) { edges { node {
  readings(dataType: PM25, from: "2026-11-20T00:00:00Z", to: $to) { avg } } } } }"""


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (QUERY, {}, "from"),
        (VARIABLES_QUERY, {"to": "9999-12-31T00:00:00-14:00"}, "to"),
    ],
    ids=["literal", "variable"],
)
@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_calendar_edge_time_is_out_of_range_over_websockets(
    server: str, protocol: str, query: str, variables: dict[str, str], field: str
) -> None:
    async with session(server, protocol) as ws:
        kind = "subscribe" if protocol == TRANSPORT else "start"
        payload = {"query": query, "variables": variables}
        await ws.send(json.dumps({"id": "1", "type": kind, "payload": payload}))
        frame = await next_frame(ws)
    assert frame["type"] == "error", frame
    # graphql-transport-ws sends a list of errors, legacy graphql-ws one error
    payload = frame["payload"]
    errors = payload if isinstance(payload, list) else [payload]
    assert ("out_of_range", field) in {
        (e["extensions"]["code"], e["extensions"]["field"]) for e in errors
    }, frame
