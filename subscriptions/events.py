"""Events on the bus: one stream per kind of fact, ids from the records.

An event's id is the id of the row that keeps it in the records (`reading`, `case_event`,
`alert`), so every worker sharing the database shares one increasing sequence per stream, and
a client that resubscribes `after` an id is answered from the records, then live.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Stream(StrEnum):
    READINGS = "readings"
    CASES = "cases"
    ALERTS = "alerts"
    POLLS = "polls"
    """A poll's tally after each accepted ballot (id: the ballot's log leaf)."""
    LOG = "log"
    """Each leaf the verifiable log appends (id: its leaf index), once its append commits."""
    ANOMALIES = "anomalies"
    """Each alarm a scoring run of the models writes (subscriptions/anomalies.py); live only:
    no replay (a client catches up with the `predictions` query)."""


@dataclass(frozen=True)
class Event:
    stream: Stream
    id: int
    data: dict[str, Any]
    """JSON-safe fields; `district_code` routes it to the subscribers of one gu."""

    @property
    def district(self) -> str | None:
        value = self.data.get("district_code")
        return str(value) if value is not None else None


def encode(events: list[Event], echo: str = "") -> bytes:
    """Events of one stream as one message (the Redis bus sends a batch per publish).

    `echo` tags the message so that its publisher recognises it when the bus hands it back
    (the Redis bus: the worker's token and a sequence number); empty for nobody.
    """
    return json.dumps(
        {"echo": echo, "events": [[e.stream.value, e.id, e.data] for e in events]},
        separators=(",", ":"),
    ).encode()


def decode(message: bytes | str) -> tuple[str, list[Event]]:
    """`(echo, events)` of a message `encode` made."""
    body = json.loads(message)
    events = [Event(Stream(stream), int(key), data) for stream, key, data in body["events"]]
    return str(body["echo"]), events
