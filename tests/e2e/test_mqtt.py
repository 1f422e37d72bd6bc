"""S-DoT readings over MQTT through a real Mosquitto broker, out through a GraphQL subscription.

A real publisher (aiomqtt) sends to `civic/readings/<sensor>`; the server's MQTT ingest stores
and publishes them; bad messages come back on the dead-letter topic with their reason.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import timedelta

import aiomqtt
import pytest
from starlette.applications import Starlette

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from subscriptions.ingest.mqtt import DEAD_LETTER_PREFIX, TOPIC_PREFIX, broker
from tests.conftest import SEED_UNTIL
from tests.e2e.conftest import serving
from tests.e2e.test_subscriptions import READINGS, take

pytestmark = pytest.mark.services

MQTT_URL = os.environ.get("CIVIC_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
WAIT_S = 15
SENSOR = "sdot-11200-0000"


@pytest.fixture
async def mqtt_server(settings: Settings, stores: Stores) -> AsyncIterator[str]:
    host, port = broker(MQTT_URL)
    try:
        async with aiomqtt.Client(host, port):
            pass
    except aiomqtt.MqttError as error:
        pytest.skip(f"Mosquitto is not running (tools/services/services.sh): {error}")
    app: Starlette = create_app(settings.model_copy(update={"mqtt_url": MQTT_URL}), stores)
    async with serving(app, lifespan="on") as url:
        yield url


def reading(minutes_ago: int, **values: float) -> bytes:
    at = SEED_UNTIL - timedelta(days=12, minutes=minutes_ago)  # before the shared seed's history
    return json.dumps({"measured_at": at.isoformat(), "values": values}).encode()


async def test_readings_published_over_mqtt_reach_subscribers(mqtt_server: str) -> None:
    host, port = broker(MQTT_URL)
    variables = {"district": "11200", "dataType": "PM25"}
    listening = asyncio.create_task(
        take(mqtt_server, "graphql-transport-ws", READINGS, variables, 1)
    )
    async with aiomqtt.Client(host, port) as publisher:
        async with asyncio.timeout(WAIT_S):
            step = 0
            while not listening.done():  # until the subscription is registered and hears one
                step += 1
                await publisher.publish(TOPIC_PREFIX + SENSOR, reading(step, pm25=12.5), qos=1)
                await asyncio.wait({listening}, timeout=0.5)
    [result] = listening.result()
    event = result["sensorReadings"]
    assert event["sensorId"] == SENSOR
    assert event["values"] == [{"dataType": "PM25", "value": 12.5, "unit": "µg/m³"}]


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        (SENSOR, b"not json", "bad payload"),
        (SENSOR, json.dumps({"values": {"pm25": 1}}).encode(), "measured_at"),
        ("sdot-nowhere", reading(1, pm25=1.0), "unknown sensor"),
        (SENSOR, reading(2, ph=7.0), "do not measure 'ph'"),
        (
            SENSOR,
            json.dumps(
                {"measured_at": "0001-01-01T00:00:00+14:00", "values": {"pm25": 3.0}}
            ).encode(),
            "older than",
        ),
    ],
)
async def test_bad_messages_go_to_the_dead_letter_topic_with_a_reason(
    mqtt_server: str, topic: str, payload: bytes, reason: str
) -> None:
    host, port = broker(MQTT_URL)
    async with aiomqtt.Client(host, port) as client:
        await client.subscribe(DEAD_LETTER_PREFIX + "#", qos=1)
        await client.publish(TOPIC_PREFIX + topic, payload, qos=1)
        async with asyncio.timeout(WAIT_S):
            async for message in client.messages:
                letter = json.loads(bytes(message.payload))  # type: ignore[arg-type]
                if letter["payload"] == payload.decode("utf-8", "replace"):
                    break
    assert str(message.topic) == DEAD_LETTER_PREFIX + topic
    assert reason in letter["reason"]
    assert letter["topic"] == TOPIC_PREFIX + topic
