"""Inventory of 2,000 services: opsconsole vs the seeds' one-call-after-another loop.

Runs against `opsconsole demo serve --scale 2000 --latency-ms 30` (and again with
`--throttle`), prints times, ratios and the two lower bounds:
  * concurrency bound: calls / concurrency x latency, but never below the
    sequential chain of list pages (each page needs the previous token);
  * throttling bound: ECS's token buckets (100 burst, 20/s for service reads and
    for cluster-resource reads) for the calls each bucket served.
The baseline describes each service, lists and describes its tasks, one call
after another, as the seeds' scripts and e1s do.  It is measured over the first
BASELINE_SAMPLE services and extrapolated linearly (its cost per service is
constant); the sample and the extrapolation are both printed.
Never fails on a number.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import boto3

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._demo import counts, demo_serve, median, opsconsole_cmd, reset_counts
from console.aws.paging import ECS_BUCKETS

CLUSTER = "scale-cluster"
REGION = "us-east-1"
CONCURRENCY = 10
BASELINE_SAMPLE = 200


def time_cli(endpoint: str) -> tuple[float, dict[str, int]]:
    reset_counts(endpoint)
    start = time.perf_counter()
    subprocess.run(
        [*opsconsole_cmd(), "inventory", "--json", "--endpoint-url", endpoint, "--region", REGION],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start, counts(endpoint)


def time_baseline(endpoint: str, sample: int) -> tuple[float, int, int]:
    """The seeds' way: one `aws ecs` call after another, per service."""
    ecs = boto3.client(
        "ecs", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="t", aws_secret_access_key="t"
    )
    start = time.perf_counter()
    calls = 0
    names: list[str] = []
    token = None
    while True:
        kwargs = {"cluster": CLUSTER, "maxResults": 100}
        if token:
            kwargs["nextToken"] = token
        page = ecs.list_services(**kwargs)
        calls += 1
        names += page["serviceArns"]
        token = page.get("nextToken")
        if not token:
            break
    total = len(names)
    for arn in names[:sample]:
        ecs.describe_services(cluster=CLUSTER, services=[arn])
        tasks = ecs.list_tasks(cluster=CLUSTER, serviceName=arn.rsplit("/", 1)[-1])["taskArns"]
        calls += 2
        if tasks:
            ecs.describe_tasks(cluster=CLUSTER, tasks=tasks)
            calls += 1
    return time.perf_counter() - start, calls, total


def bounds(call_counts: dict[str, int], latency_s: float) -> tuple[float, float]:
    ecs_calls = {k.split(".", 1)[1]: v for k, v in call_counts.items() if k.startswith("ecs.")}
    total = sum(ecs_calls.values())
    chain = max(ecs_calls.get("ListServices", 0), ecs_calls.get("ListTasks", 0))
    concurrency_bound = max(total / CONCURRENCY, chain) * latency_s
    service_reads = ecs_calls.get("ListServices", 0) + ecs_calls.get("DescribeServices", 0)
    cluster_reads = sum(
        ecs_calls.get(op, 0) for op in ("ListClusters", "DescribeClusters", "ListTasks", "DescribeTasks")
    )
    rate, burst = ECS_BUCKETS["service_read"]
    throttle_bound = max(max(0, n - burst) / rate for n in (service_reads, cluster_reads))
    return concurrency_bound, throttle_bound


def run(scale: int, latency_ms: int, repeats: int) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for throttle in (False, True):
        args = ["--scale", str(scale), "--latency-ms", str(latency_ms), "--no-activity"]
        if throttle:
            args.append("--throttle")
        with demo_serve(*args) as endpoint:
            time_cli(endpoint)  # warm-up (imports, first connection)
            if throttle:
                time.sleep(6)  # let the buckets refill after the warm-up
            times = []
            last_counts: dict[str, int] = {}
            for _ in range(repeats):
                elapsed, last_counts = time_cli(endpoint)
                times.append(elapsed)
                if throttle:
                    time.sleep(6)
            ours = median(times)
            conc_b, thr_b = bounds(last_counts, latency_ms / 1000)
            label = "with --throttle" if throttle else "no throttle"
            calls = sum(v for k, v in last_counts.items() if k.startswith("ecs."))
            rows.append((f"inventory {scale} svc ({label})", f"{ours:.2f} s", f"{calls} ECS calls", "", ""))
            if not throttle:
                sample = min(BASELINE_SAMPLE, scale)
                b_time, _calls, total = time_baseline(endpoint, sample)
                per_service = b_time / sample
                baseline = per_service * total
                rows.append(
                    (
                        "  sequential baseline",
                        f"{baseline:.1f} s",
                        f"measured {b_time:.1f} s over {sample} svc, x{total / sample:.0f}",
                        f"ratio {baseline / ours:.1f}x",
                        "target >= 20x",
                    )
                )
            bound = max(conc_b, thr_b)
            rows.append(
                (
                    "  lower bounds",
                    f"conc {conc_b:.2f} s, throttle {thr_b:.2f} s",
                    "",
                    f"ours/bound {ours / bound:.2f}x" if bound else "",
                    "target <= 1.3x",
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=2000)
    parser.add_argument("--latency-ms", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  scale: {args.scale}  latency: {args.latency_ms} ms")
    for row in run(args.scale, args.latency_ms, args.repeats):
        print(" | ".join(cell for cell in row if cell))


if __name__ == "__main__":
    main()
