"""One resolver of log sources for both front ends: groups, a service's or a task's streams, a container.

``opsconsole logs GROUP… --service C/S --container N`` and the logs pane (``:logs GROUP``,
``l`` on a service, task or container) both come here, so they accept the same things and
fail the same way: an unknown group names its close matches, an unknown container names the
containers that exist, and the same source asked for twice is followed once.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Iterable, Sequence

from console.accounts import near
from console.aws import logs as logs_api
from console.aws.context import Gateways
from console.aws.logs import LogGroup
from console.errors import BadInput, NotFound
from console.literal import literal_text
from console.logs.sources import LogSource, groups_for_service, parse_source, sources_for_task
from console.model import Cluster, Service, Task, TaskDefinition

CLOSE_MATCH_SCAN = 1_000  # group names read (per region) to suggest close matches
MAX_PLACE_GROUPS = 500  # groups listed for ":logs" with no group and no place


def dedupe(sources: Iterable[LogSource]) -> list[LogSource]:
    """Each source once, in the order first asked for."""
    return list(dict.fromkeys(sources))


def close_matches(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Names like ``name`` (a typo, or the part after the last ``/``), best first."""
    known = list(dict.fromkeys(known))
    found = difflib.get_close_matches(name, known, n=n, cutoff=0.6)
    if len(found) < n:  # "docu-cr" for "/ecs/docu-cr-backend": compare the last part too
        tail = name.rsplit("/", 1)[-1].lower()
        found += [k for k in known if tail and tail in k.lower() and k not in found][: n - len(found)]
    return found


def _did_you_mean(hint: Sequence[str]) -> str:
    return f"; did you mean {', '.join(literal_text(h) for h in hint)}?" if hint else ""


async def find_groups(gw: Gateways, regions: Sequence[str], specs: Sequence[str]) -> list[LogSource]:
    """Each GROUP (``NAME``, ``REGION:NAME``, ``NAME:STREAM_PREFIX*``, an ARN) where it exists.

    A name without a region is looked for in every region given and followed
    wherever it exists (the demo's groups live in three regions).
    """
    regions = list(regions) or ["us-east-1"]
    out: list[LogSource] = []
    for spec in specs:
        if not spec.strip():
            continue
        source = parse_source(spec, regions[0])
        explicit = spec.startswith(("arn:", f"{source.region}:"))
        candidates = [source.region] if explicit else regions
        found = await asyncio.gather(
            *(logs_api.describe_log_group(gw.aws, gw.budget, r, source.group) for r in candidates)
        )
        present = [r for r, group in zip(candidates, found, strict=True) if group is not None]
        if not present:
            known = await asyncio.gather(
                *(logs_api.list_log_groups(gw.aws, gw.budget, r, limit=CLOSE_MATCH_SCAN) for r in candidates)
            )
            hint = close_matches(source.group, (g.name for groups in known for g in groups))
            raise NotFound(
                f"log group '{literal_text(source.group)}' not found in {', '.join(candidates)}"
                + _did_you_mean(hint)
            )
        out.extend(LogSource(source.group, r, stream_prefix=source.stream_prefix) for r in present)
    if not out:
        raise BadInput("give a log group: a name, REGION:NAME or a log group ARN")
    return dedupe(out)


async def _task_definitions(gw: Gateways, region: str, arns: Iterable[str]) -> list[TaskDefinition]:
    wanted = [a for a in dict.fromkeys(arns) if a]
    return list(await asyncio.gather(*(gw.ecs.task_definition(region, a) for a in wanted)))


def _check_container(what: str, definitions: Sequence[TaskDefinition], container: str) -> None:
    """NotFound naming the containers that exist, or the driver the container logs with instead."""
    names = list(dict.fromkeys(c.name for td in definitions for c in td.containers))
    if container not in names:
        hint = close_matches(container, names, n=1)
        listed = ", ".join(literal_text(n) for n in names) or "none"
        raise NotFound(
            f"{what} has no container '{literal_text(container)}': its containers are {listed}"
            + _did_you_mean(hint)
        )
    drivers = {c.log_driver or "none" for td in definitions for c in td.containers if c.name == container}
    if "awslogs" not in drivers:
        raise NotFound(
            f"container '{literal_text(container)}' of {what} does not log to CloudWatch "
            f"(log driver: {', '.join(sorted(drivers))})"
        )


def _service_definitions(service: Service) -> list[str]:
    """Every deployment's task definition: during a rollout both revisions' lines are wanted."""
    return [service.task_definition, *(d.task_definition for d in service.deployments)]


async def service_sources(gw: Gateways, service: Service, container: str | None = None) -> list[LogSource]:
    """The log groups of a service's task definitions, narrowed to its (or one container's) streams."""
    definitions = await _task_definitions(gw, service.region, _service_definitions(service))
    what = f"service {literal_text(service.name)}"
    if container:
        _check_container(what, definitions, container)
    found = [
        s for td in definitions for s in groups_for_service(td, service.region, container=container or "")
    ]
    if not found:
        raise NotFound(f"{what} has no awslogs log configuration")
    return dedupe(found)


async def service_spec_sources(
    gw: Gateways, regions: Sequence[str], spec: str, container: str | None = None
) -> list[LogSource]:
    """``CLUSTER/SERVICE`` (names or ARNs; an unknown name lists close matches) -> its sources."""
    from console.ops.resolve import resolve_service

    cluster, sep, name = spec.partition("/")
    if not sep or not cluster or not name:
        raise BadInput(f"--service: '{literal_text(spec)}' is not CLUSTER/SERVICE")
    service = await resolve_service(gw.ecs, regions, cluster, name)
    return await service_sources(gw, service, container)


async def task_sources(gw: Gateways, task: Task, container: str | None = None) -> list[LogSource]:
    """A task's own streams (one per container), or one container's."""
    (td,) = await _task_definitions(gw, task.region, [task.task_definition])
    what = f"task {task.id[:12]}"
    if container:
        _check_container(what, [td], container)
    sources = sources_for_task(td, task.arn, task.region)
    if container:
        sources = [
            LogSource(s.group, s.region, streams=kept, label=s.label)
            for s in sources
            if (kept := tuple(x for x in s.streams if x.split("/")[-2:-1] == [container]))
        ]
    if not sources:
        raise NotFound(f"{what} has no awslogs log configuration")
    return dedupe(sources)


async def resolve(
    gw: Gateways,
    regions: Sequence[str],
    *,
    groups: Sequence[str] = (),
    service: Service | str | None = None,
    task: Task | None = None,
    container: str | None = None,
) -> list[LogSource]:
    """What to follow: the groups given, and/or a service's (object or ``CLUSTER/SERVICE``), a task's."""
    if container and service is None and task is None:
        raise BadInput("a container needs a service or a task: --service CLUSTER/SERVICE --container NAME")
    out: list[LogSource] = []
    if groups:
        out += await find_groups(gw, regions, groups)
    if isinstance(service, str):
        out += await service_spec_sources(gw, regions, service, container)
    elif service is not None:
        out += await service_sources(gw, service, container)
    if task is not None:
        out += await task_sources(gw, task, container)
    if not out:
        raise BadInput("nothing to follow: give a log group, a service or a task")
    return dedupe(out)


def _groups_of_definitions(definitions: Iterable[TaskDefinition], region: str) -> list[LogGroup]:
    seen: dict[tuple[str, str], None] = {}
    for td in definitions:
        for c in td.containers:
            group = c.log_option("awslogs-group") if c.log_driver == "awslogs" else ""
            if group:
                seen[(near(c.log_option("awslogs-region"), region), group)] = None
    return [LogGroup(name=name, region=reg) for reg, name in seen]


async def place_groups(
    gw: Gateways,
    regions: Sequence[str],
    *,
    cluster: Cluster | None = None,
    service: Service | None = None,
    services: Sequence[Service] = (),
) -> list[LogGroup]:
    """The log groups of a place: a service's (or ``services``'), a cluster's services', or (none
    of them) every group of ``regions`` (at most MAX_PLACE_GROUPS a region).

    What ``:logs`` with no group offers: the groups of the place the user is in.
    """
    if service is not None:
        services = [service]
    elif cluster is not None:
        services = await gw.ecs.services(cluster.region, cluster.arn)
    if services:
        return await _groups_of_services(gw, services)
    listed = await asyncio.gather(
        *(logs_api.list_log_groups(gw.aws, gw.budget, r, limit=MAX_PLACE_GROUPS) for r in regions)
    )
    return sorted((g for groups in listed for g in groups), key=lambda g: (g.name, g.region))


async def _groups_of_services(gw: Gateways, services: Sequence[Service]) -> list[LogGroup]:
    """Every deployment's task definition of ``services``, each read once, for their awslogs groups."""
    wanted = list(dict.fromkeys((s.region, a) for s in services for a in _service_definitions(s) if a))
    definitions = await asyncio.gather(*(gw.ecs.task_definition(r, a) for r, a in wanted))
    found = dict.fromkeys(
        g
        for (region, _), td in zip(wanted, definitions, strict=True)
        for g in _groups_of_definitions([td], region)
    )
    return sorted(found, key=lambda g: (g.name, g.region))


__all__ = [
    "close_matches",
    "dedupe",
    "find_groups",
    "place_groups",
    "resolve",
    "service_sources",
    "service_spec_sources",
    "task_sources",
]
