"""Open311 GeoReport v2 over HTTP (JSON)."""

from __future__ import annotations

import httpx
import pytest

from resolvers.services.open311 import JURISDICTION
from resolvers.services.open311_input import MAX_BODY

BASE = "/open311/v2"


async def test_services_list_the_catalogue(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    services = response.json()
    assert {"service_code", "service_name", "metadata", "type", "keywords", "group"} <= set(
        services[0]
    )
    assert "illegal-parking" in {s["service_code"] for s in services}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("jurisdiction_id=seoul.go.kr", 200),
        ("jurisdiction_id=busan.go.kr", 404),
        ("jurisdiction_id=%00", 400),
        ("foo=%00", 400),
        ("jurisdiction_id=%ED%A0%80", 400),
    ],
    ids=["this-city", "another-city", "nul", "nul-elsewhere", "not-utf-8"],
)
async def test_the_service_list_reads_its_query_string_as_the_requests_do(
    client: httpx.AsyncClient, query: str, status: int
) -> None:
    response = await client.get(f"{BASE}/services.json?{query}")
    assert response.status_code == status, response.text
    if status != 200:
        [problem] = response.json()
        assert problem["code"] == status


async def test_post_then_get_a_request(client: httpx.AsyncClient) -> None:
    form = {
        "service_code": "illegal-dumping",
        "description": "Bags by the river",
        "lat": "37.5283",
        "long": "126.9326",
    }
    created = await client.post(f"{BASE}/requests.json", data=form)
    assert created.status_code == 201
    request_id = created.json()[0]["service_request_id"]
    fetched = await client.get(f"{BASE}/requests/{request_id}.json")
    assert fetched.status_code == 200
    [request] = fetched.json()
    assert request["status"] == "open"
    assert request["service_code"] == "illegal-dumping"
    assert request["requested_datetime"].endswith("Z")
    assert request["long"] == 126.9326
    listed = await client.get(f"{BASE}/requests.json", params={"service_request_id": request_id})
    assert [r["service_request_id"] for r in listed.json()] == [request_id]


async def test_get_requests_filters_by_status_and_code(client: httpx.AsyncClient) -> None:
    params = {
        "status": "closed",
        "service_code": "noise",
        "start_date": "2025-11-01T00:00:00Z",
        "end_date": "2026-11-25T00:00:00Z",
    }
    response = await client.get(f"{BASE}/requests.json", params=params)
    assert response.status_code == 200
    requests = response.json()
    assert requests
    assert all(r["status"] == "closed" and r["service_code"] == "noise" for r in requests)


async def test_open311_errors_use_the_spec_shape(client: httpx.AsyncClient) -> None:
    unknown = await client.post(
        f"{BASE}/requests.json",
        data={"service_code": "ufo", "description": "x", "lat": "37.5", "long": "127.0"},
    )
    assert unknown.status_code == 404
    assert unknown.json()[0]["code"] == 404
    missing = await client.post(
        f"{BASE}/requests.json", data={"service_code": "noise", "description": "x"}
    )
    assert missing.status_code == 400
    bad_json = await client.post(
        f"{BASE}/requests.json", content=b"[", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    bad_date = await client.get(f"{BASE}/requests.json", params={"start_date": "yesterday"})
    assert bad_date.status_code == 400
    absent = await client.get(f"{BASE}/requests/case-none.json")
    assert absent.status_code == 404


SEOUL = {"service_code": "noise", "lat": "37.5283", "long": "126.9326"}
FORM = "application/x-www-form-urlencoded"


async def test_post_raw_utf8_form_is_stored_as_text_not_mojibake(
    client: httpx.AsyncClient,
) -> None:
    # given: 소음 sent unescaped, as curl --data does
    body = "service_code=noise&lat=37.5283&long=126.9326&description=소음 신고".encode()
    # when
    created = await client.post(
        f"{BASE}/requests.json", content=body, headers={"content-type": f"{FORM}; charset=utf-8"}
    )
    # then
    assert created.status_code == 201, created.text
    request_id = created.json()[0]["service_request_id"]
    [stored] = (await client.get(f"{BASE}/requests/{request_id}.json")).json()
    assert stored["description"] == "소음 신고"


async def test_post_form_in_a_declared_korean_charset_is_decoded(
    client: httpx.AsyncClient,
) -> None:
    body = b"service_code=noise&lat=37.5283&long=126.9326&description=" + "소음".encode("euc-kr")
    created = await client.post(
        f"{BASE}/requests.json", content=body, headers={"content-type": f"{FORM}; charset=EUC-KR"}
    )
    assert created.status_code == 201, created.text
    request_id = created.json()[0]["service_request_id"]
    [stored] = (await client.get(f"{BASE}/requests/{request_id}.json")).json()
    assert stored["description"] == "소음"


async def test_post_multipart_text_fields_are_filed(client: httpx.AsyncClient) -> None:
    created = await client.post(
        f"{BASE}/requests.json",
        data={**SEOUL, "description": "공사 소음"},
        files={"unused": (None, "")},  # forces multipart/form-data, a text part
    )
    assert created.headers.get("content-type", "").startswith("application/json")
    assert created.status_code == 201, created.text


async def test_post_multipart_file_part_is_refused(client: httpx.AsyncClient) -> None:
    # given: the description sent as a file part
    files = {"description": ("note.txt", b"loud music", "text/plain")}
    # when
    refused = await client.post(f"{BASE}/requests.json", data=SEOUL, files=files)
    # then: nothing is filed as the text "UploadFile(filename=...)"
    assert refused.status_code == 400
    [error] = refused.json()
    assert error["code"] == 400
    assert "description" in error["description"]


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        pytest.param(
            FORM,
            b"service_code=noise&description=\xff\xfe&lat=37.5&long=127",
            400,
            id="form-not-utf8",
        ),
        pytest.param(f"{FORM}; charset=utf-16", b"description=x", 415, id="form-utf16"),
        pytest.param(f"{FORM}; charset=nope", b"description=x", 415, id="form-unknown-charset"),
        pytest.param("application/json", b'{"description": "\xff"}', 400, id="json-not-utf8"),
        pytest.param(
            "application/json",
            b'{"description": "\\ud800", "service_code": "noise", "lat": 37.5, "long": 127}',
            400,
            id="json-lone-surrogate",
        ),
        pytest.param("application/json", b'"just a string"', 400, id="json-not-object"),
        pytest.param("application/json", b"[" * 50_000, 400, id="json-deep"),
        pytest.param(
            "application/json",
            b'{"description": 5, "service_code": "noise", "lat": 37.5, "long": 127}',
            400,
            id="json-number-description",
        ),
        pytest.param(
            "application/json",
            b'{"description": "x", "service_code": "noise", "lat": 1e400, "long": 127}',
            400,
            id="json-huge-lat",
        ),
        pytest.param(
            "application/json",
            b'{"description": "x", "service_code": "noise", "lat": 1'
            + b"0" * 400
            + b', "long": 127}',
            400,
            id="json-huge-int-lat",
        ),
        pytest.param(
            "application/json",
            b'{"description": "x", "service_code": "noise", "lat": true, "long": 127}',
            400,
            id="json-bool-lat",
        ),
        pytest.param("application/json; charset=utf-16", b"{}", 415, id="json-utf16"),
        pytest.param(
            FORM, b"service_code=noise&description=x&lat=abc&long=127", 400, id="lat-not-numeric"
        ),
        pytest.param(
            FORM, b"service_code=noise&description=x&lat=1e999&long=127", 400, id="lat-infinite"
        ),
        pytest.param(FORM, b"service_code=noise&description=x&lat=nan&long=127", 400, id="lat-nan"),
        pytest.param(
            FORM,
            b"service_code=noise&description=a&description=b&lat=37.5&long=127",
            400,
            id="repeated-field",
        ),
        pytest.param(
            FORM,
            b"jurisdiction_id=busan.go.kr&service_code=noise&description=x&lat=37.5&long=127",
            404,
            id="other-jurisdiction",
        ),
        pytest.param("text/plain", b"description=x", 415, id="text-plain"),
        pytest.param("application/xml", b"<x/>", 415, id="xml"),
        pytest.param("multipart/form-data", b"--x--", 400, id="multipart-no-boundary"),
        pytest.param("multipart/form-data; boundary=x", b"garbage", 400, id="multipart-garbage"),
    ],
)
async def test_post_bad_bodies_get_open311_errors(
    client: httpx.AsyncClient, content_type: str, body: bytes, status: int
) -> None:
    response = await client.post(
        f"{BASE}/requests.json", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == status, response.text
    [error] = response.json()
    assert error["code"] == status
    assert isinstance(error["description"], str)


async def test_post_without_content_type_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{BASE}/requests.json", content=b"description=x")
    assert response.status_code == 415
    assert response.json()[0]["code"] == 415


async def test_post_over_the_body_limit_is_413(client: httpx.AsyncClient) -> None:
    body = b"description=" + b"x" * (MAX_BODY + 1)
    response = await client.post(
        f"{BASE}/requests.json", content=body, headers={"content-type": FORM}
    )
    assert response.status_code == 413
    assert response.json()[0]["code"] == 413


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("end_date=0001-01-01T00:00:00Z", id="end-year-1"),
        pytest.param("end_date=0001-01-01T00:00:00%2B14:00", id="end-year-1-plus14"),
        pytest.param("start_date=0001-01-01T00:00:00-14:00", id="start-year-1-minus14"),
        pytest.param("end_date=9999-12-31T23:59:59Z", id="end-year-9999"),
        pytest.param("end_date=9999-12-31T23:59:59-14:00", id="end-9999-minus14"),
        pytest.param(
            "end_date=1970-01-05T00:00:00Z&start_date=1969-12-31T00:00:00Z", id="before-1970"
        ),
        pytest.param("end_date=2026-11-25T00:00:00Z&end_date=2026-11-26T00:00:00Z", id="repeated"),
        pytest.param("status=open&status=closed", id="repeated-status"),
        pytest.param("status=pending", id="unknown-status"),
        pytest.param("end_date=%FF", id="not-utf8"),
        pytest.param("service_request_id=" + "a" * 65, id="overlong-id"),
        pytest.param(
            "service_request_id=" + ",".join(f"case-{i}" for i in range(101)), id="too-many-ids"
        ),
        pytest.param("service_request_id=case-1'%20OR%201=1", id="malformed-id"),
        pytest.param("service_code=" + "x" * 65, id="overlong-code"),
    ],
)
async def test_get_bad_parameters_get_400(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400, response.text
    assert response.json()[0]["code"] == 400


async def test_get_the_earliest_end_date_defaults_start_without_underflow(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(f"{BASE}/requests.json?end_date=1970-01-01T00:00:00Z")
    assert response.status_code == 200
    assert response.json() == []


async def test_get_unknown_ids_are_left_out(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{BASE}/requests.json", params={"service_request_id": "case-nope,case-00000001"}
    )
    assert response.status_code == 200
    assert [r["service_request_id"] for r in response.json()] in ([], ["case-00000001"])


async def test_get_other_jurisdiction_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/requests.json?jurisdiction_id=busan.go.kr")
    assert response.status_code == 404
    ours = await client.get(f"{BASE}/requests.json?jurisdiction_id={JURISDICTION}")
    assert ours.status_code == 200


async def test_get_an_overlong_request_id_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/requests/case-{'9' * 5000}.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
