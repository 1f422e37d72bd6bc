"""Ingest reads readings strictly: a value is a JSON number (not `"18"`, not `true`, which
pydantic's lax mode would turn into 18.0 and 1.0), over HTTP and MQTT alike; HTTP takes only an
`application/json` body (415 otherwise) with a `Content-Length` in ASCII digits, and answers in
its own error format (`{"error": …, "code": …}`), every refusal with its code."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import ValidationError

from graph.records.api_keys import Tier
from subscriptions.ingest.http import is_json
from subscriptions.ingest.mqtt import TOPIC_PREFIX, parse
from subscriptions.ingest.payloads import MqttReading
from tests.subscriptions.test_http_ingest import batch

NOT_NUMBERS = ["18", "18.5", True, False, None, [18], {"v": 18}, "1_8"]


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
async def test_http_reading_value_must_be_a_json_number(
    client: httpx.AsyncClient, keys: dict[Tier, str], value: object
) -> None:
    body = batch(0)
    body["readings"][0]["values"] = {"pm25": value}  # type: ignore[index]
    response = await client.post(
        "/ingest/readings", json=body, headers={"X-API-Key": keys[Tier.OPERATOR]}
    )
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["at"].endswith("values.pm25")


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
async def test_http_body_that_is_not_json_media_is_415(
    client: httpx.AsyncClient, keys: dict[Tier, str], content_type: str | None
) -> None:
    headers = {"X-API-Key": keys[Tier.OPERATOR]}
    if content_type is not None:
        headers["content-type"] = content_type
    request = client.build_request(
        "POST", "/ingest/readings", content=json.dumps(batch(0)).encode(), headers=headers
    )
    if content_type is None:
        request.headers.pop("content-type", None)
    response = await client.send(request)
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "unsupported_media_type"
    assert set(response.json()) == {"error", "code"}


@pytest.mark.parametrize("length", [b"\xb2", b"\xb9\xb2", b"1_0", b"-1", b"0x10"])
async def test_http_content_length_not_ascii_digits_is_400(
    client: httpx.AsyncClient, keys: dict[Tier, str], length: bytes
) -> None:
    request = client.build_request(
        "POST",
        "/ingest/readings",
        json=batch(0),
        headers={"X-API-Key": keys[Tier.OPERATOR]},
    )
    # raw bytes: a server reads header bytes as Latin-1, where 0xB2 is "²" (`str.isdigit` says yes)
    request.headers = httpx.Headers(
        [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
        + [(b"content-length", length)]
    )
    response = await client.send(request)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize(
    ("content_type", "taken"),
    [
        ("application/json", True),
        ("Application/JSON; charset=UTF-8", True),
        ('application/json; charset="utf-8"', True),
        ("application/json; charset=utf-16", False),
        ("application/jsonx", False),
    ],
)
def test_is_json(content_type: str, taken: bool) -> None:
    assert is_json(content_type) is taken


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_mqtt_reading_value_must_be_a_json_number(value: object) -> None:
    payload = json.dumps({"measured_at": "2026-11-25T09:00:00+09:00", "values": {"pm25": value}})
    with pytest.raises(ValidationError):
        MqttReading.model_validate_json(payload)


def test_mqtt_reading_takes_numbers() -> None:
    payload = '{"measured_at": "2026-11-25T09:00:00Z", "values": {"pm25": 18, "noise": 52.5}}'
    assert MqttReading.model_validate_json(payload).values == {"pm25": 18.0, "noise": 52.5}


@pytest.mark.parametrize(
    ("sensor_id", "words"),
    [("x" * 65, "at most 64 characters"), ("sdot-\x00", "NUL character (U+0000)")],
    ids=["too-long", "nul"],
)
def test_an_mqtt_topic_naming_no_storable_sensor_id_is_a_refusal(
    sensor_id: str, words: str
) -> None:
    payload = b'{"measured_at": "2026-11-25T09:00:00Z", "values": {"pm25": 18}}'
    why = parse(TOPIC_PREFIX + sensor_id, payload)
    assert isinstance(why, str)
    assert why.startswith("bad topic:")
    assert words in why


@pytest.mark.parametrize(
    ("tier", "headers", "content", "status", "code"),
    [
        (None, {}, json.dumps(batch(0)), 401, "unauthenticated"),
        (Tier.ANALYST, {}, json.dumps(batch(0)), 403, "forbidden"),
        (
            Tier.OPERATOR,
            {"content-type": "text/plain"},
            json.dumps(batch(0)),
            415,
            "unsupported_media_type",
        ),
        (Tier.OPERATOR, {"content-length": "12x"}, "{}", 400, "bad_request"),
        (Tier.OPERATOR, {}, "x" * (4 * 1024 * 1024 + 1), 413, "payload_too_large"),
        (Tier.OPERATOR, {}, '{"readings":[', 400, "json_invalid"),
        (Tier.OPERATOR, {}, '{"readings":"x"}', 422, "invalid"),
    ],
    ids=["no key", "analyst", "text", "length", "too large", "not json", "shape"],
)
async def test_every_refusal_carries_its_code(
    client: httpx.AsyncClient,
    keys: dict[Tier, str],
    tier: Tier | None,
    headers: dict[str, str],
    content: str,
    status: int,
    code: str,
) -> None:
    """The careless gateway's mistakes, each answered `{"error", "code"}` (docs/api.md)."""
    sent = {"content-type": "application/json", **headers}
    if tier is not None:
        sent["X-API-Key"] = keys[tier]
    request = client.build_request("POST", "/ingest/readings", content=content.encode())
    request.headers.update(sent)
    response = await client.send(request)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert isinstance(response.json()["error"], str)
