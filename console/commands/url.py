"""``opsconsole url CLUSTER [SERVICE]``: the AWS console URL of a cluster or a service, printed.

The line names the account and region beside the URL: the console opens in whichever account
the browser is signed in to, so with several accounts in a profile the line says which one.
"""

from __future__ import annotations

import argparse

from console.aws.context import open_gateways
from console.commands.ops import out
from console.config import Settings
from console.links import console_link
from console.ops.resolve import resolve_service


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "url",
        parents=[common],
        help="print the AWS console URL of a cluster or a service",
        description="Print the AWS console URL of a cluster (or of one of its services), with its account.",
    )
    p.add_argument("cluster", metavar="CLUSTER", help="cluster name or ARN")
    p.add_argument("service", metavar="SERVICE", nargs="?", help="service name or ARN")
    p.add_argument(
        "--plain", action="store_true", help='the URL alone (for scripts: open "$(opsconsole url …)")'
    )
    p.set_defaults(func=run_url)


async def run_url(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    async with open_gateways(settings) as gw:
        if args.service:
            resource: object = await resolve_service(gw.ecs, settings.regions, args.cluster, args.service)
        else:
            resource = await gw.ecs.find_cluster(settings.regions, args.cluster)
    link = console_link(resource)
    assert link is not None  # a cluster and a service always have one
    out(link.url if args.plain else link.line(settings.endpoint_url))
    return 0
