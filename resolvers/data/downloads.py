"""Downloads of the datasets whose rows the platform holds, as CSV and GeoJSON, streamed.

GET /catalog/datasets/{id}/data.csv and /data.geojson, for ds-sdot (the S-DoT sensors) and
ds-water-quality (the water-quality stations, the Han River's included). Rows:
  - without parameters: one row per sensor, with its place and its latest reading;
  - with `from` and `to` (ISO 8601 instants with an offset, `to` after `from`, at most
    MAX_WINDOW_HOURS apart): one row per raw reading of each sensor measured in [from, to).
Sensors are read in keyset pages of SENSOR_PAGE, readings in pages of READING_PAGE, and the
body is sent in chunks of about CHUNK_BYTES: a large download never sits in memory. No
personal data is downloadable (only Sensor nodes and their readings are read).

Licence: the dataset's (CC BY 4.0 for both), stated in every response (`Link: <licence>;
rel="license"` and an `Attribution` header) and in every file: a CSV's first line is a `# `
comment with the attribution and licence (then the header row); a GeoJSON FeatureCollection
carries top-level `license`, `attribution` and `source` members (RFC 7946 §6.1 foreign
members). A dataset without rows here answers 404 `{"error", "code": "no_download"}`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from graph.errors import CivicGraphError
from graph.ontology import SDOT_DATA_TYPES, WATER_DATA_TYPES
from graph.query import NodeQuery
from graph.records.readings import from_epoch, latest_readings, readings_in_window
from graph.store import Node
from resolvers.core.context import Context
from resolvers.core.moments import EARLIEST, LATEST
from resolvers.data.catalogue_http import context_of, find_dataset, refusal
from resolvers.data.downloadable import DOWNLOADS, dataset_iri
from resolvers.data.vocabularies import LICENCES

SENSOR_PAGE = 200
READING_PAGE = 2000
CHUNK_BYTES = 64 * 1024
MAX_WINDOW_HOURS = 24
"""Longest window of readings one download holds: 1,100 S-DoT sensors × 720 readings ≈ 0.8 M
rows, ~150 MB of CSV at most, streamed."""
DATA_TYPES = {"sdot": SDOT_DATA_TYPES, "water_quality": WATER_DATA_TYPES}
SENSOR_COLUMNS = ("sensor_id", "kind", "model", "status", "district_code", "lat", "lon")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8; header=present", "geojson": "application/geo+json"}
PUBLISHER = "Seoul Metropolitan Government"


@dataclass(frozen=True)
class Window:
    """Readings measured in [start, end)."""

    start: datetime
    end: datetime


class DownloadProblem(CivicGraphError):
    """A download refused: HTTP `status` (4xx), a `code` and a `message`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _instant(request: Request, name: str) -> datetime | None:
    given = request.query_params.getlist(name)
    if not given:
        return None
    if len(given) > 1 or len(given[0]) > 40:
        raise DownloadProblem(400, "invalid_window", f"{name} is one ISO 8601 instant")
    try:
        moment = datetime.fromisoformat(given[0].replace("Z", "+00:00"))
    except ValueError:
        raise DownloadProblem(400, "invalid_window", f"{name} is not an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise DownloadProblem(400, "invalid_window", f"{name} needs an offset (Z or +09:00)")
    if not EARLIEST <= moment <= LATEST:
        raise DownloadProblem(400, "invalid_window", f"{name} is out of range")
    return moment


def read_window(request: Request) -> Window | None:
    """The `from`/`to` window, or None for the latest readings. Raises DownloadProblem (400)
    for one without the other, an unknown parameter, a bad instant or a window out of bounds."""
    unknown = set(request.query_params) - {"from", "to"}
    if unknown:
        raise DownloadProblem(400, "invalid_parameter", f"unknown parameter {sorted(unknown)[0]!r}")
    start, end = _instant(request, "from"), _instant(request, "to")
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise DownloadProblem(400, "invalid_window", "give both from and to, or neither")
    if not start < end <= start + timedelta(hours=MAX_WINDOW_HOURS):
        raise DownloadProblem(
            400, "invalid_window", f"to is after from, at most {MAX_WINDOW_HOURS} hours later"
        )
    return Window(start, end)


async def sensor_rows(
    context: Context, kind: str, window: Window | None
) -> AsyncIterator[tuple[Node, dict[str, Any] | None]]:
    """(sensor, reading) pairs: each sensor of `kind` by id with its latest reading (None if
    it has none), or with each of its readings in `window`, oldest first."""
    after: str | None = None
    while True:
        query = NodeQuery("Sensor", {"kind": [kind]}, after=after, limit=SENSOR_PAGE)
        sensors = await context.store.find_nodes(query)
        if window is None:
            latest = await latest_readings(context.records, [s["id"] for s in sensors])
            for sensor in sensors:
                yield sensor, latest.get(sensor["id"])
        else:
            for sensor in sensors:
                since: int | None = None
                while True:
                    page = await readings_in_window(
                        context.records,
                        sensor["id"],
                        window.start,
                        window.end,
                        after=since,
                        limit=READING_PAGE,
                    )
                    for reading in page:
                        yield sensor, reading
                    if len(page) < READING_PAGE:
                        break
                    since = int(page[-1]["measured_at"])
        if len(sensors) < SENSOR_PAGE:
            return
        after = sensors[-1]["id"]


def _measured_at(reading: dict[str, Any] | None) -> str | None:
    if reading is None:
        return None
    return from_epoch(int(reading["measured_at"])).isoformat().replace("+00:00", "Z")


def _csv_line(values: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(["" if v is None else v for v in values])
    return out.getvalue()


def _chunks(lines: Iterator[str]) -> Iterator[bytes]:
    buffered: list[str] = []
    size = 0
    for line in lines:
        buffered.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(buffered).encode()
            buffered, size = [], 0
    if buffered:
        yield "".join(buffered).encode()


@dataclass(frozen=True)
class Attribution:
    """What a download says of its source and licence."""

    dataset: Node
    base: str

    @property
    def licence_iri(self) -> str:
        licence = LICENCES.get(self.dataset["license"])
        return licence.iri if licence is not None else ""

    @property
    def licence_name(self) -> str:
        return str(self.dataset["license"])

    @property
    def line(self) -> str:
        """One line of ASCII-safe text (also used as a header value, which is Latin-1)."""
        return (
            f'Source: {PUBLISHER}, "{self.dataset["title_en"]}" ({self.dataset["id"]}), '
            f"via CivicGraph <{dataset_iri(self.base, self.dataset['id'])}>. "
            f"Licence: {self.licence_name} <{self.licence_iri}>."
        )

    def headers(self, extension: str) -> dict[str, str]:
        ascii_line = self.line.encode("ascii", "replace").decode()
        return {
            "link": f'<{self.licence_iri}>; rel="license", '
            f'<{dataset_iri(self.base, self.dataset["id"])}.jsonld>; rel="describedby"',
            "attribution": ascii_line,
            "content-disposition": f'attachment; filename="{self.dataset["id"]}.{extension}"',
        }


async def csv_body(
    context: Context, kind: str, window: Window | None, attribution: Attribution
) -> AsyncIterator[bytes]:
    """The CSV: a `# ` attribution line, the header row, then one row per (sensor, reading)."""
    types = DATA_TYPES[kind]
    lines = [f"# {attribution.line}\r\n", _csv_line([*SENSOR_COLUMNS, "measured_at", *types])]
    async for sensor, reading in sensor_rows(context, kind, window):
        values = [sensor[c] if c != "sensor_id" else sensor["id"] for c in SENSOR_COLUMNS]
        readings = [None if reading is None else reading.get(t) for t in types]
        lines.append(_csv_line([*values, _measured_at(reading), *readings]))
        if len(lines) >= 500:
            for chunk in _chunks(iter(lines)):
                yield chunk
            lines = []
    for chunk in _chunks(iter(lines)):
        yield chunk


async def geojson_body(
    context: Context, kind: str, window: Window | None, attribution: Attribution
) -> AsyncIterator[bytes]:
    """A FeatureCollection: top-level licence and attribution, one Point feature per row."""
    head = {
        "type": "FeatureCollection",
        "license": attribution.licence_iri,
        "attribution": attribution.line,
        "source": dataset_iri(attribution.base, attribution.dataset["id"]),
    }
    types = DATA_TYPES[kind]
    # the head goes out with the first features: nothing is sent before the stores answered
    parts: list[str] = [json.dumps(head, ensure_ascii=False)[:-1] + ',"features":[']
    first = True
    async for sensor, reading in sensor_rows(context, kind, window):
        feature = {
            "type": "Feature",
            "id": sensor["id"]
            if window is None
            else f"{sensor['id']}@{reading and reading['measured_at']}",
            "geometry": {"type": "Point", "coordinates": [sensor["lon"], sensor["lat"]]},
            "properties": {
                "sensor_id": sensor["id"],
                **{c: sensor[c] for c in SENSOR_COLUMNS[1:5]},
                "measured_at": _measured_at(reading),
                **{t: None if reading is None else reading.get(t) for t in types},
            },
        }
        parts.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
        first = False
        if len(parts) >= 200:
            for chunk in _chunks(iter(parts)):
                yield chunk
            parts = []
    parts.append("]}")
    for chunk in _chunks(iter(parts)):
        yield chunk


async def download(request: Request) -> Response:
    """A dataset's rows as CSV or GeoJSON (the path's extension): see the module docstring."""
    dataset_id: str = request.path_params["dataset_id"]
    extension: str = request.path_params["extension"]
    context = context_of(request)
    try:
        window = read_window(request)
    except DownloadProblem as problem:
        return refusal(problem.status, problem.code, problem.message)
    node = await find_dataset(context, dataset_id)
    if node is None:
        return refusal(404, "not_found", "no such dataset")
    kind = DOWNLOADS.get(dataset_id)
    if kind is None:
        return refusal(
            404,
            "no_download",
            f"{dataset_id} is a catalogue entry only: its rows are not on this platform "
            f"(see its landing page, {node['landing_page']})",
        )
    context.usage.touch(node["id"])
    attribution = Attribution(node, context.trust.public_url)
    body = (csv_body if extension == "csv" else geojson_body)(context, kind, window, attribution)
    # The first chunk is read before the status is sent, so that stores that cannot be read
    # are a 503 (civicgraph/outages.py); one lost later aborts the connection, never a body
    # that ends as if it were whole.
    first = await anext(body, b"")
    return StreamingResponse(
        _after(first, body),
        media_type=MEDIA_TYPES[extension],
        headers=attribution.headers(extension),
    )


async def _after(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk
