"""The analytics domain's views of entities other domains own, each by its key alone: a
review's gu (city) and its decision's leaf in the verifiable log (trust)
(resolvers/core/federation.py)."""

from __future__ import annotations

from resolvers.core.federation import extends


@extends("District", keys=["code"])
class District:
    code: str


@extends("LogEntry", keys=["index"])
class LogEntry:
    index: int
