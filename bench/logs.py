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


# --- catch-up at wire speed and memory in bytes (issue 20) -----------------------------------------


def seed_range(endpoint: str, group: str, total: int, span_ms: int, streams: int = 4) -> tuple[int, int]:
    """``total`` lines over the last ``span_ms`` in ``streams`` streams (a service's tasks), put directly."""
    client = logs_client(endpoint)
    client.create_log_group(logGroupName=group)
    end = int(time.time() * 1000) - 1_000
    start = end - span_ms
    step = max(1, span_ms // total)
    for s in range(streams):
        stream = f"bench/app/{s:032x}"
        client.create_log_stream(logGroupName=group, logStreamName=stream)
        events = [
            {
                "timestamp": start + (k * streams + s) * step,
                "message": f"2026-01-02 03:04:05,678 - app - INFO - request {k} handled in 12ms user=u{k % 97}",
            }
            for k in range(total // streams)
        ]
        for offset in range(0, len(events), 10_000):
            client.put_log_events(
                logGroupName=group, logStreamName=stream, logEvents=events[offset : offset + 10_000]
            )
    return start, end


class KeyProbe:
    """Posts up/down as a terminal would and records key -> repaint of the new selection (ms)."""

    def __init__(self, app: Any, view: Any) -> None:
        self.app, self.view = app, view
        self.latency_ms: list[float] = []
        self.presses = 0

    def _seq(self) -> int:
        return self.view.selected.seq if self.view.selected is not None else -1

    async def press(self) -> None:
        from textual import events

        view = self.view
        if not view.shown:
            return
        key = (
            "up"
            if (view.tail or view.cursor >= view.shown - 1 or self.presses % 2) and view.cursor > 0
            else "down"
        )
        before, t0 = self._seq(), time.perf_counter()
        self.app.post_message(events.Key(key, None))
        self.presses += 1
        while self._seq() == before and time.perf_counter() < t0 + 1.0:
            await asyncio.sleep(0.001)
        if self._seq() == before:
            return
        while not (view.painted_seq != before and view.painted_at >= t0) and time.perf_counter() < t0 + 5.0:
            await asyncio.sleep(0.001)
        if view.painted_at >= t0:
            self.latency_ms.append((view.painted_at - t0) * 1000)


async def pane_catch_up(endpoint: str, group: str, total: int, timeout: float) -> dict[str, Any]:
    """The pane's `t 1h` over ``total`` lines, keys pressed every 30 ms while it reads."""
    from console.config import Settings, demo_profile
    from screens.app import OpsConsoleApp
    from screens.logs import LogsScreen

    settings = Settings(
        profile=demo_profile(endpoint), regions=(REGION,), endpoint_url=endpoint, read_only=False
    )
    app = OpsConsoleApp(settings, poll_interval=3600.0)
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
        await pilot.pause(1.0)
        probe = KeyProbe(app, view)
        t0 = time.perf_counter()
        await pilot.press("t", *"1h", "enter")  # the view is cleared: its counts start again
        seen = 0
        deadline = time.monotonic() + timeout
        # Done when the view has taken every line (kept, or counted as dropped by its bound), not
        # when the reader has read them: what waits in the queue to the UI is not caught up yet.
        while time.monotonic() < deadline and view.buffer.appended - seen < total:
            await probe.press()
            await asyncio.sleep(0.03)
        elapsed = time.perf_counter() - t0
        follower = screen.follower
        return {
            "s": elapsed,
            "events": view.buffer.appended - seen,
            "calls": follower.stats.calls if follower else 0,
            "latency_ms": probe.latency_ms,
        }


def cli_catch_up(endpoint: str, group: str, start: int, end: int) -> tuple[float, int]:
    """`opsconsole logs GROUP --since S --until E --json` to a pipe: seconds and lines."""
    from bench._demo import ROOT, opsconsole_cmd

    cmd = [*opsconsole_cmd(), "logs", group, "--since", str(start), "--until", str(end), "--json"]
    cmd += ["--endpoint-url", endpoint, "--region", REGION]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT, timeout=600, check=False)
    return time.perf_counter() - t0, proc.stdout.count(b"\n")


def baseline_range(endpoint: str, group: str, start: int, end: int) -> tuple[float, int, int]:
    """The plain boto3 loop over the same range: filter_log_events over every nextToken."""
    client = logs_client(endpoint)
    t0 = time.perf_counter()
    count = calls = 0
    token = None
    while True:
        kwargs: dict[str, Any] = {
            "logGroupName": group,
            "startTime": start,
            "endTime": end,
            "interleaved": True,
        }
        if token:
            kwargs["nextToken"] = token
        page = client.filter_log_events(**kwargs)
        calls += 1
        count += len(page.get("events", []))
        token = page.get("nextToken")
        if not token:
            return time.perf_counter() - t0, count, calls


def write_stream(endpoint: str, group: str, total: int, burst: int, size: int, started: Any) -> None:
    """``total`` lines of ``size`` characters as fast as the server takes them (puts of <= 1 MB)."""
    client = logs_client(endpoint)
    started.value = time.time()
    pad = "p" * max(0, size - 40)
    per_put = max(1, min(burst, 1_000_000 // max(1, size + 26)))
    for offset in range(0, total, per_put):
        now = int(time.time() * 1000)
        events = [
            {"timestamp": now, "message": f"INFO request {offset + i} {pad}"}
            for i in range(min(per_put, total - offset))
        ]
        client.put_log_events(logGroupName=group, logStreamName=STREAM, logEvents=events)


async def follow_rss(
    endpoint: str, group: str, total: int, size: int, page_size: int | None, timeout: float
) -> dict[str, Any]:
    """RSS of this process after the pane followed ``total`` lines of ``size`` characters."""
    from console.config import Settings, demo_profile
    from screens.app import OpsConsoleApp
    from screens.logs import LogsScreen

    LogsScreen.page_size = page_size
    LogsScreen.follow_interval = 0.2
    settings = Settings(
        profile=demo_profile(endpoint), regions=(REGION,), endpoint_url=endpoint, read_only=False
    )
    app = OpsConsoleApp(settings, poll_interval=3600.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        deadline = time.monotonic() + 30
        while not (isinstance(app.screen, LogsScreen) and app.screen.worker is not None):
            if time.monotonic() > deadline:
                raise RuntimeError("the logs pane did not start")
            await pilot.pause(0.05)
        view = app.screen.view
        await pilot.pause(0.5)
        start_rss = rss_mb()
        started = multiprocessing.Value("d", 0.0)
        writer = multiprocessing.Process(
            target=write_stream, args=(endpoint, group, total, 10_000, size, started)
        )
        writer.start()
        peak = start_rss
        deadline = time.monotonic() + timeout
        while view.buffer.appended < total and time.monotonic() < deadline:
            await pilot.pause(0.25)
            peak = max(peak, rss_mb())
        writer.join(timeout=60)
        await pilot.pause(0.5)
        return {
            "appended": view.buffer.appended,
            "kept": len(view.buffer),
            "kept_mb": view.buffer.bytes / 2**20,
            "rss_start": start_rss,
            "rss_end": rss_mb(),
            "rss_peak": max(peak, rss_mb()),
            "s": time.time() - started.value,
        }


def wire_sections(args: argparse.Namespace, sections: set[str]) -> None:
    if "catchup" in sections:
        with demo_serve("--no-activity") as endpoint:
            group = f"/bench/catchup-{int(time.time())}"
            start, end = seed_range(endpoint, group, args.lines, 50 * 60_000)
            base_s, base_n, base_calls = baseline_range(endpoint, group, start, end)
            pane = asyncio.run(pane_catch_up(endpoint, group, args.lines, args.timeout))
            base2_s, base2_n, _ = baseline_range(endpoint, group, start, end)
            cli_s, cli_n = cli_catch_up(endpoint, group, start, end)
        base_rate = (base_n + base2_n) / max(1e-9, base_s + base2_s)
        lat = pane["latency_ms"]
        print(f"catching up a range ({args.lines:,} lines over 50 min, 4 streams):")
        print(
            f"  catch-up pane (t 1h): {pane['events']:,} lines in {pane['s']:.1f}s = "
            f"{pane['events'] / max(1e-9, pane['s']):,.0f} lines/s ({pane['calls']} calls)"
        )
        if lat:
            print(
                f"  catch-up key press -> repaint: n={len(lat)} p50 {statistics.median(lat):.1f} ms, "
                f"p95 {pct(lat, 0.95):.1f} ms, max {max(lat):.1f} ms  (target p95 <= 50 ms)"
            )
        print(
            f"  catch-up CLI (logs --since --until --json, process start included): {cli_n:,} lines in "
            f"{cli_s:.1f}s = {cli_n / max(1e-9, cli_s):,.0f} lines/s"
        )
        print(
            f"  catch-up baseline, boto3 filter_log_events loop (before and after): {base_n:,} lines in "
            f"{base_s:.1f}s and {base2_s:.1f}s = {base_rate:,.0f} lines/s ({base_calls} calls)"
        )
    if "rss" in sections:
        with demo_serve("--no-activity") as endpoint:
            client = logs_client(endpoint)
            group = f"/bench/rss-{int(time.time())}"
            client.create_log_group(logGroupName=group)
            client.create_log_stream(logGroupName=group, logStreamName=STREAM)
            small = asyncio.run(follow_rss(endpoint, group, args.million, 100, None, args.timeout))
        with demo_serve("--no-activity") as endpoint:
            client = logs_client(endpoint)
            group = f"/bench/rss-big-{int(time.time())}"
            client.create_log_group(logGroupName=group)
            client.create_log_stream(logGroupName=group, logStreamName=STREAM)
            # pages of 4: AWS answers at most 1 MB a call (moto has no such cap)
            big = asyncio.run(follow_rss(endpoint, group, args.big_events, 256_000, 4, args.timeout))
        for label, got in (
            (f"{args.million:,} lines of 100 B", small),
            (f"{args.big_events:,} events of 256 KB", big),
        ):
            print(
                f"  RSS after following {label}: {got['rss_end']:.0f} MB (peak {got['rss_peak']:.0f} MB, "
                f"at start {got['rss_start']:.0f} MB; {got['appended']:,} lines in {got['s']:.0f}s, "
                f"kept {got['kept']:,} = {got['kept_mb']:.0f} MB)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=1_000)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument(
        "--page-size", type=int, default=0, help="events per FilterLogEvents page (0: AWS default)"
    )
    parser.add_argument(
        "--sections", default="follow,catchup,rss", help="comma-separated: follow, catchup, rss"
    )
    parser.add_argument("--million", type=int, default=1_000_000, help="lines followed for the RSS row")
    parser.add_argument("--big-events", type=int, default=2_000, help="256 KB events for the RSS row")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if "follow" not in sections:
        wire_sections(args, sections)
        return
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
    wire_sections(args, sections)


if __name__ == "__main__":
    main()
