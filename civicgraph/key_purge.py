"""The purge of key requests past their retention, run by `serve` every so often.

Key requests hold personal data (a contact e-mail, a client IP): graph/records/api_key_requests
`purge` deletes those no longer needed for the retention period (`CIVIC_KEY_CONTACT_RETENTION_
DAYS`). The merged server and the `data` subgraph run it at start-up and then every
`CIVIC_KEY_PURGE_EVERY_SECONDS`; `civicgraph keys purge` runs it once (cron, or with the
periodic purge off). It is idempotent, so several workers running it at once is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from graph.errors import CivicGraphError
from graph.records import Records
from graph.records.api_key_requests import Purged, purge

log = logging.getLogger("civicgraph.keys")


async def purge_now(records: Records, retention: timedelta) -> Purged:
    """One purge as of now; logs what it deleted (counts, never contents)."""
    purged = await purge(records, datetime.now(UTC), retention)
    if purged.total:
        log.info(
            "purged %d key requests past their %d-day retention (%s)",
            purged.total,
            retention.days,
            purged,
        )
    return purged


@contextlib.asynccontextmanager
async def purging_key_requests(
    records: Records, retention: timedelta, every_s: float
) -> AsyncIterator[None]:
    """While open, purge at once and then every `every_s` seconds (0: never). A failed purge is
    logged and tried again next time; it never stops the server."""
    if every_s <= 0:
        yield
        return

    async def loop() -> None:
        while True:
            try:
                await purge_now(records, retention)
            except (CivicGraphError, OSError) as error:
                log.warning("key request purge failed, will retry: %s", error)
            except Exception:  # a bug: logged with its traceback, the server keeps serving
                log.exception("key request purge failed")
            await asyncio.sleep(every_s)

    task = asyncio.create_task(loop(), name="key-request-purge")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
