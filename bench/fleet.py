"""A fleet of accounts: does reading 20 accounts cost what reading one does?

Runs against `opsconsole demo serve --accounts K --scale N --latency-ms 30` (K synthetic accounts,
each with N services in each of the demo's 3 regions, reached by AssumeRole) and prints, from one
run, each figure beside its baseline:
  * first screenful: the clusters pane's first rows (every account's clusters listed) for the
    whole fleet, against the same for one account (`--account fleet-01`); target <= 1.5x;
  * full inventory (`inventory --json`) of the fleet, against the lower bound of its largest
    single (account, region): that place's calls / concurrency x latency, never below its chain
    of list pages (measured by an inventory of that place alone); target <= 1.3x;
  * one account of K denying AssumeRole: the first screenful again, minus the first; target <= 0.2 s.
Never fails on a number.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._demo import counts, demo_serve, median, reset_counts
from console.api import ConsoleApi
from console.api.views import ClustersView
from console.config import Settings, resolve_settings
from console.endpoints import demo_accounts, demo_regions

CONCURRENCY = 10


def fleet_settings(endpoint: str, account: str | None = None, region: str | None = None) -> Settings:
    return resolve_settings(
        profile_name="demo",
        endpoint_url=endpoint,
        regions=(region,) if region else (),
        discovered_regions=demo_regions(endpoint),
        discovered_accounts=demo_accounts(endpoint),
        account=account,
    )


async def first_screenful(settings: Settings) -> float:
    """Seconds from a new facade (new sessions, roles to assume) to the clusters pane's first rows."""
    api = ConsoleApi(settings)
    shown = asyncio.get_running_loop().create_future()

    def on_clusters(view: ClustersView) -> None:
        if not shown.done():
            shown.set_result(time.perf_counter())

    start = time.perf_counter()
    try:
        read = asyncio.ensure_future(api.reads.clusters_view(settings.regions, on_clusters=on_clusters))
        await asyncio.wait({read, shown}, return_when=asyncio.FIRST_COMPLETED)
        if not shown.done():
            read.result()  # the read failed before any row: its error, not a hang
        read.cancel()
        return float(shown.result()) - start
    finally:
        await api.close()


async def _inventory(settings: Settings) -> float:
    from console.inventory import collect

    api = ConsoleApi(settings)
    start = time.perf_counter()
    try:
        await collect(api.gateways.ecs, settings.regions)
        return time.perf_counter() - start
    finally:
        await api.close()


def time_inventory(endpoint: str, settings: Settings) -> tuple[float, dict[str, int]]:
    """The inventory's reads in this process (no interpreter start-up in the figure), and the
    requests the demo served for them."""
    reset_counts(endpoint)
    elapsed = asyncio.run(_inventory(settings))
    return elapsed, counts(endpoint)


def place_bound(call_counts: dict[str, int], latency_s: float) -> float:
    """One (account, region)'s lower bound: its calls at the concurrency, never below its page chain."""
    calls = {k: v for k, v in call_counts.items() if k.startswith(("ecs.", "sts."))}
    chain = max(calls.get("ecs.ListServices", 0), calls.get("ecs.ListTasks", 0), 1) + 2  # AssumeRole, list
    return max(sum(calls.values()) / CONCURRENCY, chain) * latency_s


def deny(endpoint: str, accounts: list[str]) -> None:
    body = json.dumps({"accounts": accounts}).encode()
    request = urllib.request.Request(f"{endpoint}/_opsconsole/deny", data=body, method="POST")
    urllib.request.urlopen(request, timeout=10).read()


def run(accounts: int, scale: int, latency_ms: int, repeats: int) -> list[str]:
    lines = []
    args = [
        "--accounts",
        str(accounts),
        "--scale",
        str(scale),
        "--latency-ms",
        str(latency_ms),
        "--no-activity",
    ]
    with demo_serve(*args) as endpoint:
        for _ in range(60):  # the organisation is announced once the server answers
            if len(demo_accounts(endpoint)) > accounts:
                break
            time.sleep(1)
        fleet = fleet_settings(endpoint)
        one = fleet_settings(endpoint, account="fleet-01")
        ids = [a.id for a in fleet.profile.accounts if a.name.startswith("fleet-")]
        asyncio.run(first_screenful(fleet))  # warm-up: imports, the server's first answers
        single = median([asyncio.run(first_screenful(one)) for _ in range(repeats)])
        whole = median([asyncio.run(first_screenful(fleet)) for _ in range(repeats)])
        lines.append(
            f"first screenful: fleet {whole:.2f} s ({len(fleet.regions)} places), one account {single:.2f} s"
            f" | ratio {whole / single:.2f}x | target <= 1.5x"
        )
        place = fleet_settings(endpoint, account="fleet-01", region="us-east-1")
        place_time, place_counts = time_inventory(endpoint, place)
        bound = place_bound(place_counts, latency_ms / 1000)
        inventory = median([time_inventory(endpoint, fleet)[0] for _ in range(repeats)])
        lines.append(
            f"full inventory: fleet {inventory:.2f} s; one (account, region) {place_time:.2f} s, its lower"
            f" bound {bound:.2f} s | ratio {inventory / bound:.2f}x | target <= 1.3x"
        )
        deny(endpoint, ids[4:5])
        denied = median([asyncio.run(first_screenful(fleet)) for _ in range(repeats)])
        deny(endpoint, [])
        lines.append(
            f"one of {accounts} denying AssumeRole: first screenful {denied:.2f} s against {whole:.2f} s"
            f" | adds {denied - whole:+.2f} s | target <= 0.2 s"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"cores: {os.cpu_count()}  accounts: {args.accounts}  services per region: {args.scale}"
        f"  latency: {args.latency_ms} ms"
    )
    for line in run(args.accounts, args.scale, args.latency_ms, args.repeats):
        print(line)


if __name__ == "__main__":
    main()
