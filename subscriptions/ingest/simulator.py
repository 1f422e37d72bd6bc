"""The built-in S-DoT simulator: every seeded sensor reports every 2 minutes (sped up at will).

At scale 1.0 that is 1,100 S-DoT sensors x 17 types (plus the water stations) every tick, the
rate Seoul's network sends. Readings go through the same ingest as MQTT and HTTP.
"""

from __future__ import annotations

import asyncio
import logging
import time

import numpy as np

from graph.records.readings import COLUMNS, from_epoch
from seeds.figures import READING_INTERVAL_S
from seeds.history import live_rows
from subscriptions.directory import SensorDirectory
from subscriptions.ingest.payloads import ReadingIn
from subscriptions.ingest.pipeline import Ingest

log = logging.getLogger("civicgraph.simulator")


class Simulator:
    def __init__(self, ingest: Ingest, directory: SensorDirectory, speed: float = 1.0) -> None:
        """`speed` 10 sends a tick every 12 s instead of every 120 s."""
        self.ingest = ingest
        self.directory = directory
        self.interval = READING_INTERVAL_S / speed
        self.rng = np.random.default_rng()
        self.ticks = 0
        self._last_at = 0

    async def tick(self) -> int:
        """Send one reading of every sensor now; returns how many were stored."""
        sensors = [(s.id, s.kind) for s in self.directory.known()]
        at = max(int(time.time()), self._last_at + 1)  # one time per tick, even when sped up
        self._last_at = at
        when = from_epoch(at)
        readings = [
            ReadingIn(
                sensor_id=str(row[0]),
                measured_at=when,
                values={
                    name: float(value)  # type: ignore[arg-type]
                    for name, value in zip(COLUMNS[2:], row[2:], strict=True)
                    if value is not None
                },
            )
            for row in live_rows(sensors, at, self.rng)
        ]
        result = await self.ingest.accept(readings, "simulator", all_or_nothing=False)
        self.ticks += 1
        return result.accepted

    async def run(self) -> None:
        log.info("S-DoT simulator: a tick every %.1f s", self.interval)
        while True:
            started = time.monotonic()
            try:
                await self.tick()
            except Exception:
                log.exception("simulator tick failed; trying again next tick")
            await asyncio.sleep(max(0.0, self.interval - (time.monotonic() - started)))
