"""Names the ``:`` command line completes and suggests: clusters, services, queues, log groups.

Read on demand when the command line opens, never polled: a listing per region at most
(ListClusters, ListQueues, DescribeLogGroups) or the task definitions of the services in
view for their log groups.  ``log_groups_of_place`` reads through what console.aws has
today; the logs facade (console/api/logs.py) will hold the one resolver of a place's
groups, and this then delegates to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from console.aws import logs as logs_api
from console.aws.context import Gateways
from console.logs.sources import groups_for_service
from console.model import Cluster, Service

MAX_LISTED = 200  # a completion list longer than this is typed, not scrolled
TASK_DEFINITION_READS = 4


async def cluster_names(gw: Gateways, regions: Sequence[str], wanted: Sequence[str] = ()) -> list[str]:
    found = await gw.ecs.clusters(regions, wanted)
    return sorted({c.name for c in found})


async def service_names(gw: Gateways, clusters: Sequence[Cluster]) -> list[str]:
    per_cluster = await asyncio.gather(*(gw.ecs.list_service_arns(c.region, c.arn) for c in clusters))
    return sorted({arn.rsplit("/", 1)[-1] for arns in per_cluster for arn in arns})


async def queue_names(gw: Gateways, regions: Sequence[str]) -> list[str]:
    listed = await asyncio.gather(*(gw.sqs.list_queue_urls(r) for r in regions))
    return sorted({url.rstrip("/").rsplit("/", 1)[-1] for urls in listed for url in urls})


async def log_groups_of_place(
    gw: Gateways,
    regions: Sequence[str],
    *,
    services: Sequence[Service] = (),
    profile_groups: Sequence[str] = (),
) -> list[str]:
    """The log groups of where the user is: the services' task definitions' awslogs groups,
    else the profile's ``log_groups`` and the regions' groups (at most MAX_LISTED)."""
    if services:
        gate = asyncio.Semaphore(TASK_DEFINITION_READS)
        arns = {(s.region, s.task_definition) for s in services if s.task_definition}

        async def groups(region: str, arn: str) -> list[str]:
            async with gate:
                td = await gw.ecs.task_definition(region, arn)
            return [source.group for source in groups_for_service(td, region)]

        found = await asyncio.gather(*(groups(r, a) for r, a in sorted(arns)))
        return sorted({g for gs in found for g in gs})
    listed = await asyncio.gather(
        *(logs_api.list_log_groups(gw.aws, gw.budget, r, limit=MAX_LISTED) for r in regions)
    )
    names = [g.name for gs in listed for g in gs]
    return list(dict.fromkeys([*profile_groups, *sorted(names)]))[:MAX_LISTED]
