"""``opsconsole url CLUSTER [SERVICE]``: the AWS console URL of a cluster or a service, printed.

The line names the account and region beside the URL: the console opens in whichever account
the browser is signed in to, so with several accounts in a profile the line says which one.
"""

from __future__ import annotations

import argparse

from console.aws.context import open_gateways
from console.commands.arguments import add_command, cluster_and_service
from console.commands.flow import out, service_of
from console.config import Settings
from console.links import console_link


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        "url",
        common,
        run_url,
        help="print the AWS console URL of a cluster or a service",
        description="Print the AWS console URL of a cluster (or of one of its services), with its account.",
    )
    cluster_and_service(p, "service name or ARN")
    p.add_argument(
        "--plain", action="store_true", help='the URL alone (for scripts: open "$(opsconsole url …)")'
    )


async def run_url(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    async with open_gateways(settings) as gw:
        if args.service:
            resource: object = await service_of(gw, settings, args)
        else:
            resource = await gw.ecs.find_cluster(settings.regions, args.cluster)
    link = console_link(resource)
    assert link is not None  # a cluster and a service always have one
    out(link.url if args.plain else link.line(settings.endpoint_url))
    return 0
