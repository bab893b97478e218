"""Each revision of a service with what became of it: registered, deployed, outcome, steady for, by whom.

A revision's history lives in AWS's service deployments (ListServiceDeployments +
DescribeServiceDeployments, where the endpoint has them): each deployment's status says whether it
went steady (SUCCESSFUL), was rolled back by the circuit breaker (ROLLBACK_* with the breaker
TRIGGERED), stopped (STOPPED, or a rollback someone asked for) or failed (stopped by the breaker
with no rollback). Where the endpoint lacks them, DescribeServices' deployments stand in (they
forget a deployment once drained, and the listing says so). Who deployed it comes from the local
audit log, where opsconsole did it. A revision registered after the oldest recorded deployment and
never named by one was never deployed; one older than the records is "no record".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from console.aws.context import Gateways
from console.aws.ecs import EcsGateway
from console.aws.service_deployments import (
    ServiceDeploymentRecord,
    revision_task_definitions,
    service_deployments,
)
from console.errors import describe_aws_error
from console.model import Service, TaskDefinition
from console.ops import audit
from console.ops.deploy import account_of
from console.ops.revision_diff import RevisionDiff
from console.ops.rollback import describe_revision, revision_ref

STEADY, FAILED, BREAKER, STOPPED, NEVER, IN_PROGRESS, NO_RECORD = (
    "steady",
    "failed",
    "rolled back by the breaker",
    "stopped",
    "never deployed",
    "in progress",
    "no record",
)
MARKED = frozenset({FAILED, BREAKER})  # outcomes the picker marks and confirms twice
LIMIT = 20


@dataclass(frozen=True)
class RevisionOutcome:
    account: str
    region: str
    cluster: str
    service: str
    arn: str
    family_revision: str
    revision: int
    status: str  # ACTIVE | INACTIVE
    registered_at: datetime | None
    outcome: str
    reason: str = ""
    deployed_at: datetime | None = None
    steady_s: float | None = None
    deployed_by: str = ""
    deployments: int = 0
    running: bool = False

    @property
    def marked(self) -> bool:
        return self.outcome in MARKED

    def as_json(self) -> dict[str, Any]:
        def iso(at: datetime | None) -> str | None:
            return at.astimezone(UTC).isoformat(timespec="seconds") if at else None

        return {
            "account": self.account,
            "region": self.region,
            "cluster": self.cluster,
            "service": self.service,
            "arn": self.arn,
            "revision": self.family_revision,
            "status": self.status,
            "registered_at": iso(self.registered_at),
            "deployed_at": iso(self.deployed_at),
            "outcome": self.outcome,
            "reason": self.reason,
            "steady_s": round(self.steady_s) if self.steady_s is not None else None,
            "deployed_by": self.deployed_by or None,
            "deployments": self.deployments,
            "running": self.running,
        }


@dataclass(frozen=True)
class RevisionHistory:
    service: Service
    outcomes: tuple[RevisionOutcome, ...]
    source: str  # "service deployments" | "DescribeServices (…)"

    def by_arn(self) -> dict[str, RevisionOutcome]:
        return {o.arn: o for o in self.outcomes}


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m" if minutes else f"{int(seconds)}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours < 48 else f"{hours // 24}d{hours % 24:02d}h"


def outcome_of(rec: ServiceDeploymentRecord) -> tuple[str, str]:
    """(outcome, reason) of one service deployment."""
    status, reason = rec.status, rec.status_reason or rec.rollback_reason
    breaker = rec.breaker_status == "TRIGGERED" or "circuit breaker" in (reason or "").lower()
    if status in ("IN_PROGRESS", "PENDING"):
        return IN_PROGRESS, reason
    if status == "SUCCESSFUL":
        return STEADY, reason
    if status.startswith("ROLLBACK"):
        return (BREAKER if breaker else STOPPED), rec.rollback_reason or reason
    if status in ("STOPPED", "STOP_REQUESTED"):
        return (FAILED if breaker else STOPPED), reason
    return status.lower() or FAILED, reason


def _who(entries: list[dict[str, Any]], family_revision: str) -> str:
    hits = [e for e in entries if (e.get("after") or {}).get("taskDefinition") == family_revision]
    return str(hits[-1].get("caller", "")) if hits else ""


def _of_service(entry: dict[str, Any], service: Service) -> bool:
    target = f"{entry.get('target', '')} "
    return entry.get("region") == service.region and f"{service.cluster_name}/{service.name} " in target


def build(
    service: Service,
    tds: list[TaskDefinition],
    records: list[ServiceDeploymentRecord],
    entries: list[dict[str, Any]],
    now: datetime,
) -> list[RevisionOutcome]:
    """The outcomes of ``tds`` from ``records`` (newest first), pure."""
    ordered = sorted(records, key=lambda r: r.created_at or now)
    oldest = ordered[0].created_at if ordered else None
    out = []
    for td in sorted(tds, key=lambda t: t.revision, reverse=True):
        mine = [r for r in ordered if r.task_definition == td.arn]
        running = td.arn == service.task_definition
        outcome, reason, deployed_at, steady = NEVER, "", None, None
        if mine:
            last = mine[-1]
            outcome, reason = outcome_of(last)
            deployed_at = last.created_at
            if outcome == STEADY and last.finished_at:
                later = [
                    r.created_at for r in ordered if r.created_at and r.created_at > (last.created_at or now)
                ]
                steady = ((later[0] if later else now) - last.finished_at).total_seconds()
        elif running:
            outcome, reason = STEADY if service.rollout_state in ("COMPLETED", "") else IN_PROGRESS, ""
        elif oldest is None or (td.registered_at is not None and td.registered_at < oldest):
            outcome = NO_RECORD
        out.append(
            RevisionOutcome(
                account=account_of(td.arn) or account_of(service.arn),
                region=service.region,
                cluster=service.cluster_name,
                service=service.name,
                arn=td.arn,
                family_revision=td.family_revision,
                revision=td.revision,
                status=td.status,
                registered_at=td.registered_at,
                outcome=outcome,
                reason=reason,
                deployed_at=deployed_at,
                steady_s=max(0.0, steady) if steady is not None else None,
                deployed_by=_who(entries, td.family_revision),
                deployments=len(mine),
                running=running,
            )
        )
    return out


def from_service(service: Service) -> list[ServiceDeploymentRecord]:
    """DescribeServices' deployments as records, where the endpoint has no service deployments."""
    out = []
    for d in service.deployments:
        status = {"COMPLETED": "SUCCESSFUL", "IN_PROGRESS": "IN_PROGRESS"}.get(d.rollout_state, "STOPPED")
        if d.rollout_state == "FAILED" and d.status != "PRIMARY":
            status = "ROLLBACK_IN_PROGRESS"
        out.append(
            ServiceDeploymentRecord(
                arn=d.id,
                status=status,
                status_reason=d.rollout_reason,
                created_at=d.created_at,
                finished_at=d.updated_at if status == "SUCCESSFUL" else None,
                task_definition=d.task_definition,
            )
        )
    return out


async def revision_history(gateways: Gateways, service: Service, *, limit: int = LIMIT) -> RevisionHistory:
    """The family's newest ``limit`` revisions (and the running one) with their outcomes."""
    ecs, region = gateways.ecs, service.region
    current = await ecs.task_definition(region, service.task_definition)
    arns = (await ecs.task_definition_revisions(region, current.family))[:limit]
    if current.arn not in arns:
        arns.append(current.arn)
    tds = list(await asyncio.gather(*(ecs.task_definition(region, a) for a in arns)))
    source = "service deployments"
    try:
        records = await service_deployments(
            gateways.aws, gateways.budget, region, service.cluster_arn, service.name, max_items=100
        )
        missing = [r.target_revision for r in records if not r.task_definition and r.target_revision]
        if missing:
            named = await revision_task_definitions(gateways.aws, gateways.budget, region, missing)
            records = [
                r if r.task_definition else _with_td(r, named.get(r.target_revision, "")) for r in records
            ]
    except Exception as exc:
        records = from_service(service)
        source = f"DescribeServices (no service deployments: {describe_aws_error(exc)})"
    entries = [e for e in audit.entries() if _of_service(e, service) and not e.get("outcome_of")]
    outcomes = build(service, tds, records, entries, datetime.now(UTC))
    return RevisionHistory(service, tuple(outcomes), source)


def _with_td(rec: ServiceDeploymentRecord, task_definition: str) -> ServiceDeploymentRecord:
    from dataclasses import replace

    return replace(rec, task_definition=task_definition)


def line(o: RevisionOutcome) -> str:
    """One row of ``opsconsole revisions``."""
    when = o.registered_at.strftime("%Y-%m-%d %H:%M") if o.registered_at else "?"
    deployed = o.deployed_at.strftime("%Y-%m-%d %H:%M") if o.deployed_at else "-"
    mark = "*" if o.running else ("!" if o.marked else " ")
    by = f"  by {o.deployed_by}" if o.deployed_by else ""
    why = f"  ({o.reason})" if o.reason and o.outcome != STEADY else ""
    return (
        f"{mark} {o.family_revision:<30} {when:<16} {deployed:<16} {o.outcome:<26} "
        f"{duration(o.steady_s):>7}{by}{why}"
    )


async def revision_pair(
    ecs: EcsGateway, service: Service, a: str, b: str
) -> tuple[TaskDefinition, TaskDefinition]:
    """Two revisions of the service's family (numbers, family:revision or ARNs); NotFound names the ACTIVE ones."""
    current = await ecs.task_definition(service.region, service.task_definition)
    refs = [revision_ref(x, current.family) for x in (a, b)]
    first, second = await asyncio.gather(
        *(describe_revision(ecs, service.region, ref, current.family) for ref in refs)
    )
    return first, second


def diff_lines(diff: RevisionDiff) -> list[str]:
    """The diff's lines with secrets by name only (a reference's ARN is not shown)."""
    if diff.empty:
        return diff.lines()
    out = [f"{diff.old} -> {diff.new}:"]
    for entry in diff.entries:
        if entry.kind == "secret":
            name = entry.field.split(" ", 1)[1]
            what = (
                "added"
                if entry.before is None
                else ("removed" if entry.after is None else "reference changed")
            )
            out.append(f"  {entry.container}: secret {name} {what}")
        else:
            out.append(f"  {entry.render()}")
    return out
