"""``opsconsole deploy|revisions|diff|abort``: ship an image, see each revision's outcome, stop a bad deploy.

``deploy`` and ``abort`` are operations like ``scale`` (plan, y/N or ``--yes``, ``--dry-run``,
``--wait``; exit 0 done, 1 failed or timed out, 2 bad input, refused or cancelled); ``revisions``
and ``diff`` only read.
"""

from __future__ import annotations

import argparse

from console.aws.context import open_gateways
from console.commands.ops import before_any_change, drive, early_refusal, op_options, pacing_of, service_args
from console.config import Settings
from console.ops.deploy import prepare_deploy
from console.ops.resolve import resolve_service


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


async def run_deploy(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "deploy")
    pacing = pacing_of(args)
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
