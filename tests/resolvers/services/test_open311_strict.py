"""Open311 reads numbers strictly (a decimal number in ASCII, as JSON writes one: Python's
`float` would take `3_7.5`, Devanagari digits, padding and `nan`), and answers every path and
method it does not serve in the GeoReport error format."""

from __future__ import annotations

import json

import httpx
import pytest

BASE = "/open311/v2"
SEOUL = {"service_code": "noise", "long": "126.9326", "description": "loud music at night"}
LENIENT = ["3_7.5", "३७.५", "٣٧.٥", " 37.5", "37.5 ", "+37.5", "nan", "1e999", "0x25", "37.5\n"]


def error_list(response: httpx.Response) -> list[dict[str, object]]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert isinstance(body, list), body
    assert set(body[0]) == {"code", "description"}, body
    assert body[0]["code"] == response.status_code
    return body


@pytest.mark.parametrize("lat", LENIENT)
async def test_post_form_lat_must_be_a_decimal_number(client: httpx.AsyncClient, lat: str) -> None:
    response = await client.post(f"{BASE}/requests.json", data={**SEOUL, "lat": lat})
    assert response.status_code == 400, response.text
    assert "lat" in str(error_list(response)[0]["description"])


@pytest.mark.parametrize("lat", LENIENT)
async def test_post_json_lat_as_text_must_be_a_decimal_number(
    client: httpx.AsyncClient, lat: str
) -> None:
    body = json.dumps({**SEOUL, "lat": lat}).encode()
    response = await client.post(
        f"{BASE}/requests.json", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error_list(response)


@pytest.mark.parametrize("lat", ["37.5283", "3.75283e1", "375283e-4"])
async def test_post_decimal_lat_is_filed(client: httpx.AsyncClient, lat: str) -> None:
    response = await client.post(f"{BASE}/requests.json", data={**SEOUL, "lat": lat})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("length", [b"\xb2", b"\xb9\xb2", b"1_0", b"-1", b"0x10"])
async def test_post_content_length_not_ascii_digits_is_400(
    client: httpx.AsyncClient, length: bytes
) -> None:
    request = client.build_request(
        "POST", f"{BASE}/requests.json", data={**SEOUL, "lat": "37.5283"}
    )
    # raw bytes: a server reads header bytes as Latin-1, where 0xB2 is "²" (`str.isdigit` says yes)
    request.headers = httpx.Headers(
        [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
        + [(b"content-length", length)]
    )
    response = await client.send(request)
    assert response.status_code == 400, response.text
    error_list(response)


@pytest.mark.parametrize(
    "path", ["/nope", "/requests.xml", "/requests/case-1/x.json", "/services/noise.json", "/"]
)
async def test_unknown_paths_are_open311_404s(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(f"{BASE}{path}")
    assert response.status_code == 404
    error_list(response)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/requests.json", "GET, HEAD, POST"),
        ("DELETE", "/requests/case-00000001.json", "GET, HEAD"),
        ("POST", "/services.json", "GET, HEAD"),
    ],
)
async def test_other_methods_are_open311_405s_with_allow(
    client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, f"{BASE}{path}")
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    error_list(response)
