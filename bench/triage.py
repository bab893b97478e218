"""Triage against `opsconsole demo serve --latency-ms 30`: a service's 24-hour timeline and `why`.

Targets (issue 17): the 24-hour timeline of a service in at most 2 s at 30 ms per call, `why` in at
most 1 s, with the calls counted (by the server, per API). The reads run in-process through the
facade (`ConsoleApi.triage`), as the CLI's `timeline`/`why` run them, so the figure is the reads and
not the interpreter's start. Each pass is fresh (new clients, empty caches, the service resolved),
as one CLI run is; the same timeline again in a running console (a TUI refresh) is printed beside.

The baseline is the same calls one at a time: calls x the added latency, a floor for a tool that
reads source after source (before any server time).

    python bench/triage.py [--latency-ms 30] [--repeats 5] [--cluster C --service S]

Prints figures; never fails on a number.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._demo import counts, demo_serve, median, reset_counts

SERVICES = (
    ("docu-cr-backend-cluster", "docu-cr-backend-service"),
    ("asharvi-backend-cluster", "asharvi-backend-prod"),
    ("document-verification-cluster", "document-verification-service"),
)


def settings_for(endpoint: str):  # type: ignore[no-untyped-def]
    from console.config import Settings, demo_profile

    return Settings(
        profile=demo_profile(endpoint),
        regions=("us-east-1", "ap-south-1", "us-east-2"),
        endpoint_url=endpoint,
        read_only=True,
    )


def served(endpoint: str) -> tuple[int, dict[str, int]]:
    found = {k: v for k, v in counts(endpoint).items() if v}
    return sum(found.values()), found


async def one_pass(
    endpoint: str, cluster: str, service: str, *, why: bool, forget: bool = True
) -> tuple[float, object]:
    """A fresh facade (new clients, empty caches), as one CLI run of `opsconsole timeline`/`why` has:
    resolve the service, then read and judge. ``forget``: ask the APIs the endpoint lacks again
    (a CLI run does); without it they are skipped, as on an endpoint that has them and answers fast."""
    from console.api import ConsoleApi
    from console.triage import sources

    if forget:
        sources._ABSENT.clear()
    api = ConsoleApi(settings_for(endpoint))
    try:
        started = time.perf_counter()
        if why:
            result: object = await api.triage.why(cluster, service)
        else:
            result = await api.triage.timeline(cluster, service, since=timedelta(hours=24))
        return time.perf_counter() - started, result
    finally:
        await api.close()


async def warm_pass(endpoint: str, cluster: str, service: str) -> float:
    """The same timeline again in a running console (clients made, revisions cached): a TUI refresh."""
    from console.api import ConsoleApi

    api = ConsoleApi(settings_for(endpoint))
    try:
        svc = await api.triage.service(cluster, service)
        await api.triage.services_timeline([svc], since=timedelta(hours=24))
        started = time.perf_counter()
        await api.triage.services_timeline([svc], since=timedelta(hours=24))
        return time.perf_counter() - started
    finally:
        await api.close()


def measure(endpoint: str, cluster: str, service: str, repeats: int) -> dict[str, object]:
    out: dict[str, object] = {}
    times, why_times = [], []
    for _ in range(repeats):
        reset_counts(endpoint)
        elapsed, timeline = asyncio.run(one_pass(endpoint, cluster, service, why=False))
        times.append(elapsed)
        out["calls"], out["per_api"] = served(endpoint)
        out["entries"] = len(timeline.entries)  # type: ignore[attr-defined]
        out["degraded"] = [n.line() for n in timeline.degraded]  # type: ignore[attr-defined]
        reset_counts(endpoint)
        elapsed, report = asyncio.run(one_pass(endpoint, cluster, service, why=True))
        why_times.append(elapsed)
        out["why_calls"] = served(endpoint)[0]
        out["findings"] = [f.code for f in report.findings]  # type: ignore[attr-defined]
    known, known_why = [], []
    for _ in range(repeats):
        known.append(asyncio.run(one_pass(endpoint, cluster, service, why=False, forget=False))[0])
        known_why.append(asyncio.run(one_pass(endpoint, cluster, service, why=True, forget=False))[0])
    out.update(
        timeline_s=median(times),
        why_s=median(why_times),
        known_s=median(known),
        known_why_s=median(known_why),
        warm_s=asyncio.run(warm_pass(endpoint, cluster, service)),
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cluster", default="")
    parser.add_argument("--service", default="")
    args = parser.parse_args()
    targets = [(args.cluster, args.service)] if args.cluster and args.service else list(SERVICES)
    print(f"triage at {args.latency_ms:g} ms per call, median of {args.repeats} (fresh facade each pass)")
    with demo_serve("--port", "0", "--latency-ms", str(args.latency_ms)) as endpoint:
        for cluster, service in targets:
            r = measure(endpoint, cluster, service, args.repeats)
            floor = int(r["calls"]) * args.latency_ms / 1000  # type: ignore[call-overload]
            print(f"\n{cluster}/{service}")
            print(
                f"  timeline 24 h: {r['timeline_s']:.3f} s (target ≤ 2 s), {r['calls']} calls, {r['entries']} entries;"
                f" again in a running console {r['warm_s']:.3f} s"
            )
            print(f"    the same calls one at a time: at least {floor:.2f} s of latency alone")
            print("    calls: " + ", ".join(f"{k} {v}" for k, v in sorted(r["per_api"].items())))  # type: ignore[attr-defined]
            print(
                f"  why: {r['why_s']:.3f} s (target ≤ 1 s), {r['why_calls']} calls, findings {r['findings']}"
            )
            print(
                f"  not asking the APIs this endpoint lacks: timeline {r['known_s']:.3f} s, why {r['known_why_s']:.3f} s"
            )
            for line in r["degraded"]:  # type: ignore[attr-defined]
                print(f"    degraded: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
