"""Subscription fan-out: N websocket subscribers on one server process vs a raw `websockets` server.

    python -m bench.fanout [--subscribers 1000,10000] [--rates 1,10] [--seconds 20]
                           [--servers raw,ours] [--spy FILE]

Each subscriber asks for one gu and one data type, as a neighbourhood air-quality app would
(`sensorReadings(district:, dataType:)`), spread evenly over the 25 gu and 17 S-DoT types.
Readings are published on Redis, as another worker's ingest would, at the real S-DoT rate
(1,100 sensors every 2 minutes: 9.2 readings/s, each to every subscriber of its gu) and at 10x.
Both servers take them from the same Redis channel: ours (`civicgraph serve`, one process,
CIVIC_BUS_URL, GraphQL execution per push) and the baseline, a bare `websockets` server that
sends the same JSON message with `broadcast`; both on uvloop. Latency is from the publish to the
client's receipt, on one clock (publisher and clients share this process, the clients on
websockets' sans-I/O protocol). The window ends once the backlog has landed (or nothing has for
5 s), and the CPU read then pays for all of it. The ratio compares server CPU per push
(baseline / ours): how many pushes ours makes with the CPU the raw one needs. `cores` says which
side is the bottleneck (near 1.0: that process's one loop is saturated).

Needs `make services` (Redis) and seeded stores under var/ (`make run`).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import redis.asyncio as redis
import uvloop
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from bench import pyprofile
from bench.ports import free_port
from bench.query import wait_until_up
from graph.ontology import SDOT_DATA_TYPES
from subscriptions.events import Event, Stream, decode, encode
from subscriptions.redis_bus import CHANNEL_PREFIX

REDIS_URL = "redis://127.0.0.1:6379/14"
SENSORS = 1_100
REAL_RATE = SENSORS / 120  # readings per second across the network
DRAIN_IDLE_S = 5.0
MEASURED_FROM = 1_000_000
"""Events after this id are the measured ones; the warm-up's are below it."""
GU_FILE = Path(__file__).resolve().parents[1] / "seeds" / "data" / "gu_names_en.csv"
QUERY = """subscription ($district: String, $dataType: DataType) {
  sensorReadings(district: $district, dataType: $dataType) {
    id sensorId districtCode sensorKind measuredAt values { dataType value unit }
  }
}"""


def gu_codes() -> list[str]:
    with GU_FILE.open(encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


# -- the baseline: a bare websockets server fanning the same messages out ---------------------


def raw_message(event: dict[str, Any], data_type: str) -> str:
    data = event["data"]
    reading = {
        "id": str(event["id"]),
        "sensorId": data["sensor_id"],
        "districtCode": data["district_code"],
        "sensorKind": "SDOT",
        "measuredAt": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(data["measured_at"])),
        "values": [{"dataType": data_type.upper(), "value": data["values"][data_type], "unit": ""}],
    }
    return json.dumps({"id": "1", "type": "next", "payload": {"data": {"sensorReadings": reading}}})


async def raw_server(port: int) -> None:
    groups: dict[tuple[str, str], set[ServerConnection]] = {}

    async def handler(ws: ServerConnection) -> None:
        wanted = json.loads(await ws.recv())
        key = (wanted["district"], wanted["dataType"])
        groups.setdefault(key, set()).add(ws)
        try:
            await ws.wait_closed()
        finally:
            groups[key].discard(ws)

    client = redis.Redis.from_url(REDIS_URL)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(CHANNEL_PREFIX + Stream.READINGS.value)
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None):
        async for message in pubsub.listen():
            for event in decode(message["data"])[1]:
                key, data = event.id, event.data
                gu = data["district_code"]
                for data_type in data["values"]:
                    targets = groups.get((gu, data_type))
                    if targets:
                        broadcast(targets, raw_message({"id": key, "data": data}, data_type))


# -- clients and the publisher -----------------------------------------------------------------


@dataclass
class Tally:
    published: dict[int, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    pushes: int = 0
    measuring: bool = False


class Subscriber(asyncio.Protocol):
    """One subscriber on websockets' sans-I/O `ClientProtocol` under a plain asyncio protocol:
    no reader task, queue or `async for` per message, so that 10,000 of them in one process
    cost less than the server they load (with `websockets.asyncio.client`, the clients'
    process saturated first at 10x and every figure measured its backlog)."""

    def __init__(self, url: str, ours: bool, gu: str, data_type: str, tally: Tally) -> None:
        self.ours, self.gu, self.data_type, self.tally = ours, gu, data_type, tally
        subprotocols = [Subprotocol("graphql-transport-ws")] if ours else None
        self.protocol = ClientProtocol(parse_uri(url), subprotocols=subprotocols, max_size=None)
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.protocol.send_request(self.protocol.connect())
        self.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.protocol.send_text(json.dumps(message).encode())
        self.flush()

    def flush(self) -> None:
        assert self.transport is not None
        for data in self.protocol.data_to_send():
            if data:
                self.transport.write(data)
            else:  # the protocol's end of stream
                self.transport.close()

    def data_received(self, data: bytes) -> None:
        received = time.perf_counter()
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                self.opened()
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self.message(json.loads(bytes(event.data)), received)
        self.flush()  # pongs and close frames

    def opened(self) -> None:
        if self.protocol.handshake_exc is not None:
            self.ready.set_exception(self.protocol.handshake_exc)
        elif self.ours:
            self.send({"type": "connection_init"})
        else:
            self.send({"district": self.gu, "dataType": self.data_type})
            self.ready.set_result(None)

    def message(self, message: dict[str, Any], received: float) -> None:
        if message["type"] == "connection_ack":
            variables = {"district": self.gu, "dataType": self.data_type.upper()}
            payload = {"query": QUERY, "variables": variables}
            self.send({"id": "1", "type": "subscribe", "payload": payload})
            self.ready.set_result(None)
            return
        key = int(message["payload"]["data"]["sensorReadings"]["id"])
        tally = self.tally
        if tally.measuring and key > MEASURED_FROM:  # not the warm-up's, landing late
            tally.latencies.append(received - tally.published[key])
            tally.pushes += 1

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(exc or ConnectionError("closed before subscribing"))

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.protocol.send_close()
            self.flush()
            self.transport.close()


async def open_client(url: str, ours: bool, gu: str, data_type: str, tally: Tally) -> Subscriber:
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    _, subscriber = await asyncio.get_running_loop().create_connection(
        lambda: Subscriber(url, ours, gu, data_type, tally), "127.0.0.1", port
    )
    await asyncio.wait_for(subscriber.ready, 120)
    return subscriber


async def publish(rate: float, seconds: float, tally: Tally, gus: list[str], first_id: int) -> int:
    client = redis.Redis.from_url(REDIS_URL)
    rng = random.Random(3)
    interval = 1 / (REAL_RATE * rate)
    key = first_id
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < seconds:
            key += 1
            gu = gus[key % len(gus)]
            values = {t: round(rng.uniform(0, 80), 2) for t in SDOT_DATA_TYPES}
            data = {
                "sensor_id": f"sdot-{gu}-{key % 44:04d}",
                "district_code": gu,
                "sensor_kind": "sdot",
                "measured_at": int(time.time()),
                "values": values,
            }
            tally.published[key] = time.perf_counter()
            await client.publish(
                CHANNEL_PREFIX + Stream.READINGS.value, encode([Event(Stream.READINGS, key, data)])
            )
            await asyncio.sleep(
                max(0.0, started + (key - first_id) * interval - time.perf_counter())
            )
    finally:
        await client.aclose()
    return key - first_id


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    pushes: int
    expected: int
    p50_ms: float
    p99_ms: float
    pushes_per_s: float
    cpu_s: float
    connected: int
    server_cores: float
    """The server's CPU seconds per second of the window: near 1.0, its one loop is saturated."""
    client_cores: float
    """The same for this process (clients and publisher): near 1.0, the clients are the
    bottleneck, and the latencies measure their backlog rather than the server's."""


def measure(
    ours: bool,
    subscribers: int,
    rate: float,
    seconds: float,
    profile: str | None = None,
    spy: Path | None = None,
) -> Run:
    """Start one server process, load it from this one, stop it (with `profile`, under
    cProfile, writing its statistics to that file)."""
    port = free_port()
    env = os.environ | {
        "CIVIC_BUS_URL": REDIS_URL,
        "CIVIC_SIMULATOR": "0",
        "CIVIC_SUBSCRIBER_QUEUE": "4096",
        # the models' scoring run (10 s after start) is no push work: it fell in the window
        "CIVIC_ML_SCORE_EVERY": "0",
        # every subscriber comes from this one IP: lift the door's per-IP limits
        "CIVIC_WS_CONNECTIONS_PUBLIC": "1000000",
        "CIVIC_SUBSCRIPTIONS_PUBLIC": "1000000",
        "CIVIC_RATE_LIMIT_PUBLIC": "1000000/second",
    }
    profiler = ["-m", "cProfile", "-o", profile] if profile and ours else []
    command = (
        [sys.executable, *profiler, "-m", "civicgraph.cli", "serve", "--port", str(port)]
        if ours
        else [sys.executable, "-m", "bench.fanout", "--raw-server", str(port)]
    )
    quiet = subprocess.DEVNULL
    with subprocess.Popen(command, env=env, stdout=quiet, stderr=quiet) as server:
        try:
            if ours:
                wait_until_up(f"http://127.0.0.1:{port}/healthz")
            else:
                time.sleep(1.5)
            url = f"ws://127.0.0.1:{port}" + ("/graphql" if ours else "")
            spy_out = spy if ours else None
            return uvloop.run(drive(url, ours, server.pid, subscribers, rate, seconds, spy_out))
        finally:
            # a clean exit, so that cProfile writes; SIGTERM, not SIGINT: a bench started
            # in the background inherits SIGINT ignored, and the raw server kept running
            server.send_signal(signal.SIGTERM)


async def drained(tally: Tally, expected: int) -> None:
    """Return once every expected push has landed, or none has for DRAIN_IDLE_S (lost ones):
    a server behind at the end of publishing still owes its backlog, and its CPU to send it
    is counted with the pushes."""
    await asyncio.sleep(2)
    last, idle_since = tally.pushes, time.perf_counter()
    while tally.pushes < expected and time.perf_counter() - idle_since < DRAIN_IDLE_S:
        await asyncio.sleep(0.25)
        if tally.pushes != last:
            last, idle_since = tally.pushes, time.perf_counter()


async def drive(
    url: str,
    ours: bool,
    pid: int,
    subscribers: int,
    rate: float,
    seconds: float,
    spy_out: Path | None = None,
) -> Run:
    gus = gu_codes()
    pairs = [(gus[i % 25], SDOT_DATA_TYPES[(i // 25) % 17]) for i in range(subscribers)]
    tally = Tally()
    clients: list[Subscriber] = []
    for start in range(0, subscribers, 250):
        batch = pairs[start : start + 250]
        clients += await asyncio.gather(*(open_client(url, ours, g, t, tally) for g, t in batch))
    await asyncio.sleep(3)  # subscriptions registered
    per_gu = {g: sum(1 for p in pairs if p[0] == g) for g in gus}
    await publish(rate, 2, tally, gus, 0)  # warm-up, not counted
    await asyncio.sleep(1)
    tally.measuring = True
    cpu_before, client_before = cpu_seconds(pid), cpu_seconds(os.getpid())
    started = time.perf_counter()
    spy = pyprofile.record(pid, int(seconds) + 120, spy_out) if spy_out else None
    sent = await publish(rate, seconds, tally, gus, MEASURED_FROM)
    first = MEASURED_FROM + 1
    expected = sum(per_gu[gus[k % len(gus)]] for k in range(first, first + sent))
    await drained(tally, expected)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu_before
    client_cpu = cpu_seconds(os.getpid()) - client_before
    if spy is not None:
        spy.send_signal(signal.SIGINT)  # py-spy writes what it has when interrupted
        spy.wait(timeout=60)
    tally.measuring = False
    for client in clients:
        client.close()
    lat = sorted(tally.latencies) or [float("nan")]
    return Run(
        tally.pushes,
        expected,
        statistics.median(lat) * 1000,
        lat[max(0, int(len(lat) * 0.99) - 1)] * 1000,
        tally.pushes / elapsed,
        cpu,
        len(clients),
        cpu / elapsed,
        client_cpu / elapsed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", default="1000,10000")
    parser.add_argument("--rates", default="1,10", help="multiples of the real S-DoT rate")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--servers", default="raw,ours", help="which to run, in this order")
    parser.add_argument("--profile", help="run our server under cProfile, stats to this file")
    parser.add_argument(
        "--spy", type=Path, help="py-spy our server over the measured window, raw stacks here"
    )
    parser.add_argument("--raw-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw_server:
        uvloop.run(raw_server(args.raw_server))  # on uvloop, as uvicorn runs ours
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    header = (
        "subs   rate  server     pushes/expected   pushes/s   p50 ms   p99 ms   CPU s  CPU/push µs"
        "  cores: server client"
    )
    print(header)
    for subscribers in (int(n) for n in args.subscribers.split(",")):
        for rate in (float(r) for r in args.rates.split(",")):
            runs = {}
            for ours in (name == "ours" for name in args.servers.split(",")):
                run = measure(ours, subscribers, rate, args.seconds, args.profile, args.spy)
                runs[ours] = run
                name = "CivicGraph" if ours else "raw ws"
                per_push = run.cpu_s / max(run.pushes, 1) * 1e6
                print(
                    f"{subscribers:6d} {rate:4.0f}x  {name:10s} {run.pushes:8d}/{run.expected:<8d}"
                    f" {run.pushes_per_s:9.0f} {run.p50_ms:8.1f} {run.p99_ms:8.1f}"
                    f" {run.cpu_s:7.2f} {per_push:9.1f} {run.server_cores:14.2f}"
                    f" {run.client_cores:6.2f}"
                )
            if len(runs) < 2:
                continue
            raw, mine = runs[False], runs[True]
            ratio = (raw.cpu_s / max(raw.pushes, 1)) / (mine.cpu_s / max(mine.pushes, 1))
            print(f"{'':6s} {'':5s} ratio (raw CPU per push / ours): {ratio:.2f}x (target >= 0.5x)")
    if args.spy:
        print(pyprofile.summary(args.spy, 25))


if __name__ == "__main__":
    main()
