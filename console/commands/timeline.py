"""``opsconsole timeline CLUSTER [SERVICE] [--since 6h] [--until …] [--json]``: what changed, when."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from console.api import ConsoleApi
from console.config import Settings
from console.errors import BadInput
from console.literal import literal_text as inert
from console.triage.render import timeline_lines
from console.triage.timeline import parse_duration, parse_when


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "timeline",
        parents=[common],
        help="what changed and what failed, on one time axis",
        description=(
            "Deployments, service events, task stops (reasons, exit codes), alarm changes, revisions "
            "(with what differs), opsconsole's audit entries, error lines per minute and DLQ depth of a "
            "service (or of every service of a cluster)."
        ),
    )
    parser.add_argument("cluster", metavar="CLUSTER", help="cluster name or ARN")
    parser.add_argument("service", metavar="SERVICE", nargs="?", help="service name or ARN (default: all)")
    parser.add_argument("--since", default="6h", help="how far back (e.g. 30m, 6h, 2d; default 6h)")
    parser.add_argument("--until", default=None, help="end of the window (ISO 8601 UTC or a duration ago)")
    parser.add_argument(
        "--json", action="store_true", help="JSON: {entries: [{at, kind, source, summary, ref}], sources}"
    )
    parser.set_defaults(func=run)


def window_of(args: argparse.Namespace) -> tuple[object, datetime | None]:
    try:
        since = parse_duration(args.since)
        until = parse_when(args.until, datetime.now(UTC)) if args.until else None
    except ValueError as exc:
        raise BadInput(f"--since/--until: {exc}") from None
    if since.total_seconds() <= 0:
        raise BadInput("--since must be positive")
    return since, until


async def run(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    since, until = window_of(args)
    api = ConsoleApi(settings)
    try:
        timeline = await api.triage.timeline(args.cluster, args.service, since=since, until=until)  # type: ignore[arg-type]
    finally:
        await api.close()
    if args.json:
        print(json.dumps(timeline.as_json(), indent=2 if sys.stdout.isatty() else None, ensure_ascii=False))
    else:
        for line in timeline_lines(timeline):
            print(inert(line))
    return 0
