"""Abuse: what a refusal costs the server, where that time goes, and a normal query's p99 while
abusive requests arrive.

    python -m bench.abuse [--seconds 10] [--abusers 4] [--scale 0.01] [--runs 500]

Seeds a scratch city in a temporary folder, then:
1. times the static cost function alone on the two hostile documents of issue 13;
2. sends each probe (bench/abuse_probes.py: 429, 401, 413, parse error, depth and alias
   validation, query_too_costly, and the smallest answered query) through the ASGI app in this
   process, with no server and no client: CPU µs per request, and a cProfile summary of where
   it goes;
3. starts `civicgraph serve` pinned to core 0 (this process and the load generators on core
   1), sends each probe many times and reads the server's CPU time (utime + stime from
   /proc/<pid>/stat, less its idle rate) per request, as a ratio to the smallest answered
   query measured in the same run;
4. on the same server, the README's main query one at a time with an operator key, alone and
   while another process (nice 19, core 1) sends abusive requests without a key as fast as it
   can: both p99 latencies, their ratio, the server's CPU use, and what refused the abuse.
Steps 3 and 4 run twice: with the default public rate limit (the door refuses most abuse with
429) and with it lifted (every abusive request reaches the GraphQL door and the cost analysis).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from graphql import parse

from bench.abuse_probes import ABUSE, ALIASES, NESTED, NORMAL, PROBES, Probe, outcome
from bench.abuse_profile import Profiled, profile_probe
from bench.ports import free_port
from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import open_stores
from graph.records import api_keys
from graph.records.api_keys import Tier
from resolvers.core.cost.analysis import CostLimits, operation_cost
from resolvers.core.cost.bounds import ListBounds
from resolvers.schema import build_schema

LIFTED = "1000000/second"
SERVER_CORE = 0
CLIENT_CORE = 1
TICKS = os.sysconf("SC_CLK_TCK")


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def pin(core: int) -> None:
    """Run this process (and the threads and children it starts later) on `core` only."""
    os.sched_setaffinity(0, {core})


def cpu_seconds(pid: int) -> float:
    """utime + stime of process `pid`, every thread (proc(5): fields 14 and 15 of stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


# -- 1. the cost function alone -----------------------------------------------------------------


def cost_function_us() -> dict[str, float]:
    """µs per call of the cost function alone on each hostile document (parsed once)."""
    schema = build_schema()._schema
    limits = CostLimits(ListBounds())
    out = {}
    for name, text in (("10 nested adjacent", NESTED), ("30 aliases of boundaries", ALIASES)):
        document = parse(text)
        runs = 2_000
        seconds = timeit.timeit(
            lambda d=document: operation_cost(schema, d, None, None, limits), number=runs
        )
        out[name] = seconds / runs * 1e6
    return out


# -- 2. in this process, no server, no client ---------------------------------------------------


async def in_process(settings: Settings, runs: int) -> tuple[dict[str, Profiled], str]:
    """Each probe through the app (the limited one for 429); also creates the operator key the
    served part uses (returned)."""
    stores = await open_stores(settings)
    try:
        key = (await api_keys.create_key(stores.records, "bench abuse", Tier.OPERATOR)).secret
        out: dict[str, Profiled] = {}
        for limited in (False, True):
            quota = "1/hour" if limited else LIFTED
            app = create_app(
                settings.model_copy(
                    update={"rate_limit_public": quota, "rate_limit_auth_failures": quota}
                ),
                stores,
            )
            async with app.router.lifespan_context(app):
                for probe in PROBES:
                    if probe.limited != limited:
                        continue
                    if limited:  # use up the quota
                        with contextlib.suppress(SystemExit):
                            await profile_probe(app, probe, 0)
                    out[probe.name] = await profile_probe(app, probe, runs)
        return out, key
    finally:
        await stores.close()


# -- 3. and 4. served ---------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    pid: int


@contextlib.contextmanager
def serving(env: Mapping[str, str]) -> Iterator[Server]:
    """`civicgraph serve` on a free port, pinned to SERVER_CORE, until the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "civicgraph.cli", "serve", "--port", str(port)]
    with subprocess.Popen(
        command,
        env=dict(env),
        stdout=subprocess.DEVNULL,
    ) as server:
        try:
            os.sched_setaffinity(server.pid, {SERVER_CORE})  # before it starts any thread
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
            yield Server(base, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)


def idle_rate(server: Server, seconds: float = 2.0) -> float:
    """The server's CPU seconds per second while nobody calls it."""
    before = cpu_seconds(server.pid)
    time.sleep(seconds)
    return (cpu_seconds(server.pid) - before) / seconds


async def send_many(
    base: str, probe: Probe, seconds: float, most: int, concurrency: int = 4
) -> tuple[int, Counter[str]]:
    """Send `probe` from `concurrency` connections until `most` requests or `seconds` pass."""
    seen: Counter[str] = Counter()
    sent = 0
    deadline = time.monotonic() + seconds
    headers = {"content-type": "application/json", **probe.headers}

    async def worker() -> None:
        nonlocal sent
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while sent < most and time.monotonic() < deadline:
                sent += 1
                response = await http.post("/graphql", content=probe.body, headers=headers)
                seen[outcome(response.status_code, response.content)] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sent, seen


def served_cpu_us(
    server: Server, probes: list[Probe], idle: float, seconds: float
) -> dict[str, tuple[float, int, str]]:
    """Server CPU µs per request for each probe: (µs, requests, answers seen)."""
    out = {}
    for probe in probes:
        asyncio.run(send_many(server.base, probe, 1, 50))  # warm-up (and uses up quotas)
        before, started = cpu_seconds(server.pid), time.monotonic()
        count, seen = asyncio.run(send_many(server.base, probe, seconds, 3_000))
        elapsed = time.monotonic() - started
        used = cpu_seconds(server.pid) - before - idle * elapsed
        answers = ", ".join(f"{n} x {what}" for what, n in seen.most_common())
        out[probe.name] = (used / count * 1e6, count, answers)
    return out


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
                    seen[f"{name} -> {outcome(response.status_code, response.content)}"] += 1
                except httpx.HTTPError as error:
                    seen[f"{name} -> {type(error).__name__}"] += 1

    await asyncio.gather(*(worker(n) for n in range(workers)))
    return seen


def abuse_process(base: str, workers: int, seconds: float, queue: Any) -> None:
    pin(CLIENT_CORE)
    os.nice(19)  # the normal client, on the same core, goes first
    queue.put(dict(asyncio.run(abuse(base, workers, seconds))))


@dataclass
class Latencies:
    alone: list[float]
    under: list[float]
    refused: dict[str, int]
    cpu_alone: float
    """The server's CPU seconds per wall second, normal query alone."""
    cpu_under: float


def under_abuse(server: Server, key: str, seconds: float, workers: int) -> Latencies:
    """The main query's latencies alone, then under abuse."""
    asyncio.run(normal_client(server.base, key, 2))  # warm-up
    before, started = cpu_seconds(server.pid), time.monotonic()
    alone = asyncio.run(normal_client(server.base, key, seconds))
    cpu_alone = (cpu_seconds(server.pid) - before) / (time.monotonic() - started)
    queue: Any = multiprocessing.get_context("spawn").Queue()
    abuser = multiprocessing.get_context("spawn").Process(
        target=abuse_process, args=(server.base, workers, seconds, queue)
    )
    abuser.start()
    time.sleep(1.5)  # let the abuse start first (spawning imports take a second)
    before, started = cpu_seconds(server.pid), time.monotonic()
    under = asyncio.run(normal_client(server.base, key, seconds - 2))
    cpu_under = (cpu_seconds(server.pid) - before) / (time.monotonic() - started)
    refused: dict[str, int] = queue.get(timeout=120)
    abuser.join(timeout=60)
    return Latencies(alone, under, refused, cpu_alone, cpu_under)


def print_in_process(results: dict[str, Profiled]) -> None:
    baseline = results[PROBES[0].name].cpu_us
    for name, found in results.items():
        print(f"   {name:<44}: {found.cpu_us:8.1f} µs  ({found.cpu_us / baseline:4.2f}x)")
    for name, found in results.items():
        print(f"\n   where {name} goes (share of own time):")
        print("     packages : " + ", ".join(f"{s:.0%} {n}" for s, n in found.packages))
        for share, function in found.functions:
            print(f"     {share:5.1%}  {function}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--abusers", type=int, default=4, help="concurrent abusive requests")
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--runs", type=int, default=500, help="in-process requests per probe")
    parser.add_argument("--probe-seconds", type=float, default=3, help="served, per probe")
    args = parser.parse_args()
    pin(CLIENT_CORE)
    data = Path(tempfile.mkdtemp(prefix="civic-abuse-"))
    env = {
        **os.environ,
        "CIVIC_DATA_DIR": str(data),
        "CIVIC_SIMULATOR": "0",
        "CIVIC_RATE_LIMIT_OPERATOR": LIFTED,
    }
    for name in ("CIVIC_GRAPH_URL", "CIVIC_DB_URL", "CIVIC_BUS_URL"):
        env.pop(name, None)
    try:
        seed = [sys.executable, "-m", "civicgraph.cli", "seed", "--scale", str(args.scale)]
        # the city alone: the abuse figures read no poll, certificate or contract
        subprocess.run([*seed, "--history-days", "1", "--no-activity"], env=env, check=True)
        print(
            f"machine: {platform.machine()} {os.cpu_count()} cores, "
            f"python {platform.python_version()}, scale {args.scale}; "
            f"server on core {SERVER_CORE}, clients on core {CLIENT_CORE}"
        )
        print("\n1. the cost function alone")
        for name, us in cost_function_us().items():
            print(f"   {name:<44}: {us:8.1f} µs")
        settings = Settings(data_dir=data, simulator=False, rate_limit_operator=LIFTED)
        results, key = asyncio.run(in_process(settings, args.runs))
        print("\n2. through the ASGI app in this process (no server, no client): CPU per request")
        print_in_process(results)
        baseline = 0.0  # the smallest answer's server CPU, measured on the lifted server
        for title, lifted in (("public rate limit lifted", True), ("default rate limits", False)):
            run_env = dict(env)
            if lifted:
                run_env["CIVIC_RATE_LIMIT_PUBLIC"] = LIFTED
                run_env["CIVIC_RATE_LIMIT_AUTH_FAILURES"] = LIFTED
            with serving(run_env) as server:
                idle = idle_rate(server)
                probes = [p for p in PROBES if p.limited != lifted]
                cpu = served_cpu_us(server, probes, idle, args.probe_seconds)
                print(f"\n3. served, {title}: server CPU per request (idle {idle:.3f} s/s)")
                baseline = baseline or cpu[PROBES[0].name][0]
                for name, (us, count, answers) in cpu.items():
                    print(
                        f"   {name:<44}: {us:8.1f} µs ({us / baseline:4.2f}x) "
                        f"over {count} requests: {answers}"
                    )
                found = under_abuse(server, key, args.seconds, args.abusers)
            print(f"\n4. served, {title}: the README's main query, one at a time")
            for label, samples, share in (
                ("alone", found.alone, found.cpu_alone),
                ("under abuse", found.under, found.cpu_under),
            ):
                print(
                    f"   {label:<11}: {len(samples):5d} requests, p50 "
                    f"{statistics.median(samples):6.1f} ms, p99 {p99(samples):6.1f} ms, "
                    f"server CPU {share:.0%} of its core"
                )
            print(f"   p99 ratio under abuse / alone: {p99(found.under) / p99(found.alone):.2f}")
            total = sum(found.refused.values())
            print(f"   abusive requests ({args.abusers} at a time): {total}, answered:")
            for line, count in sorted(found.refused.items()):
                print(f"     {count:6d}  {line}")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
