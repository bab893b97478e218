"""ECS service deployments as AWS records them (ListServiceDeployments / DescribeServiceDeployments).

These keep a service's deployment history beyond the ``deployments[]`` of DescribeServices (which
forgets a deployment once it is drained) with start, finish, rollback and circuit-breaker facts.
An endpoint without them (an older LocalStack, a plain moto) answers with an error the caller turns
into "service deployments: not available, events used instead".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.aws.paging import Budget, chunks
from console.aws.session import AwsContext
from console.model import short_name

DESCRIBE_BATCH = 20  # DescribeServiceDeployments takes at most 20 ARNs


@dataclass(frozen=True, slots=True)
class ServiceDeploymentRecord:
    arn: str
    status: str  # PENDING | IN_PROGRESS | SUCCESSFUL | STOPPED | ROLLBACK_* ...
    status_reason: str = ""
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    target_revision: str = ""  # the service revision ARN (or task definition, when the endpoint gives it)
    task_definition: str = ""
    rollback_reason: str = ""
    rollback_to: str = ""
    breaker_status: str = ""
    breaker_failures: int | None = None
    breaker_threshold: int | None = None

    @property
    def id(self) -> str:
        return short_name(self.arn)


def _dt(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def to_record(raw: dict[str, Any]) -> ServiceDeploymentRecord:
    target = raw.get("targetServiceRevision") or {}
    rollback = raw.get("rollback") or {}
    breaker = raw.get("deploymentCircuitBreaker") or {}
    return ServiceDeploymentRecord(
        arn=raw.get("serviceDeploymentArn", ""),
        status=raw.get("status", ""),
        status_reason=raw.get("statusReason", "") or "",
        created_at=_dt(raw.get("createdAt")),
        started_at=_dt(raw.get("startedAt")),
        finished_at=_dt(raw.get("finishedAt") or raw.get("stoppedAt")),
        target_revision=target.get("arn", "") or raw.get("targetServiceRevisionArn", ""),
        task_definition=target.get("taskDefinition", "") or raw.get("taskDefinition", ""),
        rollback_reason=rollback.get("reason", "") or "",
        rollback_to=rollback.get("serviceRevisionArn", "") or "",
        breaker_status=breaker.get("status", "") or "",
        breaker_failures=breaker.get("failureCount"),
        breaker_threshold=breaker.get("threshold"),
    )


async def service_deployments(
    aws: AwsContext,
    budget: Budget,
    region: str,
    cluster: str,
    service: str,
    *,
    after: datetime | None = None,
    max_items: int = 20,
) -> list[ServiceDeploymentRecord]:
    """The service's deployments created after ``after``, newest first, at most ``max_items``.

    One ListServiceDeployments page and one DescribeServiceDeployments per 20: bounded calls.
    """
    client = await aws.client("ecs", region)
    kwargs: dict[str, Any] = {"cluster": cluster, "service": service, "maxResults": min(100, max_items)}
    if after is not None:
        kwargs["createdAt"] = {"after": after}
    listed = await budget.call(region, "service_read", client.list_service_deployments, **kwargs)
    briefs = listed.get("serviceDeployments", [])[:max_items]
    arns = [b["serviceDeploymentArn"] for b in briefs if b.get("serviceDeploymentArn")]
    described: dict[str, ServiceDeploymentRecord] = {}
    for batch in chunks(arns, DESCRIBE_BATCH):
        resp = await budget.call(
            region, "service_read", client.describe_service_deployments, serviceDeploymentArns=list(batch)
        )
        for raw in resp.get("serviceDeployments", []):
            rec = to_record(raw)
            described[rec.arn] = rec
    out = [described.get(b["serviceDeploymentArn"]) or to_record(b) for b in briefs]
    return sorted(out, key=lambda r: r.created_at or datetime.min, reverse=True)


async def revision_task_definitions(
    aws: AwsContext, budget: Budget, region: str, revision_arns: Sequence[str]
) -> dict[str, str]:
    """Service revision ARN -> its task definition (DescribeServiceRevisions, 20 a call)."""
    client = await aws.client("ecs", region)
    out: dict[str, str] = {}
    for batch in chunks(list(dict.fromkeys(a for a in revision_arns if a)), DESCRIBE_BATCH):
        resp = await budget.call(
            region, "service_read", client.describe_service_revisions, serviceRevisionArns=list(batch)
        )
        for raw in resp.get("serviceRevisions", []):
            out[raw.get("serviceRevisionArn", "")] = raw.get("taskDefinition", "")
    return out


async def stop_service_deployment(
    aws: AwsContext, budget: Budget, region: str, arn: str, *, stop_type: str = "ROLLBACK"
) -> str:
    """StopServiceDeployment: ``ROLLBACK`` puts the last successful deployment back. Returns the ARN."""
    client = await aws.client("ecs", region)
    resp = await budget.call(
        region, "update_service", client.stop_service_deployment, serviceDeploymentArn=arn, stopType=stop_type
    )
    return str(resp.get("serviceDeploymentArn", arn))
