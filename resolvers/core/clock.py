"""The clock the resolvers read for "now" and "today" (graph.city_day's Seoul day).

One function, read through the module (`clock.utc_now()`), so a test pins every figure's
"today" at once with `monkeypatch.setattr(clock, "utc_now", ...)` instead of racing midnight
in Seoul (15:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)
