"""The reading a sensor or gateway sends, as JSON (the same shape over MQTT and HTTP)."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    Strict,
)

from graph.storable_text import unstorable

MAX_BATCH = 5_000
"""Readings per HTTP batch: four and a half ticks of the whole S-DoT network."""
Value = Annotated[FiniteFloat, Strict()]
"""A reading's value: a number (JSON's, or an int or float), never `"18"` or `true`, which
pydantic's lax mode would turn into 18.0 and 1.0."""


def _storable(text: str) -> str:
    why = unstorable(text)
    if why is not None:
        raise ValueError(f"holds {why}, which is not storable text")
    return text


StorableText = Annotated[str, AfterValidator(_storable)]
"""Text the stores can hold: no NUL, no lone surrogate (graph.storable_text)."""


class ReadingIn(BaseModel):
    """One sensor's values at one time, e.g.

    {"sensor_id": "sdot-11680-0000", "measured_at": "2026-11-25T09:00:00+09:00",
     "values": {"pm25": 18.5, "noise": 52.1}}
    """

    model_config = ConfigDict(extra="forbid")

    sensor_id: StorableText = Field(min_length=1, max_length=64)
    measured_at: AwareDatetime
    values: dict[StorableText, Value] = Field(min_length=1, max_length=32)


class ReadingBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    readings: list[ReadingIn] = Field(min_length=1, max_length=MAX_BATCH)


class MqttReading(BaseModel):
    """An MQTT message on `civic/readings/<sensor id>`: the sensor is named by the topic."""

    model_config = ConfigDict(extra="forbid")

    measured_at: AwareDatetime
    values: dict[StorableText, Value] = Field(min_length=1, max_length=32)
