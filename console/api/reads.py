"""Reads for the panes and commands: clusters, services with their alarms and metrics, tasks,
queues, log groups, details. The gathers that used to live in the screens are here.

Every read returns values (console.model, console.api.views). A part that is a nicety (alarms,
metrics, a queue's age) never fails the read: it is ``None``/absent in the value and its error
goes to ``on_error``, so a pane shows "?" for it and keeps the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from console.accounts import accounts_in
from console.api.autoscaling import AutoScalingView, read_autoscaling
from console.api.charts import ServiceCharts, service_charts
from console.api.service_listing import ListingView, ServiceListing
from console.api.views import (
    ClustersView,
    FirstView,
    QueueDetail,
    QueuesView,
    RegionAlarms,
    ServiceDetail,
    TaskDetail,
)
from console.aws import logs as logs_api
from console.aws.account_access import AccountProblem
from console.aws.alarms import alarms_or_unknown, firing_alarms, of_queue, of_service
from console.aws.context import Gateways
from console.aws.elb import target_health
from console.aws.sqs import QueueMessage
from console.aws.sts import caller_identity
from console.config import Settings
from console.model import (
    Alarm,
    CallerIdentity,
    Cluster,
    MessageMoveTask,
    Queue,
    Service,
    TargetHealth,
    Task,
    TaskDefinition,
    short_name,
)

# Counting active deployments means describing a cluster's services: done for
# clusters up to this size on every poll, left to the services pane above it.
DEPLOYMENT_COUNT_LIMIT = 200
FIRST_ROWS = 60  # rows described ahead: a tall terminal's screenful and the margin around it
MOVE_TASKS_SHOWN = 10  # AWS keeps up to 10 per DLQ


def _ignore(_exc: Exception) -> None:
    pass


ErrorSink = Callable[[Exception], None]
T = TypeVar("T")


class Reads:
    def __init__(self, settings: Settings, gateways: Gateways) -> None:
        self.settings = settings
        self.gateways = gateways
        self._linked_urls: dict[str, str] = {}  # queue ARN -> URL, resolved once

    def target(self, regions: Sequence[str]) -> str:
        """Where the reads go, for a line that says what is being waited for."""
        if self.settings.endpoint_url:
            return self.settings.endpoint_url
        profile = self.settings.aws_profile
        return f"AWS {', '.join(regions)}" + (f" as profile {profile}" if profile else "")

    def account_problems(self) -> list[AccountProblem]:
        """The fleet's accounts that failed (denied, an expired SSO session, no answer): each a
        pane's row with its one line, read again after a backoff. Empty with no accounts."""
        return self.gateways.aws.access.problems(accounts_in(self.settings.regions))

    # --- alarms -------------------------------------------------------------------------
    async def alarms(self, regions: Sequence[str], on_error: ErrorSink = _ignore) -> RegionAlarms:
        """One DescribeAlarms per region, concurrently; a region that fails is None (and told)."""
        gw = self.gateways
        return RegionAlarms(await alarms_or_unknown(gw.aws, gw.budget, list(regions), on_error))

    # --- clusters -----------------------------------------------------------------------
    async def clusters(self, regions: Sequence[str], names: Sequence[str] = ()) -> list[Cluster]:
        return await self.gateways.ecs.clusters(regions, names)

    async def find_cluster(self, regions: Sequence[str], name: str) -> Cluster:
        """A cluster by name or ARN; NotFound names close matches."""
        return await self.gateways.ecs.find_cluster(regions, name)

    async def clusters_view(
        self,
        regions: Sequence[str],
        names: Sequence[str] = (),
        *,
        on_clusters: Callable[[ClustersView], None] | None = None,
        on_error: ErrorSink = _ignore,
    ) -> ClustersView:
        """Clusters with their alarms and active deployment counts.

        The alarms are read beside the cluster list; ``on_clusters`` gets the clusters as soon as
        they are listed (alarms as far as read), before the deployments are counted. A failing
        cluster list fails the read; failing alarms are "?" and failing counts are left out.
        """
        alarms_read = asyncio.ensure_future(self.alarms(regions, on_error))
        try:
            found = await self.clusters(regions, names)
            if on_clusters is not None:
                alarms = alarms_read.result() if alarms_read.done() else RegionAlarms()
                on_clusters(ClustersView([alarms.named_on(c) for c in found], alarms))
            small = [c for c in found if c.active_services <= DEPLOYMENT_COUNT_LIMIT]
            results = await asyncio.gather(
                *(self.gateways.ecs.services(c.region, c.arn) for c in small), return_exceptions=True
            )
            alarms = await alarms_read
        finally:
            if not alarms_read.done():  # the cluster list failed, or the read was cancelled
                alarms_read.cancel()
        deploying: dict[str, int] = {}
        for cluster, result in zip(small, results, strict=True):
            if isinstance(result, BaseException):
                continue
            deploying[cluster.arn] = sum(
                1 for s in result if s.rollout_state == "IN_PROGRESS" or len(s.deployments) > 1
            )
        return ClustersView([alarms.named_on(c) for c in found], alarms, deploying)

    # --- services -----------------------------------------------------------------------
    def service_listing(
        self,
        clusters: Sequence[Cluster],
        view: ListingView,
        *,
        first_view: FirstView | None = None,
        on_error: ErrorSink = _ignore,
    ) -> ServiceListing:
        """The services of ``clusters`` for a pane: listed, described (shown rows first), metrics, alarms."""
        return ServiceListing(self.gateways, clusters, view, first_view=first_view, on_error=on_error)

    async def first_view(self, regions: Sequence[str], cluster: str, rows: int = FIRST_ROWS) -> FirstView:
        """The cluster, its first page of services, and the first ``rows`` of them by name, described.

        Errors are the gateway's own (NotFound with close matches, AWS errors): the caller
        shows them as it would have shown its own read's.
        """
        ecs = self.gateways.ecs
        found = await ecs.find_cluster(regions, cluster)
        view = FirstView(found)
        view.first_page, view.next_token = await ecs.service_arn_page(found.region, found.arn)
        top = sorted(view.first_page, key=short_name)[:rows]  # the pane sorts by name
        if top:
            view.services = await ecs.describe_services(found.region, found.arn, top)
        return view

    async def service(self, service: Service) -> Service:
        """The service read again (NotFound with close matches when it is gone)."""
        return await self.gateways.ecs.service(service.region, service.cluster_arn, service.name)

    async def service_named(self, cluster: Cluster, name: str) -> Service:
        """``:svc NAME`` in one cluster (NotFound with close matches)."""
        return await self.gateways.ecs.service(cluster.region, cluster.arn, name)

    async def queue_named(self, name: str, regions: Sequence[str]) -> Queue:
        """``:queues NAME``: the queue of that name (or URL/ARN) in ``regions``."""
        return await self.gateways.sqs.resolve(name, regions)

    async def service_detail(self, service: Service, *, on_error: ErrorSink = _ignore) -> ServiceDetail:
        """The service read again, its task definition, target health and alarms, concurrently.

        The service itself must be read; the task definition and targets failing are in
        ``errors`` (the detail shows the rest); alarms failing are None (and told).
        """
        gw = self.gateways
        fresh = await self.service(service)
        groups = fresh.target_group_arns

        async def targets() -> list[TargetHealth] | None:
            return await target_health(gw.aws, gw.budget, fresh.region, groups) if groups else None

        td, found_targets, firing = await asyncio.gather(
            _attempt(self.task_definition(fresh.region, fresh.task_definition)),
            _attempt(targets()),
            self._firing(fresh.region, on_error),
        )
        return ServiceDetail(
            service=fresh,
            task_definition=None if isinstance(td, Exception) else td,
            targets=None if isinstance(found_targets, Exception) else found_targets,
            alarms=None if firing is None else of_service(firing, fresh.cluster_name, fresh.name),
            errors=[r for r in (td, found_targets) if isinstance(r, Exception)],
        )

    async def service_charts(self, service: Service, *, hours: int = 3) -> ServiceCharts:
        """The service's CPU and memory over ``hours`` (per task where Container Insights has it)."""
        return await service_charts(self.gateways, service, hours=hours)

    async def autoscaling(self, service: Service) -> AutoScalingView:
        """The service's Application Auto Scaling target, policies and recent activities."""
        return await read_autoscaling(self.gateways, service)

    async def _firing(self, region: str, on_error: ErrorSink) -> tuple[Alarm, ...] | None:
        """The region's alarms in ALARM state; None (and told) when the read fails: a detail's line."""
        try:
            return await firing_alarms(self.gateways.aws, self.gateways.budget, region)
        except Exception as exc:
            on_error(exc)
            return None

    async def task_definition(self, region: str, arn: str) -> TaskDefinition:
        """A revision (read once: a revision never changes)."""
        return await self.gateways.ecs.task_definition(region, arn)

    async def revisions(self, region: str, family: str) -> list[str]:
        """ARNs of a family's active revisions, newest first."""
        return await self.gateways.ecs.task_definition_revisions(region, family)

    # --- tasks --------------------------------------------------------------------------
    async def tasks(
        self, cluster: Cluster, service: Service | None = None, *, include_stopped: bool = False
    ) -> list[Task]:
        return await self.gateways.ecs.tasks(
            cluster.region,
            cluster.arn,
            service=service.name if service else None,
            include_stopped=include_stopped,
        )

    async def task_detail(self, task: Task, task_definition: TaskDefinition | None = None) -> TaskDetail:
        """The task read again and its task definition (``task_definition`` when already read)."""
        ecs = self.gateways.ecs
        found = await ecs.describe_tasks(task.region, task.cluster_arn, [task.arn])
        fresh = found[0] if found else task
        td = task_definition or await ecs.task_definition(task.region, task.task_definition)
        return TaskDetail(fresh, td)

    # --- queues -------------------------------------------------------------------------
    async def queues(self, regions: Sequence[str], *, ages: bool = True) -> list[Queue]:
        """The queues of the regions (the profile's, when it names some; their DLQs too)."""
        found = list(await self.gateways.sqs.queues(list(regions), ages=ages))
        wanted = tuple(self.settings.profile.queues)
        if wanted:
            found = [q for q in found if q.name in wanted or (q.is_dlq and any(w in q.name for w in wanted))]
        return found

    async def queues_view(self, regions: Sequence[str], *, on_error: ErrorSink = _ignore) -> QueuesView:
        """Queues with counts, DLQ links and oldest-message ages, and the regions' alarms, together."""
        found, alarms = await asyncio.gather(self.queues(regions), self.alarms(regions, on_error))
        return QueuesView(found, alarms)

    async def queue_detail(
        self, queue: Queue, *, on_error: ErrorSink = _ignore
    ) -> tuple[QueueDetail, dict[str, Queue | None]]:
        """One queue (attributes, DLQ sources, oldest age), its move tasks, its alarms, and the
        queues it links to (its sources or its DLQ) by ARN, None for one that cannot be read."""
        sqs = self.gateways.sqs
        q, firing = await asyncio.gather(
            sqs.queue(queue.url, queue.region, detail=True), self._firing(queue.region, on_error)
        )
        arns = [*q.source_arns, *([q.dlq_arn] if q.dlq_arn else [])]

        async def moves() -> list[MessageMoveTask]:
            return await sqs.move_tasks(q.arn, MOVE_TASKS_SHOWN) if q.is_dlq else []

        linked, found_moves = await asyncio.gather(
            asyncio.gather(*(self._linked_queue(a, q.region) for a in arns)), moves()
        )
        alarms = None if firing is None else of_queue(firing, q.region, q.name)
        return QueueDetail(q, tuple(found_moves), alarms), dict(zip(arns, linked, strict=True))

    async def _linked_queue(self, arn: str, near: str) -> Queue | None:
        """A queue ``near``'s queue links to (same account and region, as SQS requires)."""
        sqs = self.gateways.sqs
        try:
            url = self._linked_urls.get(arn)
            if url is None:
                q = await sqs.resolve_arn(arn, near)
                self._linked_urls[arn] = q.url
                return q
            return await sqs.queue(url, q_region(arn, near))
        except Exception:
            return None

    async def peek(self, queue: Queue, n: int) -> list[QueueMessage]:
        """Up to ``n`` messages received with a short visibility and released at once (never deleted)."""
        return await self.gateways.sqs.peek(queue, n)

    # --- logs, identity -----------------------------------------------------------------
    async def log_group_regions(self, group: str, regions: Sequence[str]) -> list[str]:
        """The regions (of ``regions``) where the log group exists, asked concurrently."""
        gw = self.gateways
        found = await asyncio.gather(
            *(logs_api.describe_log_group(gw.aws, gw.budget, r, group) for r in regions)
        )
        return [r for r, g in zip(regions, found, strict=True) if g is not None]

    async def caller_identity(self, region: str) -> CallerIdentity:
        return await caller_identity(self.gateways.aws, region)


def q_region(arn: str, near: str) -> str:
    region = arn.split(":")[3]
    return near if near == region else region


async def _attempt(read: Awaitable[T]) -> T | Exception:
    """A read whose failure is a value: the detail shows the rest and names what is missing."""
    try:
        return await read
    except Exception as exc:
        return exc
