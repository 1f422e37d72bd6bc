"""Starting and stopping the live side with the app: bus, directory, ingest, simulator, MQTT."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from civicgraph.settings import Settings
from civicgraph.stores import Stores
from subscriptions.directory import SensorDirectory
from subscriptions.ingest.mqtt import MqttIngest
from subscriptions.ingest.simulator import Simulator
from subscriptions.ingest.window import ReadingWindow
from subscriptions.live import Live
from subscriptions.open import open_bus


@contextlib.asynccontextmanager
async def running_live(
    settings: Settings, stores: Stores, *, ingest: bool = True
) -> AsyncIterator[Live]:
    """The live side (bus, subscriptions); with `ingest`, also the S-DoT simulator and the MQTT
    ingest as configured (run by one server only: the merged one or the sensing subgraph)."""
    bus = await open_bus(settings.bus_url)
    tasks: list[asyncio.Task[None]] = []
    try:
        directory = await SensorDirectory(stores.graph).load()
        live = await Live.start(
            stores.records,
            bus,
            directory,
            ReadingWindow(
                max_age=timedelta(days=settings.readings_retention_days),
                future_slack=timedelta(seconds=settings.readings_future_slack_s),
                live=timedelta(seconds=settings.alerts_live_window_s),
            ),
            queue_size=settings.subscriber_queue,
            replay_window=settings.replay_window,
            replay_window_public=settings.replay_window_public,
        )
        if ingest and settings.simulator:
            simulator = Simulator(live.ingest, directory, settings.simulator_speed)
            tasks.append(asyncio.create_task(simulator.run(), name="sdot-simulator"))
        if ingest and settings.mqtt_url:
            mqtt = MqttIngest(settings.mqtt_url, live.ingest)
            tasks.append(asyncio.create_task(mqtt.run(), name="mqtt-ingest"))
        yield live
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await bus.close()
