"""``opsconsole deploy|revisions|diff|abort``: ship an image, see each revision's outcome, stop a bad deploy.

``deploy`` and ``abort`` are operations like ``scale`` (plan, y/N or ``--yes``, ``--dry-run``,
``--wait``; exit 0 done, 1 failed or timed out, 2 bad input, refused or cancelled); ``revisions``
and ``diff`` only read.
"""

from __future__ import annotations

import argparse
import json
import sys

from console.aws.context import open_gateways
from console.commands.ops import (
    before_any_change,
    drive,
    early_refusal,
    op_options,
    out,
    pacing_of,
    service_args,
)
from console.config import Settings
from console.ops.abort import prepare_abort
from console.ops.deploy import account_of, prepare_deploy
from console.ops.resolve import resolve_service
from console.ops.revision_diff import diff_revisions
from console.ops.revision_outcomes import diff_lines, line, revision_history, revision_pair


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parents = [common, op_options()]
    p = sub.add_parser(
        "deploy",
        parents=parents,
        help="deploy an image tag (or digest) of the container's ECR repository",
        description=(
            "Register a new revision from the running one with only the container's image changed "
            "(checked field by field), then deploy it once. The tag must be in the container's ECR "
            "repository, or nothing is registered."
        ),
    )
    service_args(p)
    p.add_argument("--image", required=True, metavar="TAG|@sha256:DIGEST", help="the tag or digest to deploy")
    p.add_argument("--container", metavar="NAME", help="the container of a multi-container task")
    p.add_argument(
        "--stop-first", action="store_true", help="stop-then-start (default for single-writer services)"
    )
    p.set_defaults(func=run_deploy)

    p = sub.add_parser(
        "abort",
        parents=parents,
        help="stop the deployment in progress and roll back to the previous one",
        description=(
            "StopServiceDeployment (stopType ROLLBACK) of the service's deployment in progress; "
            "with --wait, follow until the previous deployment is steady."
        ),
    )
    service_args(p)
    p.set_defaults(func=run_abort)

    p = sub.add_parser(
        "revisions",
        parents=[common],
        help="each revision with when it was deployed, its outcome, how long it ran steady, who deployed it",
        description=(
            "The family's newest revisions: registered, deployed (service deployments, else DescribeServices), "
            "outcome (steady, failed, rolled back by the breaker, stopped, never deployed), steady for, "
            "deployed by (the audit log, where opsconsole did it)."
        ),
    )
    service_args(p)
    p.add_argument(
        "--json",
        action="store_true",
        help='JSON: {"account", "region", "cluster", "service", "revisions": [...]}',
    )
    p.set_defaults(func=run_revisions)

    p = sub.add_parser(
        "diff",
        parents=[common],
        help="what differs between two revisions of a service's family (secrets by name only)",
        description="Image, environment (secret-looking values masked), secrets (by name), cpu/memory, ports, health check, logs.",
    )
    service_args(p)
    p.add_argument("a", metavar="A", help="revision number, family:revision or ARN")
    p.add_argument("b", metavar="B", help="revision number, family:revision or ARN")
    p.set_defaults(func=run_diff)


async def run_deploy(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "deploy")
    pacing = pacing_of(args, settings)
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await resolve_service(gw.ecs, settings.regions, args.cluster, args.service)
            op = await prepare_deploy(
                gw,
                settings,
                service,
                args.image,
                container=args.container,
                stop_first=args.stop_first,
                pacing=pacing,
            )
        return await drive(args, settings, gw, op)


async def run_abort(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "abort")
    pacing = pacing_of(args, settings)
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await resolve_service(gw.ecs, settings.regions, args.cluster, args.service)
            op = await prepare_abort(gw, settings, service, pacing=pacing)
        return await drive(args, settings, gw, op)


async def run_revisions(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await resolve_service(gw.ecs, settings.regions, args.cluster, args.service)
            history = await revision_history(gw, service)
    if args.json:
        doc = {
            "account": account_of(service.arn),
            "region": service.region,
            "cluster": service.cluster_name,
            "service": service.name,
            "source": history.source,
            "revisions": [o.as_json() for o in history.outcomes],
        }
        print(json.dumps(doc, indent=2 if sys.stdout.isatty() else None, ensure_ascii=False))
        return 0
    out(
        f"revisions of {service.cluster_name}/{service.name} (account {account_of(service.arn)}, {service.region}); "
        f"* running, ! failed; from {history.source}"
    )
    out(f"  {'REVISION':<30} {'REGISTERED':<16} {'DEPLOYED':<16} {'OUTCOME':<26} {'STEADY':>7}")
    for outcome in history.outcomes:
        out(line(outcome))
    return 0


async def run_diff(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await resolve_service(gw.ecs, settings.regions, args.cluster, args.service)
            a, b = await revision_pair(gw.ecs, service, args.a, args.b)
    out(f"{service.cluster_name}/{service.name} (account {account_of(service.arn)}, {service.region})")
    for text in diff_lines(diff_revisions(a, b)):
        out(text)
    return 0
