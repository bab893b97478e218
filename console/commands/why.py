"""``opsconsole why CLUSTER SERVICE [--json]``: why a service is failing, most explaining first.

Also :func:`explain_failure`, which the operations call when a verify ends failed, so the
findings are shown right where the failure is.
"""

from __future__ import annotations

import argparse
import asyncio

from console.api import ConsoleApi
from console.aws.context import Gateways
from console.commands.arguments import add_command, json_flag, service_args
from console.commands.output import print_report
from console.config import Settings
from console.errors import BadInput, describe_aws_error
from console.literal import literal_text as inert
from console.ops.plan import OpTarget
from console.triage.render import why_lines
from console.triage.timeline import parse_duration

EXPLAIN_TIMEOUT_S = 15.0  # after a failed verify: the findings help, they must not hold the answer up


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        sub,
        "why",
        common,
        run,
        help="why a service is failing: findings with evidence and the next step",
        description=(
            "Findings ranked by how much they explain, each with a stable code, severity, summary, "
            "evidence (events, stopped reasons, exit codes, target health, alarms, log lines, with times) "
            "and the next step with its command."
        ),
    )
    service_args(parser)
    parser.add_argument("--since", default="6h", help="how far back to look (default 6h)")
    json_flag(parser, "JSON: {findings: [{code, severity, summary, evidence, next}]}")


async def run(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    try:
        since = parse_duration(args.since)
    except ValueError as exc:
        raise BadInput(f"--since: {exc}") from None
    api = ConsoleApi(settings)
    try:
        report = await api.triage.why(args.cluster, args.service, since=since)
    finally:
        await api.close()
    print_report(args.json, report, why_lines)
    return 0


async def explain_failure(settings: Settings, gateways: Gateways, target: OpTarget) -> None:
    """After a failed verify: the service's findings, printed below the events (never raises)."""
    if target.kind != "service" or not target.cluster:
        return
    api = ConsoleApi(settings, gateways)  # the operation's gateways: closing it closes only triage's own
    try:
        service = await api.triage.service_named(target.region, target.cluster, target.name)
        report = await asyncio.wait_for(api.triage.why_of(service, peek=False), EXPLAIN_TIMEOUT_S)
    except Exception as exc:  # the failure itself is what must be reported; this is a help
        print(inert(f"why: could not read the findings ({describe_aws_error(exc)})"), flush=True)
        return
    finally:
        await api.close()
    print("why it failed:", flush=True)
    for line in why_lines(report)[1:]:
        print(inert(f"  {line}"), flush=True)
