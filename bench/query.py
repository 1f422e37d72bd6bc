"""GraphQL req/s for the app query "latest readings of the sensors in a gu" vs a raw ASGI hello.

    python -m bench.query [--seconds 10] [--connections 32]

Starts one uvicorn worker (bench.asgi) on the seeded stores under var/ (run `make run` or
`civicgraph seed` first) and loads it with wrk from the same machine: the hello baseline, then
the GraphQL query by GET. Both figures come from the same server in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

QUERY = """{ district(code: "11680") { sensors { id kind
  latestReading { measuredAt values { dataType value unit } } } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None or "Non-2xx" in out:
        raise SystemExit(f"wrk failed or saw errors:\n{out}")
    latency = re.search(r"99%\s+(\S+)", out)
    return float(match.group(1)), latency.group(1) if latency else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.asgi:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/hello")
        app_url = f"{base}/graphql?query={urllib.parse.quote(QUERY)}"
        with urllib.request.urlopen(app_url) as response:
            body = response.read().decode()
        if '"errors"' in body or '"latestReading"' not in body:
            raise SystemExit(f"the app query failed: {body[:300]}")
        wrk(f"{base}/hello", 2, args.connections)  # warm-up
        hello_rps, hello_p99 = wrk(f"{base}/hello", args.seconds, args.connections)
        wrk(app_url, 2, args.connections)
        app_rps, app_p99 = wrk(app_url, args.seconds, args.connections)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(f"raw ASGI hello     : {hello_rps:10,.0f} req/s  p99 {hello_p99}")
    print(f"GraphQL app query  : {app_rps:10,.0f} req/s  p99 {app_p99}  (target >= 1,100)")
    print(f"ratio app/hello    : {app_rps / hello_rps:.3f}")


if __name__ == "__main__":
    main()
