"""Benchmark the console at 2,000 services: first screenful, and key latency while it refreshes.

    python bench/tui.py [--scale 2000] [--latency-ms 30] [--keys 150]

Starts ``opsconsole demo serve --scale N --latency-ms MS`` (the embedded AWS with a
synthetic cluster of N services, every request delayed), then starts the console in a
fresh process, headless, opened on that cluster (``run_console(..., cluster=...)``), and
prints:

* time from the console process's start (the parent's spawn) to the first screenful of
  services painted (every row in the viewport described: name, counts, rollout, revision);
* the same for the whole cluster described (the background fill);
* key-press latency (p50/p95/max) for cursor moves while the table keeps refreshing: from
  the key event posted to the app until the cursor has moved and the screen has been
  refreshed after it (``call_after_refresh``).

Targets (issue 3): first screenful <= 1 s, key latency p95 <= 50 ms.  As a baseline
measured in the same run, it also prints how long e1s's approach would take: describing
every service before showing any (list + all describes, at the same latency and budget).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

SPAWNED_AT_ENV = "OPSCONSOLE_BENCH_SPAWNED_AT"


def child(endpoint: str, cluster: str, keys: int) -> None:
    """The console in this process; prints one JSON line of figures."""
    import gc

    gc.disable()  # as `opsconsole` does before it loads the UI (console.commands._default.launch_ui)
    import asyncio
    import importlib
    import statistics

    from console import prefetch
    from console.api import ConsoleApi
    from console.config import resolve_settings
    from console.endpoints import demo_regions

    spawned = float(os.environ[SPAWNED_AT_ENV])
    figures: dict[str, float] = {}
    settings = resolve_settings(endpoint_url=endpoint, discovered_regions=demo_regions(endpoint))

    async def run() -> None:
        # What `opsconsole --cluster NAME` does (launch_ui): the first reads start, then the UI
        # is imported in a thread while they run.
        api = ConsoleApi(settings)
        first_view = prefetch.start(api, settings.regions, cluster)
        ui = await asyncio.to_thread(importlib.import_module, "screens.app")
        from textual import events

        from screens.services import ServicesScreen

        class BenchApp(ui.OpsConsoleApp):  # type: ignore[misc,name-defined]
            """The console, timing its milestones on the bench's clock (from the process spawn)."""

            CSS_PATH = str(Path(ui.__file__).with_name("app.tcss"))  # relative paths are the subclass's

            def milestone(self, name: str) -> None:
                super().milestone(name)
                figures.setdefault(f"{name}_s", time.time() - spawned)

        figures["imported_s"] = time.time() - spawned
        app = BenchApp(settings, api=api, first_view=first_view, cluster=cluster, poll_interval=2.0)
        async with app.run_test(headless=True, size=(140, 45)) as pilot:
            while "services_first_screenful_s" not in figures:
                await asyncio.sleep(0.005)
            screen = app.screen
            assert isinstance(screen, ServicesScreen)
            figures["rows_listed"] = len(screen.listed)
            figures["rows_described_at_first_screenful"] = len(screen.services)
            latencies: list[float] = []
            table = screen.table
            table.focus()
            await pilot.pause()
            for i in range(keys):
                key = "down" if (i // 20) % 2 == 0 else "up"
                before = table.cursor_row
                painted = asyncio.Event()
                started = time.perf_counter()
                app.post_message(events.Key(key, None))
                while table.cursor_row == before:  # handled
                    await asyncio.sleep(0)
                app.call_after_refresh(painted.set)  # and on screen
                await painted.wait()
                latencies.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.03)
            figures["described_during_keys"] = len(screen.services)
            figures["polls_during_keys"] = screen.polls
            ordered = sorted(latencies)
            figures["key_p50_ms"] = statistics.median(ordered)
            figures["key_p95_ms"] = ordered[int(len(ordered) * 0.95) - 1]
            figures["key_max_ms"] = ordered[-1]
            deadline = time.time() + 60
            while len(screen.services) < len(screen.listed) and time.time() < deadline:
                await asyncio.sleep(0.05)
            figures["all_described_s"] = time.time() - spawned
            figures["rows_described"] = len(screen.services)
        await api.close()

    asyncio.run(run())
    print(json.dumps(figures), flush=True)


def floor_child(endpoint: str, cluster: str, pane: str) -> None:
    """The floor: a bare Python process that imports aiobotocore and Textual and makes the
    console's first calls one after another, with no UI.  Prints seconds since the spawn.

    ``pane == "services"``: DescribeClusters in each region until the cluster is found, the
    first ListServices page, DescribeServices of the first 60 names (6 calls of 10);
    ``pane == "clusters"``: ListClusters and DescribeClusters in each region.
    """
    import asyncio

    import aiobotocore.session
    import textual.app
    import textual.widgets  # what any Textual console needs

    from console.endpoints import demo_regions

    spawned = float(os.environ[SPAWNED_AT_ENV])
    assert textual.app
    regions = demo_regions(endpoint)

    async def run() -> None:
        session = aiobotocore.session.get_session()
        keys = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "endpoint_url": endpoint}
        for region in regions:
            async with session.create_client("ecs", region_name=region, **keys) as ecs:
                if pane == "clusters":
                    arns = (await ecs.list_clusters())["clusterArns"]
                    if arns:
                        await ecs.describe_clusters(clusters=arns)
                    continue
                found = (await ecs.describe_clusters(clusters=[cluster]))["clusters"]
                if not found:
                    continue
                arn = found[0]["clusterArn"]
                page = (await ecs.list_services(cluster=arn, maxResults=100))["serviceArns"]
                top = sorted(page, key=lambda a: a.rsplit("/", 1)[-1])[:60]
                for start in range(0, len(top), 10):
                    await ecs.describe_services(cluster=arn, services=top[start : start + 10])
                break

    asyncio.run(run())
    print(json.dumps({"floor_s": time.time() - spawned}), flush=True)


def clusters_child(endpoint: str) -> None:
    """Plain `opsconsole` (no --cluster) to the clusters pane with its rows shown, as launch_ui
    starts it (console.commands._default): the UI imported, then the app run."""
    import gc

    gc.disable()
    import asyncio
    import importlib

    from console.api import ConsoleApi
    from console.config import resolve_settings
    from console.endpoints import demo_regions

    spawned = float(os.environ[SPAWNED_AT_ENV])
    settings = resolve_settings(endpoint_url=endpoint, discovered_regions=demo_regions(endpoint))
    figures: dict[str, float] = {}

    async def run() -> None:
        api = ConsoleApi(settings)
        ui = importlib.import_module("screens.app")
        from screens.clusters import ClustersScreen

        app = ui.OpsConsoleApp(settings, api=api, poll_interval=5.0)
        async with app.run_test(headless=True, size=(140, 45)):
            while not (isinstance(app.screen, ClustersScreen) and app.screen.table.keys):
                await asyncio.sleep(0.005)
            figures["clusters_shown_s"] = time.time() - spawned
        await api.close()

    asyncio.run(run())
    print(json.dumps(figures), flush=True)


def describe_everything_first(endpoint: str, cluster: str) -> float:
    """e1s's order, with our own gateway: list every page, describe every service, then show."""
    import asyncio

    from console.aws.context import open_gateways
    from console.config import resolve_settings
    from console.endpoints import demo_regions

    settings = resolve_settings(endpoint_url=endpoint, discovered_regions=demo_regions(endpoint))

    async def run() -> float:
        async with open_gateways(settings) as gw:
            found = await gw.ecs.find_cluster(settings.regions, cluster)
            started = time.perf_counter()
            await gw.ecs.services(found.region, found.arn)
            return time.perf_counter() - started

    return asyncio.run(run())


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=30)
    parser.add_argument("--keys", type=int, default=150)
    parser.add_argument("--cluster", default="scale-cluster")
    parser.add_argument("--endpoint", help="use a running `demo serve` instead of starting one")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floor", choices=("services", "clusters"), help=argparse.SUPPRESS)
    parser.add_argument("--clusters-pane", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs of each (median)")
    args = parser.parse_args()
    if args.floor:
        floor_child(args.endpoint, args.cluster, args.floor)
        return 0
    if args.clusters_pane:
        clusters_child(args.endpoint)
        return 0
    if args.child:
        child(args.endpoint, args.cluster, args.keys)
        return 0

    server = None
    endpoint = args.endpoint
    if endpoint is None:
        cmd = [sys.executable, "-m", "console.cli", "demo", "serve", "--port", "0", "--no-activity"]
        cmd += ["--scale", str(args.scale), "--latency-ms", str(args.latency_ms)]
        server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert server.stdout is not None
        line = server.stdout.readline()
        if not line.startswith("endpoint:"):
            print(f"demo serve did not start: {line!r}", file=sys.stderr)
            return 1
        endpoint = line.split(":", 1)[1].strip()
    try:

        def spawn(*extra: str) -> dict[str, float]:
            env = dict(os.environ, **{SPAWNED_AT_ENV: repr(time.time())})
            argv = [sys.executable, __file__, "--endpoint", endpoint, "--cluster", args.cluster, *extra]
            out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
            lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
            if out.returncode != 0 or not lines:
                raise RuntimeError(f"{extra}: {out.stdout[-2000:]} {out.stderr[-4000:]}")
            return dict(json.loads(lines[-1]))

        spawn("--floor", "services")  # warm-up: the OS file cache, the server's first answers
        runs: list[dict[str, float]] = []
        floors: list[float] = []
        panes: list[float] = []
        pane_floors: list[float] = []
        for _ in range(max(1, args.repeats)):  # alternating, so both see the same machine
            floors.append(spawn("--floor", "services")["floor_s"])
            runs.append(spawn("--child", "--keys", str(args.keys)))
            pane_floors.append(spawn("--floor", "clusters")["floor_s"])
            panes.append(spawn("--clusters-pane")["clusters_shown_s"])
        figures = dict(runs[-1])
        firsts = [r["services_first_screenful_s"] for r in runs]
        figures["services_first_screenful_s"] = median(firsts)
        baseline = describe_everything_first(endpoint, args.cluster)
    except RuntimeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    load = os.getloadavg()[0]
    print(
        f"opsconsole TUI benchmark: {args.scale} services, {args.latency_ms:g} ms per AWS call "
        f"(load average {load:.1f} on {os.cpu_count()} CPUs)"
    )
    print(f"  process start -> imports done           {figures['imported_s']:.3f} s")
    for name in ("mounted", "cluster_found", "services_first_page"):
        if f"{name}_s" in figures:
            print(f"  process start -> {name:<22} {figures[name + '_s']:.3f} s")
    print(
        f"  process start -> first screenful        {figures['services_first_screenful_s']:.3f} s"
        f"   (target <= 1 s; {figures['rows_listed']:.0f} listed, "
        f"{figures['rows_described_at_first_screenful']:.0f} described then)"
    )
    print(f"  process start -> {'all described':<22} {figures['all_described_s']:.3f} s")
    print(f"  baseline, describe all before showing   {baseline:.3f} s   (plus start-up; e1s #335's order)")
    floor, pane, pane_floor = median(floors), median(panes), median(pane_floors)
    # each run's ratio against the floor run just before it, then their median: on a loaded
    # machine the two drift together, and a ratio of medians would pair different moments
    ratio = median([f / fl for f, fl in zip(firsts, floors, strict=True)])
    pane_ratio = median([p / fl for p, fl in zip(panes, pane_floors, strict=True)])
    print(
        f"  floor (bare python: imports + same calls) {floor:.3f} s   first screenful / floor "
        f"{ratio:.2f}x (target <= 1.2x; runs "
        + ", ".join(f"{f:.2f}/{fl:.2f}" for f, fl in zip(firsts, floors, strict=True))
        + ")"
    )
    print(
        f"  plain opsconsole -> clusters pane       {pane:.3f} s   floor {pane_floor:.3f} s   "
        f"ratio {pane_ratio:.2f}x (target <= 1.2x)"
    )
    print(
        f"  key latency while refreshing            p50 {figures['key_p50_ms']:.1f} ms  "
        f"p95 {figures['key_p95_ms']:.1f} ms  max {figures['key_max_ms']:.1f} ms   (target p95 <= 50 ms; "
        f"{args.keys} keys, {figures['polls_during_keys']:.0f} polls done meanwhile)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
