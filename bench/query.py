"""GraphQL req/s for the app query "latest readings of the sensors in a gu": the merged server vs a
raw ASGI hello and, with --gateways, vs the same query through each federation gateway.

    python -m bench.query [--seconds 10] [--connections 32]
    python -m bench.query --gateways [--profile DIR] [--data-dir DIR]
    python -m bench.query --apq [--data-dir DIR]
    python -m bench.query --usage [--seconds 10] [--data-dir DIR]
    python -m bench.query --snapshot-workers 2 [--data-dir DIR]

Starts one uvicorn worker (bench.asgi) on the seeded stores (CIVIC_DATA_DIR, default var/: run
`make run` or `civicgraph seed` first) and loads it with wrk from the same machine: the hello
baseline, then the GraphQL query by GET. With --gateways the merged server is stopped (LadybugDB
lets one process open the graph) and the subgraphs are served on the same stores by
`civicgraph.federation` (as `civicgraph federation up` does), with Hive Gateway, then Apollo's
gateway, in front; each gateway's figures are ratios against the merged server of the same run.
Per client request it also reports the subgraph requests and their time (each subgraph's
`/metrics`), store calls, and CPU of every process (/proc). --profile DIR repeats each load with
py-spy sampling the Python servers (`pip install -e '.[bench]'`) and the gateways under
`node --cpu-prof`, and prints where each spent its CPU during the load. --apq also loads the
same query as an automatic persisted query (Apollo APQ: GET with only the `persistedQuery`
extension's SHA-256, the text stored once beforehand) and gives its ratio against the full-text
GET of the same run. --snapshot-workers N also serves the same stores from N uvicorn workers
that each open the graph read-only, and gives their figures as ratios against the one worker:
they follow a writer's commits (docs/operations.md), but none runs here, so no read waits for a
reopen: the ceiling of serving from several processes while the graph is not written. --usage
measures the cost of usage counting per request: the same server with CIVIC_USAGE_COUNTING=0
and =1, alternately, twice each (server CPU µs and req/s per request, and their ratio), and the
counting alone in process (µs per call to record a call that touches one dataset).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.ports import free_port
from bench.wrk import WrkRun, require_wrk, run_wrk

QUERY = """{ district(code: "11680") { sensors { id kind
  latestReading { measuredAt values { dataType value unit } } } } }"""
HEADERS = {"apollo-require-preflight": "true"}
"""Apollo Server refuses a GET without a header a browser would preflight (its CSRF guard)."""
WARM_UP_S = 2


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not come up at {url}")


def wrk(url: str, seconds: int, connections: int) -> tuple[float, str]:
    """(req/s, p99 as wrk prints it) of GETting `url`; kept for the other benches."""
    run = run_wrk(url, seconds, connections)
    return run.rps, f"{run.p99_ms:.2f}ms"


def app_url(base: str) -> str:
    return f"{base}/graphql?query={urllib.parse.quote(QUERY)}"


def apq_extensions() -> str:
    """The `extensions` parameter of the app query as an Apollo persisted query (JSON)."""
    digest = hashlib.sha256(QUERY.encode()).hexdigest()
    return json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})


def apq_url(base: str) -> str:
    """The app query by its hash alone (GET), as Apollo Client's `useGETForHashedQueries`."""
    return f"{base}/graphql?extensions={urllib.parse.quote(apq_extensions())}"


def apq_figures(base: str, seconds: int, connections: int) -> tuple[WrkRun, WrkRun]:
    """(full text, hash alone) runs of the app query by GET on the server at `base`, each after
    a warm-up; the text is stored under its hash first (GET with both). SystemExit when the
    hash's answer differs from the text's."""
    stored = f"{app_url(base)}&extensions={urllib.parse.quote(apq_extensions())}"
    for url in (stored, apq_url(base)):
        request = urllib.request.Request(url, headers=HEADERS)
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
        if body.get("errors") or "latestReading" not in json.dumps(body):
            raise SystemExit(f"the APQ request failed at {base}: {json.dumps(body)[:300]}")
    runs = []
    for url in (app_url(base), apq_url(base)):
        run_wrk(url, WARM_UP_S, connections, HEADERS)
        runs.append(run_wrk(url, seconds, connections, HEADERS))
    return runs[0], runs[1]


def answer(base: str) -> object:
    """The app query's `data` from the server at `base`; SystemExit if it has errors."""
    request = urllib.request.Request(app_url(base), headers=HEADERS)
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.loads(response.read())
    if body.get("errors") or "latestReading" not in json.dumps(body):
        raise SystemExit(f"the app query failed at {base}: {json.dumps(body)[:300]}")
    return body["data"]


@dataclass
class Figures:
    """One target under load, per client request: the wrk run, GraphQL requests the CivicGraph
    processes served (by server), their time inside the apps (ms), store calls, CPU ms (by
    process, wrk included)."""

    run: WrkRun
    served: dict[str, float] = field(default_factory=dict)
    served_ms: float = 0.0
    store_calls: float = 0.0
    cpu_ms: dict[str, float] = field(default_factory=dict)


def measure(
    base: str,
    seconds: int,
    connections: int,
    servers: dict[str, str],
    pids: dict[str, int],
    shared_stores: bool = True,
) -> Figures:
    """Load `base`'s app query (after a warm-up) and divide what every process did by requests.

    `servers` maps a name to a CivicGraph base URL whose /metrics is read (none: no GraphQL
    counts); `pids` a name to a process whose CPU, its descendants' included, is read. With
    `shared_stores` the servers share one set of stores (one process), so store calls are read
    from the first only.
    """
    from bench.process_cpu import cpu_seconds
    from bench.server_metrics import scrape

    run_wrk(app_url(base), WARM_UP_S, connections, HEADERS)
    drained(servers)
    work_before = {name: scrape(url) for name, url in servers.items()}
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = run_wrk(app_url(base), seconds, connections, HEADERS)
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    drained(servers)
    cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    work = {name: scrape(url) - work_before[name] for name, url in servers.items()}
    # the servers finish the requests still in flight when wrk stops: one per connection
    n = run.requests + connections
    figures = Figures(run)
    figures.served = {name: w.requests / n for name, w in work.items()}
    figures.served_ms = sum(w.seconds for w in work.values()) * 1000 / n
    calls = [w.store_calls for w in work.values()]
    if calls:
        figures.store_calls = (calls[0] if shared_stores else sum(calls)) / n
    figures.cpu_ms = {name: (cpu_after[name] - cpu_before[name]) * 1000 / n for name in pids}
    wrk_cpu = wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime - wrk_before.ru_stime
    figures.cpu_ms["wrk"] = wrk_cpu * 1000 / n
    return figures


def drained(servers: dict[str, str], quiet_s: float = 1.0, at_most_s: float = 60) -> None:
    """Return once no server's GraphQL request count has moved for `quiet_s`."""
    from bench.server_metrics import scrape

    deadline = time.monotonic() + at_most_s
    last = [scrape(url).requests for url in servers.values()]
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = [scrape(url).requests for url in servers.values()]
        if now == last:
            return
        last = now


@contextmanager
def merged_server(env: dict[str, str], workers: int = 1) -> Iterator[str]:
    """`workers` uvicorn workers of bench.asgi (the merged app + /hello) on a free port: its
    base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", "bench.asgi:app", "--port", str(port)]
    argv += ["--log-level", "warning", "--no-access-log", "--workers", str(workers)]
    server = subprocess.Popen(argv, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/hello")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=60)


def merged_pid(base: str) -> int:
    """The pid listening at `base` (our uvicorn child), from the bench's own children."""
    from bench.process_cpu import descendants

    port = base.rsplit(":", 1)[1]
    for pid in descendants(os.getpid()):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"bench.asgi:app" in cmdline and port.encode() in cmdline:
            return pid
    raise SystemExit(f"cannot find the server process listening at {base}")


def print_figures(
    label: str, figures: Figures, merged: Figures | None, against: str = "merged"
) -> None:
    run = figures.run
    line = f"{label:<28}: {run.rps:8,.0f} req/s  p50 {run.p50_ms:7.1f} ms  p99 {run.p99_ms:7.1f} ms"
    if merged is not None:
        ratio = merged.run
        line += (
            f"  | x {against}: req/s {run.rps / ratio.rps:.3f}  "
            f"p50 {run.p50_ms / ratio.p50_ms:.2f}  p99 {run.p99_ms / ratio.p99_ms:.2f}"
        )
    print(line)
    if figures.served:
        served = ", ".join(f"{name} {count:.2f}" for name, count in figures.served.items() if count)
        print(f"{'':30}GraphQL requests served per client request: {served}")
        print(
            f"{'':30}time inside the CivicGraph apps {figures.served_ms:.1f} ms, "
            f"store calls {figures.store_calls:.2f}"
        )
    cpu = ", ".join(f"{name} {ms:.2f}" for name, ms in figures.cpu_ms.items())
    print(f"{'':30}CPU ms per client request: {cpu}")


def record_us(calls: int = 200_000) -> float:
    """µs of CPU to count one call touching one dataset in the tally, in process (no flush)."""
    from graph.usage import UsageTally

    tally = UsageTally(None)  # type: ignore[arg-type]  # never flushed here
    started = time.process_time()
    for _ in range(calls):
        mark = tally.mark("public", "public", "graphql")
        mark.name("LatestReadings")
        mark.touch("ds-sdot")
        tally.record(mark)
    return (time.process_time() - started) * 1e6 / calls


def usage_cost(args: argparse.Namespace, env: dict[str, str]) -> None:
    """The app query on the merged server without usage counting and with it, alternating
    (off, on, off, on) so that drift of a shared machine falls on both; prints per request the
    server's CPU µs and req/s of each, their difference and ratio."""
    runs: dict[str, list[Figures]] = {"off": [], "on": []}
    for counting in ("off", "on", "off", "on"):
        with merged_server(env | {"CIVIC_USAGE_COUNTING": str(int(counting == "on"))}) as base:
            answer(base)
            pids = {"server": merged_pid(base)}
            runs[counting].append(
                measure(base, args.seconds, args.connections, {"merged": base}, pids)
            )

    def mean(figures: list[Figures], of: str) -> float:
        if of == "rps":
            return sum(f.run.rps for f in figures) / len(figures)
        return sum(f.cpu_ms["server"] for f in figures) / len(figures) * 1000

    off_us, on_us = mean(runs["off"], "cpu"), mean(runs["on"], "cpu")
    off_rps, on_rps = mean(runs["off"], "rps"), mean(runs["on"], "rps")
    print(f"{'usage counting off':<28}: {off_rps:8,.0f} req/s  server CPU {off_us:7.0f} µs/request")
    print(f"{'usage counting on':<28}: {on_rps:8,.0f} req/s  server CPU {on_us:7.0f} µs/request")
    print(
        f"{'cost of usage counting':<28}: {on_us - off_us:+.0f} µs CPU per request, "
        f"ratio on/off: CPU {on_us / off_us:.3f}, req/s {on_rps / off_rps:.3f}"
    )
    print(f"{'recording one call alone':<28}: {record_us():.2f} µs (in process, no flush)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--gateways",
        nargs="?",
        const="hive,apollo,hive-dedupe",
        default="",
        help="also through these gateways over the subgraphs (hive, apollo, hive-dedupe; "
        "default when given: all three)",
    )
    parser.add_argument(
        "--apq",
        action="store_true",
        help="also the app query by its APQ hash alone vs as full text (GET, same server)",
    )
    parser.add_argument(
        "--snapshot-workers",
        type=int,
        default=0,
        metavar="N",
        help="also N uvicorn workers that each open the graph read-only (no writer: what "
        "several processes give while the graph is not written)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        metavar="N",
        help="also `civicgraph serve --workers N` against --workers 1 (needs a redis:// "
        "CIVIC_BUS_URL; bench/query_workers.py)",
    )
    parser.add_argument(
        "--filings",
        type=float,
        default=0.0,
        metavar="R",
        help="with --workers: Open311 filings per second through the same port meanwhile",
    )
    parser.add_argument("--profile", type=Path, help="profile each side into this folder")
    parser.add_argument("--data-dir", type=Path, help="the seeded city (default CIVIC_DATA_DIR)")
    parser.add_argument(
        "--usage", action="store_true", help="only the cost of usage counting per request"
    )
    args = parser.parse_args()
    require_wrk()
    from bench.federation_run import GATEWAY_VARIANTS, bench_environment

    env = bench_environment(args.data_dir)
    os.environ.update(env)  # Settings() and every child read the same stores and limits
    kinds = [kind for kind in args.gateways.split(",") if kind]
    unknown = sorted(set(kinds) - set(GATEWAY_VARIANTS))
    if unknown:
        parser.error(f"--gateways: unknown {', '.join(unknown)} (hive, apollo, hive-dedupe)")
    started = datetime.now(UTC)
    if args.usage:
        print(
            f"{started:%Y-%m-%d %H:%M} UTC, {platform.machine()} {os.cpu_count()} cores, "
            f"python {platform.python_version()}, wrk -t1 -c{args.connections} -d{args.seconds}s"
        )
        usage_cost(args, env)
        return
    with merged_server(env) as base:
        merged_data = answer(base)
        run_wrk(f"{base}/hello", WARM_UP_S, args.connections)
        hello = run_wrk(f"{base}/hello", args.seconds, args.connections)
        pids = {"server": merged_pid(base)}
        merged = measure(base, args.seconds, args.connections, {"merged": base}, pids)
        apq = apq_figures(base, args.seconds, args.connections) if args.apq else None
    snapshot = snapshot_figures(env, args, merged_data) if args.snapshot_workers else None
    served = None
    if args.workers:
        from bench.query_workers import workers_figures

        served = workers_figures(
            env, args.workers, args.seconds, args.connections, args.filings, merged_data
        )
    federated = {kind: gateway_figures(kind, merged_data, args) for kind in kinds}
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, {platform.machine()} {os.cpu_count()} cores, "
        f"python {platform.python_version()}, wrk -t1 -c{args.connections} -d{args.seconds}s"
    )
    print(f"{'raw ASGI hello':<28}: {hello.rps:8,.0f} req/s  p99 {hello.p99_ms:7.1f} ms")
    print_figures("merged server (app query)", merged, None)
    print(f"{'ratio app/hello':<28}: {merged.run.rps / hello.rps:.3f}")
    if apq is not None:
        text, hashed = apq
        for label, run in (
            ("app query, full text (GET)", text),
            ("app query, APQ hash (GET)", hashed),
        ):
            print(
                f"{label:<28}: {run.rps:8,.0f} req/s  p50 {run.p50_ms:7.1f} ms  "
                f"p99 {run.p99_ms:7.1f} ms"
            )
        print(
            f"{'ratio APQ hash/full text':<28}: req/s {hashed.rps / text.rps:.3f}  "
            f"p50 {hashed.p50_ms / text.p50_ms:.2f}  p99 {hashed.p99_ms / text.p99_ms:.2f}"
        )
    if snapshot is not None:
        print_figures(f"{args.snapshot_workers} read-only workers", snapshot, merged)
        print(f"{'':30}(no writer runs: none reopens the graph, a ceiling)")
    if served is not None:
        one, many, filed = served
        print_figures("serve --workers 1", one, merged)
        print_figures(f"serve --workers {args.workers}", many, one, "--workers 1")
        print(
            f"{'':30}(each with the Redis bus; "
            f"{len(filed)} filings meanwhile, {filed.count(201)} answered 201)"
        )
    for kind, figures in federated.items():
        print_figures(f"{kind} gateway + subgraphs", figures, merged)
    if args.profile is not None:
        profile(args, env, kinds)


def snapshot_figures(env: dict[str, str], args: argparse.Namespace, merged_data: object) -> Figures:
    """The app query on `args.snapshot_workers` uvicorn workers of bench.asgi, each with the
    graph opened read-only (CIVIC_GRAPH_READ_ONLY, as docs/operations.md's followers), the
    merged server stopped first; CPU of the supervisor and its workers. SystemExit when the answer
    differs from the merged server's."""
    read_only = env | {"CIVIC_GRAPH_READ_ONLY": "1"}
    with merged_server(read_only, workers=args.snapshot_workers) as base:
        if answer(base) != merged_data:
            raise SystemExit("the read-only workers' answer differs from the merged server's")
        return measure(base, args.seconds, args.connections, {}, {"workers": merged_pid(base)})


def gateway_figures(kind: str, merged_data: object, args: argparse.Namespace) -> Figures:
    """The app query through gateway `kind` over freshly started subgraphs; SystemExit when its
    answer differs from the merged server's."""
    from bench.federation_run import GATEWAY_VARIANTS, gateway_up, subgraphs_up
    from civicgraph.settings import Settings

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-{kind}-")))
        subgraphs = stack.enter_context(subgraphs_up(Settings(), os.environ, work))
        base, gateway = stack.enter_context(gateway_up(subgraphs, GATEWAY_VARIANTS[kind]))
        if answer(base) != merged_data:
            raise SystemExit(f"the {kind} gateway's answer differs from the merged server's")
        servers = {a.name: a.base_url for a in subgraphs.addresses}
        pids = {"gateway": gateway.process.pid}
        pids |= {c.name: c.process.pid for c in subgraphs.processes}
        shared_stores = len(subgraphs.processes) == 1
        return measure(base, args.seconds, args.connections, servers, pids, shared_stores)


def profile(args: argparse.Namespace, env: dict[str, str], kinds: list[str]) -> None:
    """Repeat each load (after a warm-up) while py-spy samples the Python servers and the gateway
    runs under `node --cpu-prof` (files in args.profile); print where each spent its CPU during
    the load."""
    from bench import cpuprofile, pyprofile
    from bench.federation_run import GATEWAY_VARIANTS, gateway_up, subgraphs_up
    from civicgraph.settings import Settings

    out: Path = args.profile.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with merged_server(env) as base:
        run_wrk(app_url(base), WARM_UP_S, args.connections, HEADERS)
        spy = pyprofile.record(merged_pid(base), args.seconds, out / "merged.txt")
        run_wrk(app_url(base), args.seconds, args.connections, HEADERS)
        spy.wait()
    print(pyprofile.summary(out / "merged.txt"))
    for kind in kinds:
        node_dir = out / f"gateway-{kind}"
        with ExitStack() as stack:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-{kind}-")))
            subgraphs = stack.enter_context(subgraphs_up(Settings(), os.environ, work))
            gateway = gateway_up(subgraphs, GATEWAY_VARIANTS[kind], node_dir)
            base, _process = stack.enter_context(gateway)
            run_wrk(app_url(base), WARM_UP_S, args.connections, HEADERS)
            spies = [
                pyprofile.record(c.process.pid, args.seconds, out / f"{kind}-{c.name}.txt")
                for c in subgraphs.processes
            ]
            window = (time.monotonic() * 1e6, 0.0)
            run_wrk(app_url(base), args.seconds, args.connections, HEADERS)
            window = (window[0], time.monotonic() * 1e6)
            for spy in spies:
                spy.wait()
        for node_profile in sorted(node_dir.glob("*.cpuprofile")):
            print(cpuprofile.summary(node_profile, window_us=window))
        for c in subgraphs.processes:
            print(pyprofile.summary(out / f"{kind}-{c.name}.txt"))


if __name__ == "__main__":
    main()
