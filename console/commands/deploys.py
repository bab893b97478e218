"""``opsconsole deploy|revisions|diff|abort``: ship an image, see each revision's outcome, stop a bad deploy.

``deploy`` and ``abort`` are operations like ``scale`` (plan, y/N or ``--yes``, ``--dry-run``,
``--wait``; exit 0 done, 1 failed or timed out, 2 bad input, refused or cancelled); ``revisions``
and ``diff`` only read.
"""

from __future__ import annotations

import argparse

from console.aws.context import open_gateways
from console.commands.arguments import (
    add_command,
    container_arg,
    json_flag,
    op_options,
    service_args,
    stop_first_flag,
)
from console.commands.flow import before_any_change, operate, out, service_of
from console.commands.output import print_document
from console.config import Settings
from console.ops.abort import prepare_abort
from console.ops.deploy import account_of, prepare_deploy
from console.ops.revision_diff import diff_revisions
from console.ops.revision_outcomes import diff_lines, line, revision_history, revision_pair


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    ops = op_options()
    p = add_command(
        sub,
        "deploy",
        common,
        run_deploy,
        ops,
        help="deploy an image tag (or digest) of the container's ECR repository",
        description=(
            "Register a new revision from the running one with only the container's image changed "
            "(checked field by field), then deploy it once. The tag must be in the container's ECR "
            "repository, or nothing is registered."
        ),
    )
    service_args(p)
    p.add_argument("--image", required=True, metavar="TAG|@sha256:DIGEST", help="the tag or digest to deploy")
    container_arg(p, "the container of a multi-container task")
    stop_first_flag(p)

    p = add_command(
        sub,
        "abort",
        common,
        run_abort,
        ops,
        help="stop the deployment in progress and roll back to the previous one",
        description=(
            "StopServiceDeployment (stopType ROLLBACK) of the service's deployment in progress; "
            "with --wait, follow until the previous deployment is steady."
        ),
    )
    service_args(p)

    p = add_command(
        sub,
        "revisions",
        common,
        run_revisions,
        help="each revision with when it was deployed, its outcome, how long it ran steady, who deployed it",
        description=(
            "The family's newest revisions: registered, deployed (service deployments, else DescribeServices), "
            "outcome (steady, failed, rolled back by the breaker, stopped, never deployed), steady for, "
            "deployed by (the audit log, where opsconsole did it)."
        ),
    )
    service_args(p)
    json_flag(p, 'JSON: {"account", "region", "cluster", "service", "revisions": [...]}')

    p = add_command(
        sub,
        "diff",
        common,
        run_diff,
        help="what differs between two revisions of a service's family (secrets by name only)",
        description="Image, environment (secret-looking values masked), secrets (by name), cpu/memory, ports, health check, logs.",
    )
    service_args(p)
    p.add_argument("a", metavar="A", help="revision number, family:revision or ARN")
    p.add_argument("b", metavar="B", help="revision number, family:revision or ARN")


async def run_deploy(args: argparse.Namespace, settings: Settings | None) -> int:
    return await operate(
        args,
        settings,
        "deploy",
        lambda gw, settings, service, pacing: prepare_deploy(
            gw,
            settings,
            service,
            args.image,
            container=args.container,
            stop_first=args.stop_first,
            pacing=pacing,
        ),
    )


async def run_abort(args: argparse.Namespace, settings: Settings | None) -> int:
    return await operate(args, settings, "abort", prepare_abort)


async def run_revisions(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await service_of(gw, settings, args)
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
        print_document(doc)
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
            service = await service_of(gw, settings, args)
            a, b = await revision_pair(gw.ecs, service, args.a, args.b)
    out(f"{service.cluster_name}/{service.name} (account {account_of(service.arn)}, {service.region})")
    for text in diff_lines(diff_revisions(a, b)):
        out(text)
    return 0
