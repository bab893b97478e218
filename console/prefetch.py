"""The first screen's reads, started before the UI has loaded.

``opsconsole --cluster NAME`` opens on NAME's services. Loading the UI (Textual and the
screens) is a third of a second of CPU; the reads the first screen needs are three round
trips in a row (find the cluster, list the first page of services, describe the first
rows). Done one after the other, the user waits for both. Here the reads start first and
run on the event loop while the UI is imported in a thread, so the waits overlap the
import; the services pane then starts from what was read instead of reading it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from console.aws.context import Gateways
from console.model import Cluster, Service, short_name

FIRST_ROWS = 60  # rows described ahead: a tall terminal's screenful and the margin around it


@dataclass
class FirstView:
    """What the services pane of one cluster shows first: its first page, the top rows described."""

    cluster: Cluster
    first_page: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    next_token: str | None = None  # where the listing goes on; None: the first page was the last


async def read_first_view(
    gateways: Gateways, regions: Sequence[str], cluster: str, rows: int = FIRST_ROWS
) -> FirstView:
    """The cluster, its first page of services, and the first ``rows`` of them by name, described.

    Errors are the gateway's own (NotFound with close matches, AWS errors): the caller
    shows them as it would have shown its own read's.
    """
    found = await gateways.ecs.find_cluster(regions, cluster)
    view = FirstView(found)
    view.first_page, view.next_token = await gateways.ecs.service_arn_page(found.region, found.arn)
    top = sorted(view.first_page, key=short_name)[:rows]  # the pane sorts by name
    if top:
        view.services = await gateways.ecs.describe_services(found.region, found.arn, top)
    return view


def start(gateways: Gateways, regions: Sequence[str], cluster: str) -> asyncio.Task[FirstView]:
    """:func:`read_first_view` as a task of the running loop (it must outlive the UI import)."""
    return asyncio.ensure_future(read_first_view(gateways, regions, cluster))
