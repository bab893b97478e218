"""Logs pane under load: 100,000 lines (bursts of 1,000) followed by the TUI running headless.

Against `opsconsole demo serve --no-activity` (a subprocess), a writer process puts
100,000 lines into one log group in bursts of 1,000 while the console (App.run_test,
headless) follows the group in its logs pane.  Printed:

* ingest: lines/s the pane took in, from the writer's first burst to the last line
  in the pane's buffer (and the writer's own rate, which bounds it);
* key latency: a key event (up/down, posted every 30 ms during the ingest, as a
  terminal's would be) to the first repaint showing the new selection, p50/p95/max;
* RSS of this process when 10k, 50k and 100k lines had arrived (the buffer keeps
  10,000, so RSS should be flat after 10k);
* reading the whole group from its start ("lines/s to reach the end"): the pane
  (`t` 1h, counting the events the follow engine delivered) against the
  baseline.  awscli v1 (/work/venv/bin/aws) has no `logs tail` (v2 only), so
  the baseline is what `aws logs tail` does: a boto3 filter_log_events loop
  over nextToken from the start time.
Targets: RSS flat after the bound and <= 150 MB, key p95 <= 50 ms, ingest >= 5,000
lines/s.  Never fails on a number.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import boto3

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._demo import demo_serve

REGION = "us-east-1"
STREAM = "bench/app/0123456789abcdef0123456789abcdef"


def logs_client(endpoint: str) -> Any:
    return boto3.client(
        "logs", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="t", aws_secret_access_key="t"
    )


def write_lines(endpoint: str, group: str, total: int, burst: int, started: Any) -> None:
    """The application: bursts of ``burst`` lines, one PutLogEvents each, as fast as the server takes them."""
    client = logs_client(endpoint)
    started.value = time.time()
    for offset in range(0, total, burst):
        now = int(time.time() * 1000)
        events = [
            {
                "timestamp": now,
                "message": f"2026-01-02 03:04:05,678 - app - INFO - request {offset + i} handled in 12ms "
                f"user=u{(offset + i) % 97} path=/api/orders/{offset + i}",
            }
            for i in range(min(burst, total - offset))
        ]
        client.put_log_events(logGroupName=group, logStreamName=STREAM, logEvents=events)


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run_tui(endpoint: str, group: str, total: int, burst: int, timeout: float) -> dict[str, Any]:
    from textual import events

    from console.config import Settings, demo_profile
    from screens.app import OpsConsoleApp
    from screens.logs import LogsScreen

    profile = demo_profile(endpoint)
    settings = Settings(profile=profile, regions=(REGION,), endpoint_url=endpoint, read_only=False)
    app = OpsConsoleApp(settings, poll_interval=3600.0)  # each pane loads once
    out: dict[str, Any] = {"rss": {}, "latency_ms": []}
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        deadline = time.monotonic() + 30
        while not (isinstance(app.screen, LogsScreen) and app.screen.worker is not None):
            if time.monotonic() > deadline:
                raise RuntimeError("the logs pane did not start")
            await pilot.pause(0.05)
        screen = app.screen
        view = screen.view
        await pilot.pause(0.5)
        out["rss_start"] = rss_mb()

        started = multiprocessing.Value("d", 0.0)
        writer = multiprocessing.Process(target=write_lines, args=(endpoint, group, total, burst, started))
        writer.start()
        marks = [10_000, 50_000, 100_000]
        keys = ["up", "down"]
        presses = 0
        deadline = time.monotonic() + timeout
        first_seen = None
        while view.buffer.appended < total and time.monotonic() < deadline:
            if first_seen is None and view.buffer.appended:
                first_seen = time.time()
            while marks and view.buffer.appended >= marks[0]:
                out["rss"][marks.pop(0)] = (view.buffer.appended, rss_mb())
            if view.buffer.appended and view.buffer.appended < total:
                # The key event posted to the app, as a terminal's would be (Pilot.press also
                # waits for the whole process to go idle, which it never does while ingesting).
                before = view.selected.seq if view.selected is not None else -1
                t0 = time.perf_counter()
                key = keys[presses % 2]
                if view.tail or view.cursor >= view.shown - 1:
                    key = "up"  # down on the newest line does nothing
                elif view.cursor <= 0:
                    key = "down"  # nor up on the oldest (where a line that dropped off leaves it)
                app.post_message(events.Key(key, None))
                presses += 1
                handled_deadline = t0 + 1.0
                while (view.selected.seq if view.selected is not None else -1) == before:
                    if time.perf_counter() > handled_deadline:
                        break
                    await asyncio.sleep(0.001)
                if (view.selected.seq if view.selected is not None else -1) == before:
                    out["noop"] = out.get("noop", 0) + 1  # "down" on the newest line: nothing to draw
                    await asyncio.sleep(0.03)
                    continue
                # The first paint that shows a selection other than the one before the key: the
                # line the key chose, or (following the tail) a newer line, drawn no earlier.
                paint_deadline = t0 + 5.0
                while not (view.painted_seq != before and view.painted_at >= t0):
                    if time.perf_counter() > paint_deadline:
                        out["missed"] = out.get("missed", 0) + 1
                        break
                    await asyncio.sleep(0.001)
                else:
                    out["latency_ms"].append((view.painted_at - t0) * 1000)
            await asyncio.sleep(0.03)
        done = time.time()
        writer.join(timeout=60)
        while marks and view.buffer.appended >= marks[0]:
            out["rss"][marks.pop(0)] = (view.buffer.appended, rss_mb())
        out["ingested"] = view.buffer.appended
        out["kept"] = len(view.buffer)
        out["dropped"] = view.buffer.dropped
        out["duplicates"] = screen.follower.stats.duplicates if screen.follower else 0
        out["calls"] = screen.follower.stats.calls if screen.follower else 0
        out["writer_started"] = started.value
        out["first_seen"] = first_seen
        out["done"] = done
        out["rows_rendered"] = view.render_count
        await pilot.pause(0.5)
        out["rss_end"] = rss_mb()

        # The whole group from its start in the pane: `t` 1h (the engine delivers all, the view keeps 10k).
        t0 = time.perf_counter()
        await pilot.press("t", *"1h", "enter")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            follower = screen.follower
            if follower is not None and follower.stats.events >= total:
                break
            await pilot.pause(0.02)
        out["read_all_s"] = time.perf_counter() - t0
        out["read_all_events"] = screen.follower.stats.events if screen.follower else 0
        out["rss_after_read_all"] = rss_mb()
    return out


def baseline_read_all(endpoint: str, group: str, since_ms: int) -> tuple[float, int, int]:
    """What `aws logs tail GROUP --since 1h` does to reach the end: filter_log_events over every nextToken."""
    client = logs_client(endpoint)
    start = time.perf_counter()
    count = calls = 0
    token = None
    while True:
        kwargs: dict[str, Any] = {"logGroupName": group, "startTime": since_ms, "interleaved": True}
        if token:
            kwargs["nextToken"] = token
        page = client.filter_log_events(**kwargs)
        calls += 1
        count += len(page.get("events", []))
        token = page.get("nextToken")
        if not token:
            break
    return time.perf_counter() - start, count, calls


def has_logs_tail() -> bool:
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    try:
        result = subprocess.run([aws, "logs", "tail", "help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and "tail" in result.stdout and "Invalid choice" not in result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=1_000)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument(
        "--page-size", type=int, default=0, help="events per FilterLogEvents page (0: AWS default)"
    )
    args = parser.parse_args()
    if args.page_size:
        from screens.logs import LogsScreen

        LogsScreen.page_size = args.page_size

    tail = has_logs_tail()
    with demo_serve("--no-activity") as endpoint:
        group = f"/bench/logs-{int(time.time())}"
        client = logs_client(endpoint)
        client.create_log_group(logGroupName=group)
        client.create_log_stream(logGroupName=group, logStreamName=STREAM)
        since = int(time.time() * 1000) - 60_000
        tui = asyncio.run(run_tui(endpoint, group, args.lines, args.burst, args.timeout))
        base_s, base_n, base_calls = baseline_read_all(endpoint, group, since)

    lat = tui["latency_ms"]
    start = tui["writer_started"] or tui["first_seen"]
    ingest_s = max(1e-9, tui["done"] - start)
    print(f"logs pane, {args.lines:,} lines in bursts of {args.burst:,} (demo serve --no-activity, headless)")
    print(
        f"  ingest: {tui['ingested']:,} lines in {ingest_s:.1f}s from the first burst = "
        f"{tui['ingested'] / ingest_s:,.0f} lines/s  (target >= 5,000)"
    )
    print(
        f"  kept {tui['kept']:,}, dropped {tui['dropped']:,}, duplicates dropped {tui['duplicates']:,}, "
        f"FilterLogEvents calls {tui['calls']:,}, rows rendered {tui['rows_rendered']:,}"
    )
    if lat:
        print(
            f"  key press -> repaint: n={len(lat)} p50 {statistics.median(lat):.1f} ms, "
            f"p95 {pct(lat, 0.95):.1f} ms, max {max(lat):.1f} ms  (target p95 <= 50 ms)"
            + (f"; {tui['missed']} keys not painted within 5 s" if tui.get("missed") else "")
            + (f"; {tui['noop']} keys changed nothing (down on the newest line)" if tui.get("noop") else "")
        )
    else:
        print("  key press -> repaint: no sample (the ingest ended before the first key)")
    rss = ", ".join(f"{mark // 1000}k: {mb:.0f} MB" for mark, (_n, mb) in sorted(tui["rss"].items()))
    print(f"  RSS at start {tui['rss_start']:.0f} MB; at {rss}; at the end {tui['rss_end']:.0f} MB")
    print(
        f"    (target: flat after 10k, <= 150 MB; after re-reading it all {tui['rss_after_read_all']:.0f} MB)"
    )
    print("reading the whole group from its start (lines/s to reach the end):")
    print(
        f"  opsconsole pane (t 1h): {tui['read_all_events']:,} lines in {tui['read_all_s']:.1f}s = "
        f"{tui['read_all_events'] / max(1e-9, tui['read_all_s']):,.0f} lines/s"
    )
    which = "aws logs tail" if tail else "boto3 filter_log_events loop (awscli v1 has no `logs tail`)"
    print(
        f"  baseline, {which}: {base_n:,} lines in {base_s:.1f}s = "
        f"{base_n / max(1e-9, base_s):,.0f} lines/s ({base_calls} calls)"
    )


if __name__ == "__main__":
    main()
