"""Counting the certificate verifications a server serves, off the verify path.

A verification only adds one to a counter in memory; one background write at a time adds
the counts gathered so far to the day rows of the records (`certificate_verification_day`),
so a burst of verifications costs a handful of writes, and a verifier never waits for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from graph.city_day import city_day
from graph.records.certificate_checks import add_verifications
from graph.records.db import Records

log = logging.getLogger("civicgraph.certificates")


class VerificationTally:
    """Verifications served by this process, written to `records` as they come."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self._pending: Counter[str] = Counter()
        self._writing: asyncio.Task[None] | None = None

    def record(self, at: datetime | None = None) -> None:
        """Count one verification served at `at` (default now) on its Seoul day; returns at
        once. Requires a running event loop."""
        day = city_day(at or datetime.now(UTC)).isoformat()
        self._pending[day] += 1
        if self._writing is None or self._writing.done():
            self._writing = asyncio.get_running_loop().create_task(
                self._write(), name="certificate-verifications"
            )

    async def _write(self) -> None:
        """Write what is pending until nothing is; on a failure keep it for the next write."""
        while self._pending:
            batch, self._pending = self._pending, Counter()
            try:
                await add_verifications(self.records, batch)
            except Exception as error:
                self._pending.update(batch)
                log.warning("certificate verifications not yet counted (%s); will retry", error)
                return

    async def drain(self) -> None:
        """Wait until every verification recorded so far is written (or its write failed)."""
        while self._writing is not None and not self._writing.done():
            await asyncio.shield(self._writing)
        if self._pending:
            await self._write()


@contextlib.asynccontextmanager
async def tallying_verifications(records: Records) -> AsyncIterator[VerificationTally]:
    """A tally for a server's lifetime; what it still holds is written when the server stops."""
    tally = VerificationTally(records)
    try:
        yield tally
    finally:
        await tally.drain()
