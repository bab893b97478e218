"""``opsconsole timeline CLUSTER [SERVICE] [--since 6h] [--until …] [--json]``: what changed, when."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from console.api import ConsoleApi
from console.commands.arguments import add_command, cluster_and_service, json_flag
from console.commands.output import print_report
from console.config import Settings
from console.errors import BadInput
from console.triage.render import timeline_lines
from console.triage.timeline import parse_duration, parse_when


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        sub,
        "timeline",
        common,
        run,
        help="what changed and what failed, on one time axis",
        description=(
            "Deployments, service events, task stops (reasons, exit codes), alarm changes, revisions "
            "(with what differs), opsconsole's audit entries, error lines per minute and DLQ depth of a "
            "service (or of every service of a cluster)."
        ),
    )
    cluster_and_service(parser, "service name or ARN (default: all)")
    parser.add_argument("--since", default="6h", help="how far back (e.g. 30m, 6h, 2d; default 6h)")
    parser.add_argument("--until", default=None, help="end of the window (ISO 8601 UTC or a duration ago)")
    json_flag(parser, "JSON: {entries: [{at, kind, source, summary, ref}], sources}")


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
    print_report(args.json, timeline, timeline_lines)
    return 0
