"""``opsconsole logs GROUP… [--follow]``: read or follow CloudWatch logs without the TUI.

The same follow engine as the logs pane (no gaps, no duplicates, backoff on
throttling).  Every message goes through ``literal_text`` unless ``--raw``, so
a log line cannot move the cursor, write the clipboard (OSC 52) or plant a
link in the operator's terminal; ``--json`` escapes everything JSON escapes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import IO

from console.api import ConsoleApi
from console.commands.arguments import add_command
from console.config import Settings
from console.errors import BadInput
from console.literal import literal_text
from console.logs.filter import LineFilter
from console.logs.follow import Batch, FollowStats
from console.logs.loglevel import ErrorBlocks, Level, detect_level
from console.logs.sources import stream_label, stream_slot
from console.logs.timespec import format_ms, now_ms, parse_range_ms
from console.model import LogEvent, short_name

DEFAULT_SINCE = "10m"  # as aws logs tail
_COLOURS = ("36", "33", "35", "32", "34", "96", "93", "95", "92", "94")  # ANSI SGR foregrounds
_LEVEL_COLOURS = {Level.ERROR: "31", Level.WARN: "33"}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        "logs",
        common,
        run,
        help="read or follow CloudWatch log groups",
        description=(
            "Print the events of log groups (interleaved by time), or follow them like "
            "`aws logs tail --follow`. GROUP is a name, REGION:NAME, NAME:STREAM_PREFIX or a log group ARN. "
            "Control characters in messages are shown as visible symbols unless --raw."
        ),
    )
    p.add_argument("groups", nargs="*", metavar="GROUP", help="log group(s) to read")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing new events until interrupted")
    p.add_argument(
        "--since", metavar="T", help=f"start: 15m, 1h, 2d, ISO-8601 or epoch ms (default {DEFAULT_SINCE})"
    )
    p.add_argument(
        "--until", metavar="T", help="end: same forms as --since (default: now, or forever with -f)"
    )
    p.add_argument(
        "--filter", metavar="PATTERN", default="", help="CloudWatch filter pattern, applied by AWS"
    )
    p.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="Q",
        help='keep lines matching Q: terms (all), !term, "a phrase", /regex/, a | b (repeatable: any)',
    )
    p.add_argument(
        "--exclude", action="append", default=[], metavar="Q", help="drop lines matching Q (repeatable)"
    )
    p.add_argument(
        "-i", "--ignore-case", action="store_true", help="every term ignores case (default: smart case)"
    )
    p.add_argument("--service", metavar="CLUSTER/SERVICE", help="the log groups and streams of a service")
    p.add_argument("--container", metavar="NAME", help="with --service: only this container's streams")
    p.add_argument("--errors", action="store_true", help="only lines detected as ERROR")
    p.add_argument("--json", action="store_true", help="one JSON object per event (escaped, never raw)")
    p.add_argument(
        "--raw", action="store_true", help="print messages exactly as stored (control bytes included)"
    )
    p.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour streams (default auto)"
    )
    p.add_argument("--interval", type=float, default=1.0, metavar="S", help=argparse.SUPPRESS)


# --- output ---------------------------------------------------------------------------------


class Printer:
    """Formats events for a terminal or a pipe; the only writer of stdout in this command."""

    def __init__(self, out: IO[bytes], *, mode: str, colour: bool, show_group: bool) -> None:
        self.out = out
        self.mode = mode  # "text" | "json" | "raw"
        self.colour = colour
        self.show_group = show_group
        self.count = 0

    def line(self, event: LogEvent, region: str) -> str:
        if self.mode == "json":
            level = detect_level(event.message)
            doc = {
                "time": format_ms(event.timestamp),
                "timestamp": event.timestamp,
                "group": event.group,
                "region": region,
                "stream": event.stream,
                "event_id": event.event_id,
                "level": level.label or None,
                "message": event.message,
            }
            # ensure_ascii: a C1 control (U+009B, a one-character CSI) leaves as \\u009b, not as a byte.
            return json.dumps(doc, ensure_ascii=True)
        label = stream_label(event.stream)
        if self.show_group:
            label = f"{short_name(event.group)}:{label}"
        label = literal_text(label, max_len=80)
        if self.mode == "raw":
            message = event.message[:-1] if event.message.endswith("\n") else event.message
        else:
            message = literal_text(event.message)
        stamp = format_ms(event.timestamp)
        if not self.colour:
            return f"{stamp} {label} {message}"
        slot = _COLOURS[stream_slot(f"{event.group}|{event.stream}", len(_COLOURS))]
        level_colour = _LEVEL_COLOURS.get(detect_level(event.message))
        text = f"\x1b[{level_colour}m{message}\x1b[0m" if level_colour else message
        return f"\x1b[2m{stamp}\x1b[0m \x1b[{slot}m{label}\x1b[0m {text}"

    def write(self, batch: Batch, regions: dict[str, str]) -> None:
        if not batch:
            return
        lines = [self.line(e, regions.get(e.group, "")) for e in batch]
        data = ("\n".join(lines) + "\n").encode(
            "utf-8", "replace" if self.mode != "raw" else "surrogateescape"
        )
        self.out.write(data)
        self.out.flush()
        self.count += len(batch)


def wants_colour(choice: str, stream: IO[bytes] | IO[str], mode: str) -> bool:
    if mode == "json" or choice == "never":
        return False
    if choice == "always":
        return True
    return bool(stream.isatty()) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def status_reporter() -> Callable[[FollowStats], None]:
    """Say on stderr when the follow starts waiting out errors, once per distinct error."""
    last = [""]

    def report(stats: FollowStats) -> None:
        if stats.last_error and stats.last_error != last[0]:
            print(
                f"opsconsole: {literal_text(stats.last_error)} (retrying in {stats.retry_in:.0f}s)",
                file=sys.stderr,
            )
        last[0] = stats.last_error

    return report


# --- the command ----------------------------------------------------------------------------


async def run(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    if not args.groups and not args.service:
        raise BadInput("give at least one log GROUP or --service CLUSTER/SERVICE")
    if args.json and args.raw:
        raise BadInput("--json and --raw do not go together (JSON output is always escaped)")
    if args.container and not args.service:
        raise BadInput("--container needs --service")
    since, until = parse_range_ms(args.since or DEFAULT_SINCE, args.until)
    line_filter = LineFilter.build(args.include, args.exclude, ignore_case=args.ignore_case)
    mode = "json" if args.json else "raw" if args.raw else "text"
    out = sys.stdout.buffer
    api = ConsoleApi(settings)
    try:
        sources = await api.logs.sources(
            settings.regions or ("us-east-1",),
            groups=args.groups,
            service=args.service or None,
            container=args.container,
        )
        printer = Printer(
            out,
            mode=mode,
            colour=wants_colour(args.color, sys.stdout, mode),
            show_group=len({s.group for s in sources}) > 1,
        )
        regions = {s.group: s.region for s in sources}
        follower = api.logs.follower(
            sources,
            since=since,
            until=until if args.follow else (until if until is not None else now_ms()),
            pattern=args.filter,
            line_filter=line_filter,
            interval=max(0.05, args.interval),
            on_status=status_reporter(),
        )

        blocks = ErrorBlocks()

        def keep(batch: Batch) -> Batch:
            if args.errors:  # a traceback's lines are kept whole, not only those that name an error
                return [e for e in batch if blocks.level(e) >= Level.ERROR]
            return batch

        try:
            if args.follow:
                async for batch in follower:
                    printer.write(keep(batch), regions)
            else:
                async for batch in follower.history():
                    printer.write(keep(batch), regions)
        except BrokenPipeError:
            # `| head`: the reader is gone. Point stdout at /dev/null so the exit flush is quiet.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 0
    finally:
        await api.close()
    return 0
