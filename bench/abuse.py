"""Abuse: what refusing a too-costly query costs, and a normal query's p99 while abuse arrives.

    python -m bench.abuse [--seconds 10] [--abusers 4] [--scale 0.01]

Seeds a scratch city in a temporary folder, then:
1. times the static cost function alone on the issue's two hostile documents, and many
   refusals of them through the whole ASGI app in this process (no server, no network);
2. starts `civicgraph serve` on that city and measures the README's main query, sent one at a
   time with an operator key (its rate limit lifted), alone and then while another process
   sends abusive requests without a key as fast as it can: too costly (nested `adjacent`, 30
   aliases of every dong's boundary), too deep, too many aliases, an oversized body. It prints
   both p99 latencies, their ratio, and what refused the abusive requests. This runs twice:
   with the default public rate limit (the limiter refuses most abuse first), and with it
   lifted (every abusive request reaches the GraphQL door and the cost analysis).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from graphql import parse

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import open_stores
from graph.records import api_keys
from graph.records.api_keys import Tier
from resolvers.core.cost.analysis import CostLimits, operation_cost
from resolvers.core.cost.bounds import ListBounds
from resolvers.schema import build_schema

NORMAL = """{
  district(code: "11680") {
    nameEn nameKo population areaKm2
    adjacent { code nameEn }
    sensors { id kind latestReading { measuredAt value(dataType: PM25) } }
  }
  sensors(filter: { near: { lat: 37.5115, lon: 127.0595, radiusM: 2000 } }, first: 10) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id kind districtCode } }
  }
  cases(filter: { district: ["11110"], status: [OPEN] }, first: 5) {
    edges { node { id serviceName requestedAt department { nameEn } events { kind at } } }
  }
}"""
"""The README's main query."""
NESTED = '{ district(code: "11680") { ' + "adjacent { " * 10 + "code" + " }" * 10 + " } }"
ALIASES = (
    "{ " + " ".join(f"a{i}: districts(level: DONG) {{ code boundary }}" for i in range(30)) + " }"
)
DEEP = '{ district(code: "11680") { ' + "parent { " * 20 + "code" + " }" * 20 + " } }"
MANY_ALIASES = "{ " + " ".join(f"a{i}: districts {{ code }}" for i in range(40)) + " }"
OVERSIZED = "{ districts { code } }" + " " * (2 * 1024 * 1024)
ABUSE = {
    "too costly: 10 nested adjacent": NESTED,
    "too costly: 30 aliases of dong boundaries": ALIASES,
    "too deep: 20 nested parent": DEEP,
    "too many aliases: 40": MANY_ALIASES,
    "oversized: 2 MiB document": OVERSIZED,
}
LIFTED = "1000000/second"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


# -- part 1: the cost of a refusal, in this process --------------------------------------------


def cost_function_us() -> dict[str, float]:
    """µs per call of the cost function alone on each hostile document (parsed once)."""
    schema = build_schema()._schema
    limits = CostLimits(ListBounds())
    out = {}
    for name, text in (("nested adjacent", NESTED), ("30 aliases", ALIASES)):
        document = parse(text)
        runs = 2_000
        seconds = timeit.timeit(
            lambda d=document: operation_cost(schema, d, None, None, limits), number=runs
        )
        out[name] = seconds / runs * 1e6
    return out


async def refusals_in_process(settings: Settings, runs: int) -> tuple[dict[str, float], str]:
    """µs per request through the ASGI app: refused hostile documents vs a tiny answered one.

    Also creates the operator key the served part uses (returned).
    """
    stores = await open_stores(settings)
    try:
        key = (await api_keys.create_key(stores.records, "bench abuse", Tier.OPERATOR)).secret
        app = create_app(settings, stores)
        out = {}
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                for name, text in (
                    ("refused: nested adjacent", NESTED),
                    ("refused: 30 aliases", ALIASES),
                    ("answered: { __typename }", "{ __typename }"),
                ):
                    response = await http.post("/graphql", json={"query": text})
                    assert response.status_code < 500, response.text
                    start = time.perf_counter()
                    for _ in range(runs):
                        await http.post("/graphql", json={"query": text})
                    out[name] = (time.perf_counter() - start) / runs * 1e6
        return out, key
    finally:
        await stores.close()


# -- part 2: a served city under abuse ---------------------------------------------------------


async def normal_client(base: str, key: str, seconds: float) -> list[float]:
    """Latencies (ms) of the main query sent one after another for `seconds`."""
    latencies = []
    headers = {"X-API-Key": key}
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            start = time.perf_counter()
            response = await http.post("/graphql", json={"query": NORMAL}, headers=headers)
            latencies.append((time.perf_counter() - start) * 1000)
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                raise SystemExit(f"the normal query failed: {response.status_code} {body}")
    return latencies


def outcome(response: httpx.Response) -> str:
    code = "-"
    try:
        errors = response.json().get("errors") or []
        code = errors[0].get("extensions", {}).get("code", "-") if errors else "-"
    except ValueError:
        pass
    return f"{response.status_code} {code}"


async def abuse(base: str, workers: int, seconds: float) -> Counter[str]:
    """Abusive requests from `workers` tasks, no key, cycling through ABUSE, as fast as
    possible; counts of (kind, status, code)."""
    seen: Counter[str] = Counter()
    kinds = list(ABUSE.items())

    async def worker(n: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            deadline, i = time.monotonic() + seconds, n
            while time.monotonic() < deadline:
                name, text = kinds[i % len(kinds)]
                i += 1
                try:
                    response = await http.post("/graphql", json={"query": text})
                    seen[f"{name} -> {outcome(response)}"] += 1
                except httpx.HTTPError as error:
                    seen[f"{name} -> {type(error).__name__}"] += 1

    await asyncio.gather(*(worker(n) for n in range(workers)))
    return seen


def abuse_process(base: str, workers: int, seconds: float, queue: Any) -> None:
    queue.put(dict(asyncio.run(abuse(base, workers, seconds))))


def served(
    env: Mapping[str, str], key: str, seconds: float, workers: int
) -> tuple[list[float], list[float], dict[str, int]]:
    """The main query's latencies alone, then under abuse, on one `civicgraph serve`."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "civicgraph.cli", "serve", "--port", str(port)]
    with subprocess.Popen(command, env=dict(env), stdout=subprocess.DEVNULL) as server:
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("civicgraph serve did not come up")
                time.sleep(0.3)
            asyncio.run(normal_client(base, key, 2))  # warm-up
            alone = asyncio.run(normal_client(base, key, seconds))
            queue: Any = multiprocessing.get_context("spawn").Queue()
            abuser = multiprocessing.get_context("spawn").Process(
                target=abuse_process, args=(base, workers, seconds, queue)
            )
            abuser.start()
            time.sleep(0.5)  # let the abuse start first
            under = asyncio.run(normal_client(base, key, seconds - 1))
            refused: dict[str, int] = queue.get(timeout=120)
            abuser.join(timeout=60)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return alone, under, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--abusers", type=int, default=4, help="concurrent abusive requests")
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--runs", type=int, default=500, help="in-process refusals to time")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="civic-abuse-"))
    env = {
        **os.environ,
        "CIVIC_DATA_DIR": str(data),
        "CIVIC_SIMULATOR": "0",
        "CIVIC_RATE_LIMIT_OPERATOR": LIFTED,
    }
    env.pop("CIVIC_GRAPH_URL", None)
    env.pop("CIVIC_DB_URL", None)
    env.pop("CIVIC_BUS_URL", None)
    try:
        seed = [sys.executable, "-m", "civicgraph.cli", "seed", "--scale", str(args.scale)]
        subprocess.run([*seed, "--history-days", "1"], env=env, check=True)
        print(
            f"machine: {platform.machine()} {os.cpu_count()} cores, "
            f"python {platform.python_version()}, scale {args.scale}"
        )
        print("\n1. the cost of a refusal (this process)")
        for name, us in cost_function_us().items():
            print(f"   cost function alone, {name:<17}: {us:8.1f} µs")
        settings = Settings(
            data_dir=data,
            simulator=False,
            rate_limit_public=LIFTED,
            rate_limit_operator=LIFTED,
        )
        timings, key = asyncio.run(refusals_in_process(settings, args.runs))
        for name, us in timings.items():
            print(f"   through the ASGI app, {name:<25}: {us:8.1f} µs/request")
        for title, public_limit in (
            ("default public rate limit", None),
            ("public rate limit lifted", LIFTED),
        ):
            run_env = dict(env)
            if public_limit:
                run_env["CIVIC_RATE_LIMIT_PUBLIC"] = public_limit
            alone, under, refused = served(run_env, key, args.seconds, args.abusers)
            print(f"\n2. served, {title}: the README's main query, one at a time")
            print(
                f"   alone      : {len(alone):5d} requests, p50 {statistics.median(alone):6.1f} ms,"
                f" p99 {p99(alone):6.1f} ms"
            )
            print(
                f"   under abuse: {len(under):5d} requests, p50 {statistics.median(under):6.1f} ms,"
                f" p99 {p99(under):6.1f} ms"
            )
            print(f"   p99 ratio under abuse / alone: {p99(under) / p99(alone):.2f}")
            total = sum(refused.values())
            print(f"   abusive requests ({args.abusers} at a time): {total}, refused by:")
            for line, count in sorted(refused.items()):
                print(f"     {count:6d}  {line}")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
