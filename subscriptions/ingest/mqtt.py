"""Readings over MQTT: the broker at CIVIC_MQTT_URL, one message per reading.

Topic layout (QoS 1):
    civic/readings/<sensor id>              {"measured_at": "...+09:00", "values": {"pm25": 18.5}}
    civic/dead-letter/readings/<sensor id>  what was refused: {"code", "reason", "topic", "payload"}

A bad message never stops the subscriber: it is counted, and republished with its reason on
the dead-letter topic, where an operator (or the sensor's maintainer) can see it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import urlsplit

import aiomqtt
from pydantic import ValidationError

from graph.errors import StoreUnavailable
from subscriptions.ingest.payloads import MqttReading, ReadingIn
from subscriptions.ingest.pipeline import Ingest
from subscriptions.ingest.window import RefusalCode

log = logging.getLogger("civicgraph.mqtt")
TOPIC_PREFIX = "civic/readings/"
DEAD_LETTER_PREFIX = "civic/dead-letter/readings/"
RECONNECT_S = 2.0


def broker(url: str) -> tuple[str, int]:
    """(host, port) of `mqtt://HOST[:PORT]` (port 1883 by default); StoreUnavailable otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port or 1883
    except ValueError as error:  # a port that is not a number, or out of range
        raise StoreUnavailable(f"not an MQTT URL: {url!r} ({error})") from None
    if parts.scheme != "mqtt" or not parts.hostname:
        raise StoreUnavailable(f"not an MQTT URL: {url!r} (mqtt://HOST:PORT)")
    return parts.hostname, port


def _first_error(error: ValidationError) -> str:
    detail = error.errors()[0]
    where = ".".join(str(p) for p in detail["loc"])
    return f"{where}: {detail['msg']}" if where else detail["msg"]


def parse(topic: str, payload: bytes) -> ReadingIn | str:
    """The reading a message carries, or why it carries none."""
    sensor_id = topic.removeprefix(TOPIC_PREFIX)
    if not sensor_id or "/" in sensor_id:
        return f"topic must be {TOPIC_PREFIX}<sensor id>"
    try:
        message = MqttReading.model_validate_json(payload)
    except ValidationError as error:
        return f"bad payload: {_first_error(error)}"
    try:
        return ReadingIn(
            sensor_id=sensor_id, measured_at=message.measured_at, values=message.values
        )
    except ValidationError as error:  # the topic's sensor id: too long, or a NUL in it
        return f"bad topic: {_first_error(error)}"


class MqttIngest:
    def __init__(self, url: str, ingest: Ingest) -> None:
        self.host, self.port = broker(url)
        self.ingest = ingest
        self.dead_letters = 0

    async def handle(self, client: aiomqtt.Client, topic: str, payload: bytes) -> None:
        parsed = parse(topic, payload)
        code = RefusalCode.MALFORMED
        if isinstance(parsed, str):
            self.ingest.counts[("mqtt", "refused")] += 1
            reason = parsed
        else:
            result = await self.ingest.accept([parsed], "mqtt")
            if not result.rejected:
                return
            code, reason = result.rejected[0].code, result.rejected[0].reason
        self.dead_letters += 1
        letter = {
            "code": code.value,
            "reason": reason,
            "topic": topic,
            "payload": payload.decode("utf-8", "replace"),
        }
        suffix = topic.removeprefix(TOPIC_PREFIX) or "unknown"
        await client.publish(DEAD_LETTER_PREFIX + suffix, json.dumps(letter), qos=1)

    async def run(self) -> None:
        while True:
            try:
                async with aiomqtt.Client(self.host, self.port) as client:
                    await client.subscribe(TOPIC_PREFIX + "+", qos=1)
                    log.info("MQTT ingest on %s:%d %s+", self.host, self.port, TOPIC_PREFIX)
                    async for message in client.messages:
                        payload = message.payload
                        data = payload if isinstance(payload, bytes) else str(payload).encode()
                        try:
                            await self.handle(client, str(message.topic), data)
                        except Exception:
                            log.exception("MQTT message on %s not handled", message.topic)
            except aiomqtt.MqttError as error:
                log.warning("MQTT broker %s:%d: %s; reconnecting", self.host, self.port, error)
                await asyncio.sleep(RECONNECT_S)
