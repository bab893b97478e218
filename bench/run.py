"""Every benchmark of opsconsole in one run, and one table: figure, baseline, ratio, target.

    python bench/run.py [--quick] [--only inventory,tui,logs,redrive,envsync,demo_start,triage,fleet]

Each figure is measured against `opsconsole demo serve` (a fresh one per benchmark) with its
baseline measured in the same run, on the same server: a machine that is slow (or loaded by
other work) slows both.  Medians of several runs; sizes are reduced where the full size would
not fit the 10-minute budget on 2 cores, and every reduction is printed.  It never fails on a
number: a benchmark that cannot run (not written yet, crashed, timed out) is a row saying so.

Benchmarks owned by other modules are used through a small protocol: ``bench/NAME.py`` may
define ``rows(quick: bool) -> list[dict]`` (keys: figure, value, baseline, ratio, target);
without it the script is run as a subprocess and the figures are picked out of its output
(lines naming them), with its whole output printed after the table.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import platform
import re
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._demo import demo_serve, median  # noqa: E402

NA = "not available"


@dataclass
class Row:
    figure: str
    value: str = NA
    baseline: str = ""
    ratio: str = ""
    target: str = ""

    @classmethod
    def of(cls, d: dict[str, object]) -> Row:
        return cls(*(str(d.get(k, "") or "") for k in ("figure", "value", "baseline", "ratio", "target")))


notes: list[str] = []  # reductions and raw outputs, printed after the table


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


# --- inventory ------------------------------------------------------------------------------------


def inventory_rows(quick: bool) -> list[Row]:
    from bench import inventory as inv

    scale = 2000
    latency_ms = 30
    repeats = 2 if quick else 3
    sample = 40 if quick else 80
    notes.append(
        f"inventory: demo serve --scale {scale} --latency-ms {latency_ms}; median of {repeats} runs of "
        f"`opsconsole inventory --json` (a process each, after a warm-up); the sequential loop measured over "
        f"{sample} services and extrapolated to {scale} (its cost per service is constant)"
    )
    with demo_serve("--scale", str(scale), "--latency-ms", str(latency_ms), "--no-activity") as endpoint:
        inv.time_cli(endpoint)  # warm-up: imports, first connection
        times = []
        last: dict[str, int] = {}
        for _ in range(repeats):
            elapsed, last = inv.time_cli(endpoint)
            times.append(elapsed)
        ours = median(times)
        b_time, _b_calls, total = inv.time_baseline(endpoint, sample)
    baseline = b_time / sample * total
    conc_b, thr_b = inv.bounds(last, latency_ms / 1000)
    bound = max(conc_b, thr_b)
    calls = sum(v for k, v in last.items() if k.startswith("ecs."))
    return [
        Row(
            f"inventory {scale} services ({calls} ECS calls) vs sequential loop",
            fmt_s(ours),
            f"{fmt_s(baseline)} (loop)",
            f"{baseline / ours:.1f}x faster",
            ">= 20x",
        ),
        Row(
            f"inventory {scale} services vs lower bound",
            fmt_s(ours),
            f"{fmt_s(bound)} (conc {conc_b:.2f} s, throttle {thr_b:.2f} s)",
            f"{ours / bound:.2f}x the bound" if bound else "",
            "<= 1.3x",
        ),
    ]


# --- redrive ---------------------------------------------------------------------------------------


def redrive_rows(quick: bool) -> list[Row]:
    path = ROOT / "bench" / "redrive.py"
    if not path.exists():
        return [Row("redrive throughput vs one-message loop")]
    from bench import redrive as rd

    repeats = 1 if quick else 2
    rows: list[Row] = []
    missing = dups = 0
    # 30 ms: 4,000 messages to fit the budget (the loop alone moves 10 a second); 0 ms: the 10,000.
    for latency_ms, sample, messages in (
        (30, 100, 2000 if quick else 4000),
        (0, 500, 2000 if quick else 10_000),
    ):
        reduced = " (reduced from 10,000 to fit)" if messages < 10_000 else ""
        notes.append(
            f"redrive at {latency_ms} ms: {messages:,} messages{reduced}, the one-message "
            f"loop over {sample} of them and opsconsole's manual redrive of the rest in 5 alternating slices; "
            f"median of {repeats} run(s), a fresh server each"
        )
        results = [rd.run_one(latency_ms, messages, sample, 8) for _ in range(repeats)]
        ours = median([r["manual_rate"] for r in results])
        loop = median([r["loop_rate"] for r in results])
        ratios = ", ".join(f"{r['manual_rate'] / r['loop_rate']:.1f}x" for r in results if r["loop_rate"])
        notes.append(f"  runs: {ratios}")
        missing += sum(r["missing"] for r in results)
        dups += sum(r["duplicates"] for r in results)
        rows.append(
            Row(
                f"manual redrive throughput (latency {latency_ms} ms)",
                f"{ours:.0f} msg/s",
                f"{loop:.1f} msg/s (one-message loop)",
                f"{ours / loop:.1f}x" if loop else "",
                ">= 10x",
            )
        )
    rows.append(Row("redrive accounting", f"{missing} missing, {dups} duplicated", "", "", "0 missing"))
    notes.append(
        "redrive after a kill: 1,000 messages at 30 ms, SIGKILL when 300 have reached the source (the issue: 2 s in), then the same "
        "command; baseline: the same with the journal deleted before the rerun (as before it existed). "
        "'in flight' = messages whose send was under way at the kill: SQS cannot say if it arrived"
    )
    kept, lost = rd.kill_and_rerun(keep_journal=True), rd.kill_and_rerun(keep_journal=False)
    rows.append(
        Row(
            "redrive duplicates after a kill (1,000 msgs)",
            f"{kept['duplicates']} dup, {kept['missing']} missing ({kept['in_doubt']} in flight at the kill)",
            f"{lost['duplicates']} dup, {lost['missing']} missing (journal deleted)",
            "",
            "0 missing, 0 dup",
        )
    )
    return rows


# --- env sync --------------------------------------------------------------------------------------


def envsync_rows(quick: bool) -> list[Row]:
    from bench import envsync as es

    repeats = 3
    sample = 10 if quick else 20
    notes.append(
        f"env sync: 200 variables into document-verification-service, --latency-ms 30, median of {repeats}; "
        f"the per-variable loop (update-ecs-config.sh KEY=value per variable) measured over {sample} "
        "variables and extrapolated; the whole-file script is sync-env-to-ecs.sh in boto3 "
        "(4 calls, no checks)"
    )
    r = es.run(200, 30, repeats, sample)
    return [
        Row(
            f".env sync {r.variables} vars: ECS calls",
            f"{r.ours_calls} ({r.ours_registers} register, {r.ours_updates} update)",
            f"{r.loop_calls} (per-variable loop)",
            f"{r.loop_calls / max(r.ours_calls, 1):.0f}x fewer",
            "1 revision, 1 deployment; calls independent of N",
        ),
        Row(
            f".env sync {r.variables} vars: time",
            fmt_s(r.ours_s),
            f"{fmt_s(r.loop_s)} (per-variable loop)",
            f"{r.loop_s / r.ours_s:.1f}x faster",
            ">= 10x the loop",
        ),
        Row(
            f".env sync {r.variables} vars: time vs whole-file script",
            fmt_s(r.ours_s),
            f"{fmt_s(r.script_s)} ({r.script_calls} calls, no plan/check)",
            f"{r.ours_s / r.script_s:.1f}x the script",
            "(floor, for reference)",
        ),
    ]


# --- benchmarks of other modules (TUI, logs) -----------------------------------------------------


def grab(pattern: str, text: str, group: int = 1) -> float | None:
    match = re.search(pattern, text, re.IGNORECASE)
    return float(match.group(group).replace(",", "")) if match else None


def tui_parse(out: str) -> list[Row]:
    first = grab(r"first screenful\s+([\d.]+) s", out)
    imports = grab(r"imports done\s+([\d.]+) s", out) or 0.0
    describe_all = grab(r"describe all before showing\s+([\d.]+) s", out)
    p50, p95 = grab(r"p50 ([\d.]+) ms", out), grab(r"p95 ([\d.]+) ms", out)
    rows = [Row("cold start to first data frame (TUI, 2,000 svc)", target="<= 1 s")]
    if first is not None:
        rows[0].value = fmt_s(first)
        if describe_all is not None:
            rows[0].baseline = f"{fmt_s(describe_all + imports)} (describe all first + start-up)"
            rows[0].ratio = f"{(describe_all + imports) / first:.1f}x faster"
    rows.append(Row("key latency under refresh (TUI)", target="p95 <= 50 ms"))
    if p95 is not None:
        rows[1].value = f"p95 {p95:.0f} ms (p50 {p50:.0f} ms)"
    floor = grab(r"floor \(bare python: imports \+ same calls\)\s+([\d.]+) s", out)
    first_ratio = grab(r"first screenful / floor ([\d.]+)x", out)
    rows.append(Row("first screenful vs the floor (--cluster, 2,000 svc, 30 ms)", target="<= 1.2x the floor"))
    if first is not None and floor is not None and first_ratio is not None:
        rows[-1].value, rows[-1].baseline = fmt_s(first), f"{fmt_s(floor)} (bare imports + the same calls)"
        rows[-1].ratio = f"{first_ratio:.2f}x"
    pane = grab(r"plain opsconsole -> clusters pane\s+([\d.]+) s", out)
    pane_floor = grab(r"plain opsconsole -> clusters pane.*floor ([\d.]+) s", out)
    pane_ratio = grab(r"plain opsconsole -> clusters pane.*ratio ([\d.]+)x", out)
    rows.append(Row("plain opsconsole to the clusters pane vs the floor", target="<= 1.2x the floor"))
    if pane is not None and pane_floor and pane_ratio is not None:
        rows[-1].value, rows[-1].baseline = (
            fmt_s(pane),
            f"{fmt_s(pane_floor)} (bare imports + the same calls)",
        )
        rows[-1].ratio = f"{pane_ratio:.2f}x"
    return rows


def logs_parse(out: str) -> list[Row]:
    rss100 = grab(r"100k: ([\d.]+) MB", out)
    rss10 = grab(r"10k: ([\d.]+) MB", out)
    rss_start = grab(r"RSS at start ([\d.]+) MB", out)
    ingest = grab(r"ingest:.*= ([\d,]+) lines/s", out)
    p95 = grab(r"repaint:.*p95 ([\d.]+) ms", out)
    pane = grab(r"opsconsole pane.*= ([\d,]+) lines/s", out)
    base = grab(r"baseline, .*= ([\d,]+) lines/s", out)
    rows = [Row("log-follow RSS after 100,000 lines", target="<= 150 MB, flat after the bound")]
    if rss100 is not None:
        rows[0].value = f"{rss100:.0f} MB"
        if rss10 is not None:
            rows[0].baseline = f"{rss10:.0f} MB at 10k lines" + (
                f", {rss_start:.0f} MB at start" if rss_start is not None else ""
            )
            rows[0].ratio = f"{rss100 / rss10:.2f}x the 10k figure"
    rows.append(Row("log-follow ingest (bursts of 1,000)", target=">= 5,000 lines/s"))
    if ingest is not None:
        rows[1].value = f"{ingest:,.0f} lines/s"
    rows.append(Row("key latency during log ingest", target="p95 <= 50 ms"))
    if p95 is not None:
        rows[2].value = f"p95 {p95:.0f} ms"
    rows.append(Row("log group read to the end", target="(reference)"))
    if pane is not None:
        rows[3].value = f"{pane:,.0f} lines/s"
        if base is not None:
            rows[3].baseline = f"{base:,.0f} lines/s (boto3 filter_log_events loop)"
            rows[3].ratio = f"{pane / base:.2f}x"
    rows += logs_wire_rows(out)
    return rows


def logs_wire_rows(out: str) -> list[Row]:
    """Issue 20: the range catch-up against the boto3 loop, key latency while reading, RSS in bytes."""
    pane = grab(r"catch-up pane.*= ([\d,]+) lines/s", out)
    cli = grab(r"catch-up CLI.*= ([\d,]+) lines/s", out)
    base = grab(r"catch-up baseline.*= ([\d,]+) lines/s", out)
    p95 = grab(r"catch-up key press -> repaint:.*p95 ([\d.]+) ms", out)
    million = grab(r"RSS after following [\d,]+ lines of 100 B: ([\d.]+) MB", out)
    big = grab(r"RSS after following [\d,]+ events of 256 KB: ([\d.]+) MB", out)
    rows = []
    for label, value in (("logs catch-up, pane (t)", pane), ("logs catch-up, CLI --since/--until", cli)):
        row = Row(label, target=">= 1.0x the boto3 loop")
        if value is not None:
            row.value = f"{value:,.0f} lines/s"
            if base:
                row.baseline = f"{base:,.0f} lines/s (boto3 filter_log_events loop)"
                row.ratio = f"{value / base:.2f}x"
        rows.append(row)
    row = Row("key latency during catch-up", target="p95 <= 50 ms")
    if p95 is not None:
        row.value = f"p95 {p95:.0f} ms"
    rows.append(row)
    for label, value, target in (
        ("RSS after following 1,000,000 lines", million, "<= 150 MB"),
        ("RSS after 2,000 events of 256 KB", big, "<= 250 MB"),
    ):
        row = Row(label, target=target)
        if value is not None:
            row.value = f"{value:.0f} MB"
        rows.append(row)
    return rows


def triage_parse(out: str) -> list[Row]:
    """Issue 17: each service's 24-hour timeline and `why`, the worst of the services benchmarked."""
    timelines = [float(v) for v in re.findall(r"timeline 24 h: ([\d.]+) s", out)]
    whys = [float(v) for v in re.findall(r"  why: ([\d.]+) s", out)]
    calls = [int(v) for v in re.findall(r"timeline 24 h: [\d.]+ s \(target[^)]*\), (\d+) calls", out)]
    floors = [float(v) for v in re.findall(r"one at a time: at least ([\d.]+) s", out)]
    rows = [Row("timeline 24 h of a service (30 ms per call, worst of 3)", target="<= 2 s")]
    if timelines:
        rows[0].value = fmt_s(max(timelines))
        if calls and floors:
            rows[0].baseline = f"{max(calls)} calls, {fmt_s(max(floors))} one at a time"
    rows.append(Row("why of a service (30 ms per call, worst of 3)", target="<= 1 s"))
    if whys:
        rows[1].value = fmt_s(max(whys))
    return rows


def fleet_parse(out: str) -> list[Row]:
    """Issue 18: the synthetic fleet (20 accounts x 3 regions x 100 services, 30 ms per call)."""
    rows = []
    first = re.search(r"first screenful: fleet ([\d.]+) s .*one account ([\d.]+) s \| ratio ([\d.]+)x", out)
    row = Row("fleet first screenful vs one account's", target="<= 1.5x")
    if first:
        row.value, row.baseline, row.ratio = f"{first[1]} s", f"{first[2]} s (one account)", f"{first[3]}x"
    rows.append(row)
    inv = re.search(r"full inventory: fleet ([\d.]+) s.*lower bound ([\d.]+) s \| ratio ([\d.]+)x", out)
    row = Row("fleet full inventory vs one place's lower bound", target="<= 1.3x")
    if inv:
        row.value, row.baseline, row.ratio = f"{inv[1]} s", f"{inv[2]} s (one place's bound)", f"{inv[3]}x"
    rows.append(row)
    denied = re.search(
        r"denying AssumeRole: first screenful ([\d.]+) s against ([\d.]+) s \| adds ([+-][\d.]+) s", out
    )
    row = Row("fleet first screenful with one account denying", target="adds <= 0.2 s")
    if denied:
        row.value, row.baseline, row.ratio = (
            f"{denied[1]} s",
            f"{denied[2]} s (none denying)",
            f"{denied[3]} s",
        )
    rows.append(row)
    return rows


EXTERNAL: dict[str, tuple[Callable[[str], list[Row]], list[str], list[str]]] = {
    # name: (parser of its output, args, args with --quick)
    "tui": (tui_parse, [], ["--keys", "60", "--repeats", "1"]),
    "logs": (logs_parse, [], []),
    "triage": (triage_parse, [], ["--repeats", "2"]),
    "fleet": (fleet_parse, [], ["--repeats", "1"]),
}


def run_script(path: Path, args: list[str], timeout: float) -> str:
    """Run a benchmark script in its own process group: a timeout ends it and whatever it started."""
    proc = subprocess.Popen(
        [sys.executable, str(path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                out, err = proc.communicate(timeout=20)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            out, err = "", ""
        return (out or "") + f"\n(timed out after {timeout:.0f} s)"
    return out + (f"\n(exit {proc.returncode}) {err[-600:]}" if proc.returncode else "")


def external_rows(name: str, quick: bool, timeout: float) -> list[Row]:
    parse, args, quick_args = EXTERNAL[name]
    path = ROOT / "bench" / f"{name}.py"
    if not path.exists():
        return parse("")
    module = importlib.import_module(f"bench.{name}")
    rows_fn: Callable[..., list[dict[str, object]]] | None = getattr(module, "rows", None)
    if callable(rows_fn):
        return [Row.of(d) for d in rows_fn(quick=quick)]
    chosen = quick_args if quick else args
    started = time.monotonic()
    output = run_script(path, chosen, timeout)
    notes.append(
        f"bench/{name}.py {' '.join(chosen)} ({time.monotonic() - started:.0f} s), its output:\n"
        + indent(output)
    )
    return parse(output)


def demo_start_rows(quick: bool) -> list[Row]:
    """`opsconsole demo` to the clusters on screen vs the console on a running demo serve (bench/demo_start.py)."""
    from bench import demo_start

    return [Row.of(d) for d in demo_start.rows(quick)]


def indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.rstrip().splitlines())


# --- the table -------------------------------------------------------------------------------------


def render(rows: list[Row]) -> str:
    header = Row("figure", "value", "baseline (same run)", "ratio", "target")
    cells = [[r.figure, r.value, r.baseline, r.ratio, r.target] for r in [header, *rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    lines = []
    for i, c in enumerate(cells):
        lines.append("| " + " | ".join(c[j].ljust(widths[j]) for j in range(5)) + " |")
        if i == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def load_note() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"
    except OSError:
        return "load average unknown"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller samples (about half the time)")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated: inventory,tui,logs,redrive,envsync,demo_start,triage,fleet",
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds per external benchmark script")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()] or [
        "inventory",
        "tui",
        "logs",
        "redrive",
        "envsync",
        "demo_start",
        "triage",
        "fleet",
    ]
    started = time.monotonic()
    print(
        f"opsconsole benchmarks {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}: "
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; {load_note()}",
        flush=True,
    )
    runners: dict[str, Callable[[], list[Row]]] = {
        "inventory": lambda: inventory_rows(args.quick),
        "tui": lambda: external_rows("tui", args.quick, args.timeout),
        "logs": lambda: external_rows("logs", args.quick, args.timeout),
        "redrive": lambda: redrive_rows(args.quick),
        "envsync": lambda: envsync_rows(args.quick),
        "demo_start": lambda: demo_start_rows(args.quick),
        "triage": lambda: external_rows("triage", args.quick, args.timeout),
        "fleet": lambda: external_rows("fleet", args.quick, args.timeout),
    }
    rows: list[Row] = []
    for name in chosen:
        t = time.monotonic()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            rows += runners[name]()
        except Exception as exc:  # a benchmark that cannot run is a row, never a failure
            rows.append(Row(f"{name}", f"{NA}: {type(exc).__name__}: {' '.join(str(exc).split())[:80]}"))
            notes.append(f"{name} failed:\n" + indent(traceback.format_exc()))
        print(f"  {name}: {time.monotonic() - t:.0f} s", file=sys.stderr, flush=True)
    print()
    print(render(rows))
    print()
    print(f"whole run: {time.monotonic() - started:.0f} s; {load_note()} at the end")
    for note in notes:
        print(f"- {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
