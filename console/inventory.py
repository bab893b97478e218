"""The inventory: every cluster, service and task of a profile's regions, as stable JSON.

The JSON is a public format for scripts (documented in the README): keys are
only ever added, never renamed or removed, within ``"format": 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from console.accounts import account_of, accounts_in
from console.aws.account_access import AccountProblem
from console.aws.ecs import ClusterInventory, EcsGateway
from console.model import Deployment, Service, Task

FORMAT = 1


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _deployment(d: Deployment) -> dict[str, Any]:
    return {
        "id": d.id,
        "status": d.status,
        "task_definition": d.revision,
        "desired": d.desired,
        "running": d.running,
        "pending": d.pending,
        "failed_tasks": d.failed_tasks,
        "rollout_state": d.rollout_state,
    }


def _task(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "arn": t.arn,
        "last_status": t.last_status,
        "desired_status": t.desired_status,
        "health": t.health,
        "task_definition": t.task_definition.rsplit("/", 1)[-1],
        "started_at": _iso(t.started_at),
        "containers": [{"name": c.name, "last_status": c.last_status} for c in t.containers],
    }


def _service(s: Service, tasks: list[Task]) -> dict[str, Any]:
    return {
        "name": s.name,
        "arn": s.arn,
        "status": s.status,
        "desired": s.desired,
        "running": s.running,
        "pending": s.pending,
        "rollout_state": s.rollout_state,
        "task_definition": s.revision,
        "launch_type": s.launch_type,
        "deployments": [_deployment(d) for d in s.deployments],
        "tasks": [_task(t) for t in sorted(tasks, key=lambda t: t.arn)],
    }


def inventory_json(
    items: Sequence[ClusterInventory], regions: Sequence[str], problems: Sequence[AccountProblem] = ()
) -> dict[str, Any]:
    clusters = []
    for inv in sorted(items, key=lambda i: (i.cluster.account_name, i.cluster.region, i.cluster.name)):
        known = {f"service:{s.name}" for s in inv.services}
        clusters.append(
            {
                "name": inv.cluster.name,
                "arn": inv.cluster.arn,
                "region": str(inv.cluster.region),
                "account": inv.cluster.account,
                "account_name": inv.cluster.account_name,
                "status": inv.cluster.status,
                "running_tasks": sum(1 for t in inv.tasks if t.last_status == "RUNNING"),
                "pending_tasks": sum(1 for t in inv.tasks if t.last_status in ("PENDING", "PROVISIONING")),
                "services": [
                    _service(s, inv.tasks_of(s.name)) for s in sorted(inv.services, key=lambda s: s.name)
                ],
                "other_tasks": [_task(t) for t in inv.tasks if t.group not in known],
            }
        )
    return {
        "format": FORMAT,
        "regions": list(dict.fromkeys(str(r) for r in regions)),
        "accounts": accounts_json(regions, clusters, problems),
        "clusters": clusters,
    }


def accounts_json(
    regions: Sequence[str], clusters: Sequence[dict[str, Any]], problems: Sequence[AccountProblem] = ()
) -> list[dict[str, Any]]:
    """The accounts read: a fleet's (each with its regions and the error that kept it out, or
    None), else the one account the clusters are in."""
    fleet = accounts_in(regions)
    if not fleet:
        ids = sorted({c["account"] for c in clusters if c["account"]})
        return [
            {"id": i, "name": "", "regions": list(dict.fromkeys(map(str, regions))), "error": None}
            for i in ids
        ]
    failed = {p.account.key: p.message for p in problems}
    return [
        {
            "id": a.id,
            "name": a.name,
            "regions": [str(r) for r in regions if account_of(r) == a],
            "error": failed.get(a.key),
        }
        for a in fleet
    ]


async def collect(ecs: EcsGateway, regions: Sequence[str], clusters: Sequence[str] = ()) -> dict[str, Any]:
    found = await ecs.inventory(regions, clusters=clusters)
    return inventory_json(found, regions, ecs.aws.access.problems(accounts_in(regions)))


def render_text(doc: dict[str, Any]) -> str:
    """A plain table for terminals (names printed as data, never as markup)."""
    from console.literal import literal_text as inert

    lines: list[str] = []
    for cluster in doc["clusters"]:
        where = (
            f"{cluster['region']}, {cluster['account_name']}"
            if cluster.get("account_name")
            else cluster["region"]
        )
        lines.append(
            f"{inert(cluster['name'])}  ({where})  services={len(cluster['services'])} "
            f"running={cluster['running_tasks']} pending={cluster['pending_tasks']}"
        )
        for s in cluster["services"]:
            rollout = s["rollout_state"] or "-"
            lines.append(
                f"  {inert(s['name']):<44} {s['running']}/{s['desired']} run/desired  pending={s['pending']}"
                f"  {rollout:<12} {inert(s['task_definition'])}"
            )
    for account in doc.get("accounts", []):
        if account.get("error"):
            lines.append(f"! {inert(account['error'])}")
    if not doc["clusters"]:
        lines.append(f"no ECS clusters in {', '.join(doc['regions'])}")
    return "\n".join(lines)
