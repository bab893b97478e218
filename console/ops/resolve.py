"""Names or ARNs → the service, task or cluster they mean, across the profile's regions.

People type ``wwhd-backend`` or paste an ARN from the console; both must work,
and a typo must say what was meant instead of a botocore stack trace.  An ARN
carries its region; a bare cluster name is looked for in every region of the
profile (concurrently, one paginated list per region).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from console.accounts import ask_account, in_place
from console.aws.account_access import per_place
from console.aws.ecs import EcsGateway
from console.errors import BadInput, NotFound
from console.model import Service, Task, short_name


@dataclass(frozen=True)
class Arn:
    region: str
    resource: str  # "cluster", "service", "task", "task-definition"
    path: tuple[str, ...]  # the parts after the resource type
    account: str = ""

    def place(self, regions: Sequence[str]) -> str:
        """The place of ``regions`` this ARN is in (its account's), else its plain region."""
        return in_place(regions, self.region, self.account)


def parse_arn(text: str) -> Arn | None:
    """``arn:aws:ecs:REGION:ACCOUNT:TYPE/PATH`` → Arn; None if ``text`` is not an ECS ARN."""
    if not text.startswith("arn:"):
        return None
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[2] != "ecs" or not parts[3]:
        raise BadInput(f"not an ECS ARN: '{text}'")
    kind, _, rest = parts[5].partition("/")
    return Arn(region=parts[3], resource=kind, path=tuple(p for p in rest.split("/") if p), account=parts[4])


@dataclass(frozen=True)
class ClusterRef:
    region: str
    arn: str

    @property
    def name(self) -> str:
        return short_name(self.arn)


def close_matches(name: str, known: Sequence[str], n: int = 3) -> list[str]:
    short = short_name(name)
    found = difflib.get_close_matches(short, list(known), n=n, cutoff=0.5)
    found += [k for k in known if short and short.lower() in k.lower() and k not in found]
    return found[:n]


def _hint(name: str, known: Sequence[str]) -> str:
    close = close_matches(name, known)
    return f"; did you mean {', '.join(close)}?" if close else ""


async def resolve_cluster(ecs: EcsGateway, regions: Sequence[str], cluster: str) -> ClusterRef:
    arn = parse_arn(cluster)
    if arn is not None:
        if arn.resource != "cluster" or not arn.path:
            raise BadInput(f"not a cluster ARN: '{cluster}'")
        return ClusterRef(region=arn.place(regions), arn=cluster)

    async def listed_in(region: str) -> list[tuple[str, str]]:
        return [(region, a) for a in await ecs.list_cluster_arns(region)]

    # In a fleet an account that fails is left out (and named by aws.access), as in every listing.
    listed = await per_place(ecs.aws.access, list(regions), listed_in)
    hits = [ClusterRef(r, a) for r, a in listed if short_name(a) == cluster]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        ask_account(f"cluster '{cluster}'", [h.region for h in hits])
        where = ", ".join(h.region for h in hits)
        raise BadInput(f"cluster '{cluster}' exists in {where}: choose one with --region")
    known = sorted({short_name(a) for _, a in listed})
    where = ", ".join(dict.fromkeys(str(r) for r in regions))
    raise NotFound(f"unknown cluster '{cluster}' in {where}{_hint(cluster, known)}")


async def resolve_service(ecs: EcsGateway, regions: Sequence[str], cluster: str, service: str) -> Service:
    """The service named ``service`` (name or ARN) in ``cluster`` (name or ARN)."""
    arn = parse_arn(service)
    if arn is not None:
        if arn.resource != "service" or not arn.path:
            raise BadInput(f"not a service ARN: '{service}'")
        if len(arn.path) >= 2:  # the long ARN format names its cluster
            return await ecs.service(arn.place(regions), arn.path[0], service)
        ref = await resolve_cluster(ecs, (arn.place(regions),), cluster)
        return await ecs.service(ref.region, ref.arn, service)
    ref = await resolve_cluster(ecs, regions, cluster)
    return await ecs.service(ref.region, ref.arn, service)


async def resolve_task(ecs: EcsGateway, regions: Sequence[str], cluster: str, task: str) -> Task:
    """A task by ARN, id, or a unique prefix of its id (as ``docker ps`` shows them)."""
    arn = parse_arn(task)
    if arn is not None:
        if arn.resource != "task" or not arn.path:
            raise BadInput(f"not a task ARN: '{task}'")
        region = arn.place(regions)
        cluster_ref = (
            arn.path[0] if len(arn.path) >= 2 else (await resolve_cluster(ecs, (region,), cluster)).arn
        )
    else:
        ref = await resolve_cluster(ecs, regions, cluster)
        region, cluster_ref = ref.region, ref.arn
    found = await ecs.describe_tasks(region, cluster_ref, [task])
    if found:
        return found[0]
    running = await ecs.list_task_arns(region, cluster_ref)
    ids = [short_name(a) for a in running]
    prefix = short_name(task)
    matches = [a for a in running if short_name(a).startswith(prefix)] if len(prefix) >= 6 else []
    if len(matches) == 1:
        found = await ecs.describe_tasks(region, cluster_ref, matches)
        if found:
            return found[0]
    if len(matches) > 1:
        raise BadInput(f"task id prefix '{prefix}' matches {len(matches)} tasks in {short_name(cluster_ref)}")
    raise NotFound(f"unknown task '{task}' in {short_name(cluster_ref)} ({region}){_hint(task, ids)}")
