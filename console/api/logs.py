"""Logs for both front ends: what to follow (one resolver), the groups of a place, a follower.

The logs pane and ``opsconsole logs`` reach CloudWatch Logs only through this, so they
resolve sources the same way (close matches, one source once) and read with the same
engine; the gateways and budgets stay inside the facade.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from console.aws.context import Gateways
from console.aws.logs import LogGroup
from console.aws.paging import Budget
from console.aws.session import AwsContext
from console.config import Settings
from console.logs import resolve as resolver
from console.logs.follow import Follower
from console.logs.sources import LogSource
from console.logs.threaded import ReaderLoop, ThreadedFollower
from console.model import Cluster, Service, Task


class Logs:
    def __init__(self, settings: Settings, gateways: Gateways) -> None:
        self.settings = settings
        self.gateways = gateways

    async def sources(
        self,
        regions: Sequence[str],
        *,
        groups: Sequence[str] = (),
        service: Service | str | None = None,
        task: Task | None = None,
        container: str | None = None,
    ) -> list[LogSource]:
        """What to follow (see :func:`console.logs.resolve.resolve`); NotFound names close matches."""
        return await resolver.resolve(
            self.gateways, regions, groups=groups, service=service, task=task, container=container
        )

    async def groups_of(
        self,
        regions: Sequence[str],
        *,
        cluster: Cluster | None = None,
        service: Service | None = None,
        services: Sequence[Service] = (),
    ) -> list[LogGroup]:
        """The log groups of a place: a service's (or ``services``'), a cluster's, or (none of them)
        every group of ``regions``."""
        return await resolver.place_groups(
            self.gateways, regions, cluster=cluster, service=service, services=services
        )

    def follower(self, sources: Sequence[LogSource], **options: Any) -> Follower:
        """A follow (or a range read) of ``sources`` on this run's clients and FilterLogEvents budget."""
        return Follower(self.gateways.aws, sources, budget=self.gateways.budget, **options)

    def follow_in_thread(self, sources: Sequence[LogSource], **options: Any) -> ThreadedFollower:
        """The same follow, read on a loop of its own in a thread (a UI's loop never parses a page).

        It has its own clients and token buckets at the same rates; two panes reading at once
        may each take the budget's rate, and AWS's throttling (waited out) then paces them.
        """
        aws, budget = self.gateways.aws, self.gateways.budget

        def new_context() -> tuple[AwsContext, Budget]:
            context = AwsContext(profile=aws.profile, endpoint_url=aws.endpoint_url, settings=aws.settings)
            return context, Budget(concurrency=budget.concurrency, buckets=budget.specs)

        # A reader of its own per follow, closed with it: a pooled connection shared with a follow
        # that was stopped was seen to hang the next one's first request.
        return ThreadedFollower(ReaderLoop(new_context), sources, own_reader=True, **options)


__all__ = ["LogGroup", "LogSource", "Logs", "ThreadedFollower"]
