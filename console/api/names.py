"""Names the ``:`` command line completes and suggests: clusters, services, queues, log groups.

Read on demand when the command line opens, never polled: a listing per region at most
(ListClusters, ListQueues, DescribeLogGroups) or the task definitions of the services in
view for their log groups.  A place's log groups come from the one resolver
(``ConsoleApi.logs.groups_of``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from console.model import Cluster, Service

if TYPE_CHECKING:
    from console.api import ConsoleApi

MAX_LISTED = 200  # a completion list longer than this is typed, not scrolled


async def cluster_names(api: ConsoleApi, regions: Sequence[str], wanted: Sequence[str] = ()) -> list[str]:
    found = await api.gateways.ecs.clusters(regions, wanted)
    return sorted({c.name for c in found})


async def service_names(api: ConsoleApi, clusters: Sequence[Cluster]) -> list[str]:
    per_cluster = await asyncio.gather(
        *(api.gateways.ecs.list_service_arns(c.region, c.arn) for c in clusters)
    )
    return sorted({arn.rsplit("/", 1)[-1] for arns in per_cluster for arn in arns})


async def queue_names(api: ConsoleApi, regions: Sequence[str]) -> list[str]:
    listed = await asyncio.gather(*(api.gateways.sqs.list_queue_urls(r) for r in regions))
    return sorted({url.rstrip("/").rsplit("/", 1)[-1] for urls in listed for url in urls})


async def log_groups_of_place(
    api: ConsoleApi,
    regions: Sequence[str],
    *,
    services: Sequence[Service] = (),
    profile_groups: Sequence[str] = (),
) -> list[str]:
    """The log groups of where the user is: the services' task definitions' awslogs groups,
    else the profile's ``log_groups`` and the regions' groups (at most MAX_LISTED)."""
    if services:
        return sorted({g.name for g in await api.logs.groups_of(regions, services=services)})
    listed = await api.logs.groups_of(regions)
    return list(dict.fromkeys([*profile_groups, *(g.name for g in listed)]))[:MAX_LISTED]
