"""`opsconsole demo` to the clusters on screen, against the console on an already-running demo.

    python bench/demo_start.py [--runs 5]

Two figures from the same run, in alternating fresh processes (so a loaded machine slows both):

* **demo**: a process that does what `opsconsole demo` does (start the embedded AWS and its world
  in-process, then the console on it) until the clusters pane lists every demo cluster;
* **warm endpoint**: a process that does what `opsconsole --endpoint-url EP` does against a
  `demo serve` started beforehand, until the same pane lists the same clusters.

Target (issue 16): demo <= 1.5x warm endpoint. Times run from the parent's spawn of the child.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._demo import demo_serve, median  # noqa: E402

SPAWNED_AT_ENV = "OPSCONSOLE_BENCH_SPAWNED_AT"
CLUSTERS = 5  # one cluster per system


def child(mode: str, endpoint: str) -> None:
    """The console in this process until the clusters are listed; one JSON line of figures."""
    import gc

    gc.disable()  # as launch_ui does
    import asyncio

    spawned = float(os.environ[SPAWNED_AT_ENV])
    figures: dict[str, float] = {}
    runtime = None
    if mode == "demo":  # as run_demo_console: the AWS in a child, the UI imported meanwhile
        from console.commands._default import import_ui
        from console.demo import launcher

        runtime = launcher.spawn(background=True)
        import_ui()
        endpoint = runtime.wait()
        figures["endpoint_up_s"] = time.time() - spawned
    from console.cli import demo_regions
    from console.config import resolve_settings

    settings = resolve_settings(endpoint_url=endpoint, discovered_regions=demo_regions(endpoint))

    async def run() -> None:
        from screens.app import OpsConsoleApp
        from screens.clusters import ClustersScreen

        app = OpsConsoleApp(settings)
        async with app.run_test(headless=True, size=(140, 45)) as pilot:
            while True:
                screen = app.screen
                if isinstance(screen, ClustersScreen) and len(screen.clusters) >= CLUSTERS:
                    break
                await asyncio.sleep(0.005)
            await pilot.pause()
            figures["clusters_s"] = time.time() - spawned

    asyncio.run(run())
    if runtime is not None:
        runtime.stop()
    print(json.dumps(figures), flush=True)


def spawn(mode: str, endpoint: str) -> dict[str, float]:
    env = dict(os.environ, **{SPAWNED_AT_ENV: repr(time.time())})
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, endpoint],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=180,
        check=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def measure(runs: int) -> tuple[float, float]:
    """(demo, warm endpoint) medians of ``runs`` alternating runs each."""
    demo: list[float] = []
    warm: list[float] = []
    with demo_serve() as endpoint:
        spawn("endpoint", endpoint)  # one unmeasured run: the OS's file cache, as for a user's second start
        for _ in range(runs):
            warm.append(spawn("endpoint", endpoint)["clusters_s"])
            demo.append(spawn("demo", "")["clusters_s"])
    return median(demo), median(warm)


def rows(quick: bool) -> list[dict[str, object]]:
    demo, warm = measure(3 if quick else 5)
    return [
        {
            "figure": "opsconsole demo: clusters on screen",
            "value": f"{demo:.2f} s",
            "baseline": f"{warm:.2f} s (console on a running demo serve)",
            "ratio": f"{demo / warm:.2f}x",
            "target": "<= 1.5x",
        }
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "ENDPOINT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    demo, warm = measure(args.runs)
    print(f"opsconsole demo to the clusters on screen: {demo:.2f} s (median of {args.runs})")
    print(f"opsconsole --endpoint-url (warm demo serve): {warm:.2f} s")
    print(f"ratio: {demo / warm:.2f}x (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
