"""The four models: training time and rows scored per second beside each baseline's, measured in
the same run, and the latency of routing one filed complaint.

    python -m bench.ml [--models routing water outbreak hotspots] [--scale S] [--routing-year]
                       [--single 2000] [--json out.json]

For each model, `train(scale)` of its module draws the generator's data, fits the model, runs the
baselines on the same evaluation draws and reports its `Speed` (ml.trained): fit seconds and rows
per second of the model beside each baseline's, and the whole `train` (generate, fit, calibrate,
evaluate) timed here. `--scale` overrides every model's default (the small scale `make run`
trains); `--routing-year` trains routing at scale 1.0, a year of Seoul's complaints (1.2 million;
target < 5 minutes here). Then routing's single-complaint latency: `RoutingModel.route` on
`--single` complaints of an evaluation draw one at a time (p50, p99; target: routing adds < 10 ms
at p99 to a filing), beside the batch rate of the same complaints.
Figures go to bench/README.md ("Models") with the machine and the date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ml.catalogue import MODELS, module_of
from ml.registry import Registry
from ml.routing import RoutingModel
from ml.trained import TrainedModel
from seeds.complaints import generate


def _ratio(model: float, baseline: float) -> str:
    return f"{model / baseline:.2g}×" if baseline > 0 else "n/a"


def train_one(name: str, scale: float | None) -> tuple[TrainedModel, float, float]:
    """Train `name` at `scale` (its default when None); (model, wall seconds, scale used)."""
    module = module_of(name)
    used = module.DEFAULT_SCALE if scale is None else scale
    started = time.perf_counter()
    trained = module.train(scale=used, seed=0, progress=lambda step, done: None)
    return trained, time.perf_counter() - started, used


def report(name: str, trained: TrainedModel, wall: float, scale: float) -> dict[str, Any]:
    """Print one model's figures; return them as JSON-able data."""
    print(
        f"\n{name} at scale {scale:g}: whole train {wall:.1f} s "
        f"({trained.data.train_rows:,} training rows, {trained.data.eval_rows:,} evaluated)"
    )
    for c in trained.comparisons:
        baselines = ", ".join(f"{k} {v:.3g}" for k, v in c.baselines.items())
        print(
            f"  {c.metric}: model {c.model:.3g} | {baselines} | target {c.target} | "
            f"{'met' if c.met else 'MISSED'}"
        )
    speed = trained.speed
    figures: dict[str, Any] = {"scale": scale, "train_wall_s": round(wall, 2)}
    if speed is not None:
        model_fit = speed.fit_seconds["model"]
        model_rate = speed.rows_per_second["model"]
        for baseline, seconds in speed.fit_seconds.items():
            if baseline == "model":
                continue
            rate = speed.rows_per_second.get(baseline, 0.0)
            print(
                f"  vs {baseline}: fit {model_fit:.2f} s vs {seconds:.2f} s; scoring "
                f"{model_rate:,.0f} vs {rate:,.0f} {speed.unit}/s "
                f"({_ratio(model_rate, rate)} the baseline's rate)"
            )
        figures["speed"] = {
            "unit": speed.unit,
            "fit_seconds": dict(speed.fit_seconds),
            "rows_per_second": dict(speed.rows_per_second),
        }
    figures["metrics"] = {
        c.metric: {"model": c.model, "baselines": dict(c.baselines), "met": c.met}
        for c in trained.comparisons
    }
    return figures


def single_routing(trained: TrainedModel, count: int) -> dict[str, float]:
    """Route `count` complaints one call at a time through the stored model; latency figures."""
    with tempfile.TemporaryDirectory() as folder:
        registry = Registry(Path(folder))
        router = RoutingModel.from_stored(registry.add(trained))
    complaints, _ = generate(min(1.0, max(count / 1_200_000, 1e-5)), seed=20_000)
    n = min(count, len(complaints.text))
    times = [
        datetime.fromtimestamp(int(t), UTC)
        for t in complaints.at[:n].astype("datetime64[s]").astype(np.int64)
    ]
    rows = list(
        zip(
            complaints.text[:n],
            complaints.channel[:n],
            complaints.district_code[:n],
            times,
            strict=True,
        )
    )
    for text, channel, gu, at in rows[:50]:  # warm-up: first calls allocate
        router.route(text, str(channel), str(gu), at)
    latencies = []
    for text, channel, gu, at in rows:
        started = time.perf_counter()
        router.route(text, str(channel), str(gu), at)
        latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    router.route_batch(
        complaints.text[:n],
        [str(c) for c in complaints.channel[:n]],
        [str(g) for g in complaints.district_code[:n]],
        times,
    )
    batch = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    figures = {
        "complaints": n,
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "max_ms": float(ms.max()),
        "batch_per_s": n / batch,
    }
    print(
        f"\nrouting one complaint at a time ({n:,}): p50 {figures['p50_ms']:.2f} ms, "
        f"p99 {figures['p99_ms']:.2f} ms (target < 10 ms), max {figures['max_ms']:.1f} ms; "
        f"the same in one batch: {figures['batch_per_s']:,.0f} complaints/s"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--routing-year", action="store_true", help="routing at scale 1.0")
    parser.add_argument("--single", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    results: dict[str, Any] = {}
    for name in args.models:
        scale = 1.0 if name == "routing" and args.routing_year else args.scale
        trained, wall, used = train_one(name, scale)
        results[name] = report(name, trained, wall, used)
        if name == "routing" and args.single > 0:
            results["routing_single"] = single_routing(trained, args.single)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
