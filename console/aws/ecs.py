"""ECS: clusters, services, tasks and task definitions, read in as few calls as AWS allows.

The number of calls grows with pages, not with services (e1s #335 took five
minutes for 2,000 services because it called per service): services are
listed 100 a page and described 10 at a time, a cluster's tasks are listed
once and described 100 at a time, and batches run concurrently within ECS's
token buckets.  Task definitions are immutable per revision and cached.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.aws.account_access import per_place
from console.aws.paging import Budget, chunks, gather_batches, pages
from console.aws.session import AwsContext
from console.errors import NotFound
from console.model import (
    Cluster,
    Container,
    ContainerDefinition,
    Deployment,
    EnvVar,
    SecretRef,
    Service,
    ServiceEvent,
    Task,
    TaskDefinition,
    short_name,
)

SERVICES_PER_DESCRIBE = 10
TASKS_PER_DESCRIBE = 100
CLUSTERS_PER_DESCRIBE = 100
PAGE_SIZE = 100


def _dt(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def to_deployment(raw: dict[str, Any]) -> Deployment:
    return Deployment(
        id=raw.get("id", ""),
        status=raw.get("status", ""),
        task_definition=raw.get("taskDefinition", ""),
        desired=raw.get("desiredCount", 0),
        running=raw.get("runningCount", 0),
        pending=raw.get("pendingCount", 0),
        failed_tasks=raw.get("failedTasks", 0),
        rollout_state=raw.get("rolloutState", ""),
        rollout_reason=raw.get("rolloutStateReason", ""),
        created_at=_dt(raw.get("createdAt")),
        updated_at=_dt(raw.get("updatedAt")),
    )


def to_service(raw: dict[str, Any], region: str) -> Service:
    breaker = (raw.get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker") or {}
    return Service(
        arn=raw["serviceArn"],
        name=raw.get("serviceName", short_name(raw["serviceArn"])),
        cluster_arn=raw.get("clusterArn", ""),
        region=region,
        status=raw.get("status", ""),
        desired=raw.get("desiredCount", 0),
        running=raw.get("runningCount", 0),
        pending=raw.get("pendingCount", 0),
        task_definition=raw.get("taskDefinition", ""),
        launch_type=raw.get("launchType", "") or _capacity_provider(raw),
        deployments=tuple(to_deployment(d) for d in raw.get("deployments", [])),
        events=tuple(
            ServiceEvent(id=e.get("id", ""), created_at=_dt(e.get("createdAt")), message=e.get("message", ""))
            for e in raw.get("events", [])
        ),
        load_balancers=tuple(raw.get("loadBalancers", [])),
        circuit_breaker=bool(breaker.get("enable")),
        circuit_breaker_rollback=bool(breaker.get("rollback")),
        created_at=_dt(raw.get("createdAt")),
    )


def _capacity_provider(raw: dict[str, Any]) -> str:
    strategy = raw.get("capacityProviderStrategy") or []
    return strategy[0].get("capacityProvider", "") if strategy else ""


def to_task(raw: dict[str, Any], region: str) -> Task:
    return Task(
        arn=raw["taskArn"],
        cluster_arn=raw.get("clusterArn", ""),
        region=region,
        task_definition=raw.get("taskDefinitionArn", ""),
        last_status=raw.get("lastStatus", ""),
        desired_status=raw.get("desiredStatus", ""),
        group=raw.get("group", "") or "",
        health=raw.get("healthStatus", "UNKNOWN") or "UNKNOWN",
        launch_type=raw.get("launchType", ""),
        cpu=str(raw.get("cpu", "") or ""),
        memory=str(raw.get("memory", "") or ""),
        started_at=_dt(raw.get("startedAt")),
        stopped_at=_dt(raw.get("stoppedAt")),
        created_at=_dt(raw.get("createdAt")),
        stopped_reason=raw.get("stoppedReason", "") or "",
        stop_code=raw.get("stopCode", "") or "",
        containers=tuple(
            Container(
                name=c.get("name", ""),
                last_status=c.get("lastStatus", ""),
                exit_code=c.get("exitCode"),
                reason=c.get("reason", "") or "",
                health=c.get("healthStatus", "") or "",
                image=c.get("image", "") or "",
                runtime_id=c.get("runtimeId", "") or "",
            )
            for c in raw.get("containers", [])
        ),
    )


def to_container_definition(raw: dict[str, Any]) -> ContainerDefinition:
    log = raw.get("logConfiguration") or {}
    health = raw.get("healthCheck") or {}
    return ContainerDefinition(
        name=raw.get("name", ""),
        image=raw.get("image", ""),
        cpu=raw.get("cpu", 0) or 0,
        memory=raw.get("memory"),
        essential=raw.get("essential", True),
        ports=tuple(p.get("containerPort", 0) for p in raw.get("portMappings", [])),
        environment=tuple(EnvVar(e["name"], e.get("value", "")) for e in raw.get("environment", [])),
        secrets=tuple(SecretRef(s["name"], s.get("valueFrom", "")) for s in raw.get("secrets", [])),
        environment_files=tuple(f.get("value", "") for f in raw.get("environmentFiles", [])),
        health_check=tuple(health.get("command", [])),
        log_driver=log.get("logDriver", ""),
        log_options=tuple(sorted((log.get("options") or {}).items())),
    )


def to_task_definition(raw: dict[str, Any], tags: list[dict[str, str]] | None = None) -> TaskDefinition:
    return TaskDefinition(
        arn=raw["taskDefinitionArn"],
        family=raw.get("family", ""),
        revision=int(raw.get("revision", 0)),
        status=raw.get("status", ""),
        cpu=str(raw.get("cpu", "") or ""),
        memory=str(raw.get("memory", "") or ""),
        containers=tuple(to_container_definition(c) for c in raw.get("containerDefinitions", [])),
        registered_at=_dt(raw.get("registeredAt")),
        raw={"taskDefinition": raw, "tags": list(tags or [])},
        tags=tuple((t.get("key", ""), t.get("value", "")) for t in tags or []),
    )


@dataclass
class ClusterInventory:
    cluster: Cluster
    services: list[Service] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    _by_group: dict[str, list[Task]] | None = field(default=None, init=False, repr=False, compare=False)
    _indexed: int = field(default=-1, init=False, repr=False, compare=False)

    def tasks_of(self, service_name: str) -> list[Task]:
        """The service's tasks, grouped once (a scan per service is quadratic at 2,000 services)."""
        if getattr(self, "_by_group", None) is None or self._indexed != len(self.tasks):
            by_group: dict[str, list[Task]] = {}
            for task in self.tasks:
                by_group.setdefault(task.group, []).append(task)
            self._by_group = by_group
            self._indexed = len(self.tasks)
        return list(self._by_group.get(f"service:{service_name}", []) if self._by_group else [])


class EcsGateway:
    """Async ECS reads and writes for every region of a profile."""

    def __init__(self, aws: AwsContext, budget: Budget | None = None) -> None:
        self.aws = aws
        self.budget = budget or Budget()
        self._task_defs: dict[str, TaskDefinition] = {}
        self._task_def_pending: dict[str, asyncio.Future[TaskDefinition]] = {}

    async def _client(self, region: str) -> Any:
        return await self.aws.client("ecs", region)

    async def _call(self, region: str, bucket: str, op: str, **kwargs: Any) -> dict[str, Any]:
        client = await self._client(region)
        result: dict[str, Any] = await self.budget.call(region, bucket, getattr(client, op), **kwargs)
        return result

    # --- clusters ---------------------------------------------------------------------
    async def list_cluster_arns(self, region: str) -> list[str]:
        client = await self._client(region)
        arns: list[str] = []
        async for page in pages(
            self.budget, region, "cluster_read", client.list_clusters, maxResults=PAGE_SIZE
        ):
            arns += page.get("clusterArns", [])
        return arns

    async def describe_clusters(self, region: str, arns: Sequence[str]) -> list[Cluster]:
        async def batch(names: Sequence[str]) -> list[Cluster]:
            resp = await self._call(region, "cluster_read", "describe_clusters", clusters=list(names))
            return [
                Cluster(
                    arn=c["clusterArn"],
                    name=c.get("clusterName", short_name(c["clusterArn"])),
                    region=region,
                    status=c.get("status", ""),
                    active_services=c.get("activeServicesCount", 0),
                    running_tasks=c.get("runningTasksCount", 0),
                    pending_tasks=c.get("pendingTasksCount", 0),
                )
                for c in resp.get("clusters", [])
            ]

        return await gather_batches(list(arns), CLUSTERS_PER_DESCRIBE, batch)

    async def clusters(self, regions: Iterable[str], names: Sequence[str] = ()) -> list[Cluster]:
        async def one(region: str) -> list[Cluster]:
            arns = await self.list_cluster_arns(region)
            if names:
                arns = [a for a in arns if short_name(a) in names or a in names]
            return await self.describe_clusters(region, arns) if arns else []

        # In a fleet an account that fails is its row state (aws.access.problems()), not the read's.
        return await per_place(self.aws.access, list(regions), one, timeout=self.aws.account_deadline)

    async def find_cluster(self, regions: Sequence[str], name: str) -> Cluster:
        """A cluster by name or ARN across the regions; NotFound lists close matches.

        DescribeClusters takes names, so the common case is one round trip per region, in
        parallel; only a name that is nowhere lists every region's clusters for suggestions.
        """
        if name and "*" not in name:
            where = [r for r in regions if name.startswith(f"arn:aws:ecs:{r}:")] or list(regions)
            direct = await asyncio.gather(
                *(self.describe_clusters(r, [name]) for r in where), return_exceptions=True
            )
            for batch in direct:  # an error here is met again, and reported, by the listing below
                for cluster in batch if isinstance(batch, list) else ():
                    if name in (cluster.name, cluster.arn) and cluster.status != "INACTIVE":
                        return cluster
        found = await self.clusters(regions)
        for cluster in found:
            if name in (cluster.name, cluster.arn):
                return cluster
        raise NotFound(unknown_name("cluster", name, [c.name for c in found], where=", ".join(regions)))

    # --- services ---------------------------------------------------------------------
    async def list_service_arns(self, region: str, cluster: str) -> list[str]:
        client = await self._client(region)
        arns: list[str] = []
        async for page in pages(
            self.budget, region, "service_read", client.list_services, cluster=cluster, maxResults=PAGE_SIZE
        ):
            arns += page.get("serviceArns", [])
        return arns

    async def service_arn_pages(
        self, region: str, cluster: str, *, after: str | None = None
    ) -> AsyncIterator[list[str]]:
        """A cluster's service ARNs a page at a time, so a screen can show the first page at once.

        ``after``: the token a :meth:`service_arn_page` returned, to go on from there.
        """
        client = await self._client(region)
        async for page in pages(
            self.budget,
            region,
            "service_read",
            client.list_services,
            start=after,
            cluster=cluster,
            maxResults=PAGE_SIZE,
        ):
            yield list(page.get("serviceArns", []))

    async def service_arn_page(self, region: str, cluster: str) -> tuple[list[str], str | None]:
        """The first page of a cluster's service ARNs and the token of the next (None: no more)."""
        resp = await self._call(
            region, "service_read", "list_services", cluster=cluster, maxResults=PAGE_SIZE
        )
        return list(resp.get("serviceArns", [])), resp.get("nextToken") or None

    async def describe_services(self, region: str, cluster: str, names: Sequence[str]) -> list[Service]:
        async def batch(chunk: Sequence[str]) -> list[Service]:
            resp = await self._call(
                region, "service_read", "describe_services", cluster=cluster, services=list(chunk)
            )
            return [to_service(s, region) for s in resp.get("services", [])]

        return await gather_batches(list(names), SERVICES_PER_DESCRIBE, batch)

    async def services(
        self,
        region: str,
        cluster: str,
        *,
        on_listed: Callable[[list[str]], Awaitable[None] | None] | None = None,
    ) -> list[Service]:
        """Every service of a cluster: describes start while later pages are still listed."""
        client = await self._client(region)
        tasks: list[asyncio.Task[list[Service]]] = []
        listed: list[str] = []
        async for page in pages(
            self.budget, region, "service_read", client.list_services, cluster=cluster, maxResults=PAGE_SIZE
        ):
            arns = page.get("serviceArns", [])
            listed += arns
            for chunk in chunks(arns, SERVICES_PER_DESCRIBE):
                tasks.append(asyncio.ensure_future(self.describe_services(region, cluster, chunk)))
        if on_listed is not None:
            maybe = on_listed(listed)
            if maybe is not None:
                await maybe
        results = await asyncio.gather(*tasks)
        return [s for batch in results for s in batch]

    async def service(self, region: str, cluster: str, name: str) -> Service:
        """One service by name or ARN; NotFound (with close matches) if it is gone or never was."""
        resp = await self._call(region, "service_read", "describe_services", cluster=cluster, services=[name])
        found = [s for s in resp.get("services", []) if s.get("status") != "INACTIVE"]
        if found:
            return to_service(found[0], region)
        arns = await self.list_service_arns(region, cluster)
        raise NotFound(
            unknown_name("service", name, [short_name(a) for a in arns], where=short_name(cluster))
        )

    # --- tasks ------------------------------------------------------------------------
    async def list_task_arns(
        self, region: str, cluster: str, *, service: str | None = None, desired_status: str = "RUNNING"
    ) -> list[str]:
        client = await self._client(region)
        kwargs: dict[str, Any] = {
            "cluster": cluster,
            "desiredStatus": desired_status,
            "maxResults": PAGE_SIZE,
        }
        if service:
            kwargs["serviceName"] = short_name(service)
        arns: list[str] = []
        async for page in pages(self.budget, region, "cluster_read", client.list_tasks, **kwargs):
            arns += page.get("taskArns", [])
        return arns

    async def describe_tasks(self, region: str, cluster: str, arns: Sequence[str]) -> list[Task]:
        async def batch(chunk: Sequence[str]) -> list[Task]:
            resp = await self._call(
                region, "cluster_read", "describe_tasks", cluster=cluster, tasks=list(chunk)
            )
            return [to_task(t, region) for t in resp.get("tasks", [])]

        return await gather_batches(list(arns), TASKS_PER_DESCRIBE, batch)

    async def tasks(
        self, region: str, cluster: str, *, service: str | None = None, include_stopped: bool = False
    ) -> list[Task]:
        """The tasks of a cluster (of one service), those asked to stop too with ``include_stopped``.

        ListTasks filters on desiredStatus, so a task asked to stop moves from the RUNNING list
        to the STOPPED list at some moment. Two lists read at once can straddle that moment and
        miss a still-alive task in both (a stop-then-start then deploys before it stopped): the
        RUNNING list is read first and the STOPPED list after it, so a task that moved in between
        is in the second.
        """
        arns = await self.list_task_arns(region, cluster, service=service, desired_status="RUNNING")
        if include_stopped:
            arns += await self.list_task_arns(region, cluster, service=service, desired_status="STOPPED")
        arns = list(dict.fromkeys(arns))
        return await self.describe_tasks(region, cluster, arns) if arns else []

    # --- task definitions -------------------------------------------------------------
    async def task_definition(self, region: str, arn: str) -> TaskDefinition:
        """A revision, fetched once (a revision's content never changes) and shared by concurrent callers."""
        key = f"{region}|{arn}"
        cached = self._task_defs.get(key)
        if cached is not None:
            return cached
        pending = self._task_def_pending.get(key)
        if pending is not None:
            return await pending
        future: asyncio.Future[TaskDefinition] = asyncio.get_running_loop().create_future()
        self._task_def_pending[key] = future
        try:
            resp = await self._call(
                region, "task_def_read", "describe_task_definition", taskDefinition=arn, include=["TAGS"]
            )
            td = to_task_definition(resp["taskDefinition"], resp.get("tags"))
            if ":" in short_name(arn):  # a family name alone means "latest": do not pin it
                self._task_defs[key] = td
            future.set_result(td)
            return td
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            self._task_def_pending.pop(key, None)

    async def task_definition_revisions(self, region: str, family: str, status: str = "ACTIVE") -> list[str]:
        """ARNs of a family's revisions, newest first."""
        client = await self._client(region)
        arns: list[str] = []
        async for page in pages(
            self.budget,
            region,
            "task_def_read",
            client.list_task_definitions,
            familyPrefix=family,
            status=status,
            sort="DESC",
            maxResults=PAGE_SIZE,
        ):
            arns += [a for a in page.get("taskDefinitionArns", []) if short_name(a).split(":")[0] == family]
        return sorted(arns, key=lambda a: int(a.rsplit(":", 1)[-1]), reverse=True)

    # --- writes (used by console.ops only) --------------------------------------------
    async def update_service(self, region: str, cluster: str, service: str, **fields: Any) -> Service:
        """Send exactly the fields given: resending unchanged ones breaks least-privilege roles (e1s #429)."""
        resp = await self._call(
            region, "update_service", "update_service", cluster=cluster, service=service, **fields
        )
        return to_service(resp["service"], region)

    async def service_tags(self, region: str, service_arn: str) -> dict[str, str]:
        resp = await self._call(region, "cluster_read", "list_tags_for_resource", resourceArn=service_arn)
        return {t["key"]: t.get("value", "") for t in resp.get("tags", [])}

    async def tag_service(self, region: str, service_arn: str, tags: dict[str, str]) -> None:
        await self._call(
            region,
            "update_service",
            "tag_resource",
            resourceArn=service_arn,
            tags=[{"key": k, "value": v} for k, v in tags.items()],
        )

    async def untag_service(self, region: str, service_arn: str, keys: Sequence[str]) -> None:
        await self._call(
            region, "update_service", "untag_resource", resourceArn=service_arn, tagKeys=list(keys)
        )

    async def register_task_definition(self, region: str, request: dict[str, Any]) -> TaskDefinition:
        resp = await self._call(region, "register_task_def", "register_task_definition", **request)
        return to_task_definition(resp["taskDefinition"], resp.get("tags"))

    async def stop_task(self, region: str, cluster: str, task: str, reason: str) -> Task:
        resp = await self._call(
            region, "default", "stop_task", cluster=cluster, task=task, reason=reason[:255]
        )
        return to_task(resp["task"], region)

    # --- the whole picture ------------------------------------------------------------
    async def cluster_inventory(self, cluster: Cluster, *, include_tasks: bool = True) -> ClusterInventory:
        coros: list[Awaitable[Any]] = [self.services(cluster.region, cluster.arn)]
        if include_tasks:
            coros.append(self.tasks(cluster.region, cluster.arn))
        results = await asyncio.gather(*coros)
        inv = ClusterInventory(cluster=cluster, services=list(results[0]))
        if include_tasks:
            inv.tasks = list(results[1])
        return inv

    async def inventory(
        self, regions: Sequence[str], *, clusters: Sequence[str] = (), include_tasks: bool = True
    ) -> list[ClusterInventory]:
        found = await self.clusters(regions, clusters)
        return list(
            await asyncio.gather(*(self.cluster_inventory(c, include_tasks=include_tasks) for c in found))
        )


def unknown_name(kind: str, name: str, known: Sequence[str], *, where: str) -> str:
    from console.names import did_you_mean

    return f"unknown {kind} '{name}' in {where}{did_you_mean(short_name(name), known)}"
