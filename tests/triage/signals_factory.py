"""Signal values for the rule tests: a service, its revisions and tasks as AWS would describe them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from console.aws.alarm_history import AlarmDetail
from console.model import (
    Alarm,
    Container,
    ContainerDefinition,
    Deployment,
    Queue,
    SecretRef,
    Service,
    ServiceEvent,
    Task,
    TaskDefinition,
)
from console.triage.signals import Signals

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "ap-south-1"
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/shop"
FAMILY = "shop-api"


def td_arn(rev: int) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{FAMILY}:{rev}"


def revision(
    rev: int, *, image: str = "", secrets: tuple[SecretRef, ...] = (), memory: int = 512
) -> TaskDefinition:
    container = ContainerDefinition(
        name="api",
        image=image or f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shop-api:v1.{rev}.0",
        memory=memory,
        secrets=secrets,
        log_driver="awslogs",
        log_options=(("awslogs-group", "/ecs/shop-api"), ("awslogs-stream-prefix", "ecs")),
    )
    return TaskDefinition(
        arn=td_arn(rev),
        family=FAMILY,
        revision=rev,
        status="ACTIVE",
        containers=(container,),
        registered_at=NOW - timedelta(hours=10 - rev),
    )


def deployment(
    rev: int,
    *,
    status: str = "PRIMARY",
    state: str = "COMPLETED",
    reason: str = "",
    ago: float = 2,
    failed: int = 0,
) -> Deployment:
    at = NOW - timedelta(hours=ago)
    return Deployment(
        id=f"ecs-svc/{rev}00",
        status=status,
        task_definition=td_arn(rev),
        desired=1,
        running=1,
        pending=0,
        failed_tasks=failed,
        rollout_state=state,
        rollout_reason=reason,
        created_at=at,
        updated_at=at + timedelta(minutes=3),
    )


def service(
    *deployments: Deployment, events: tuple[ServiceEvent, ...] = (), desired: int = 1, **kw: Any
) -> Service:
    primary = next((d for d in deployments if d.status == "PRIMARY"), None)
    return Service(
        arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop/shop-api",
        name="shop-api",
        cluster_arn=CLUSTER_ARN,
        region=REGION,
        status="ACTIVE",
        desired=desired,
        running=desired,
        pending=0,
        task_definition=primary.task_definition if primary else td_arn(4),
        deployments=deployments,
        events=events,
        circuit_breaker=True,
        circuit_breaker_rollback=True,
        **kw,
    )


def task(
    rev: int,
    n: int,
    *,
    reason: str = "",
    code: str = "",
    exit_code: int | None = None,
    container_reason: str = "",
    stopped_ago: float | None = 0.1,
    started_ago: float = 0.2,
    image: str = "",
) -> Task:
    stopped = stopped_ago is not None
    return Task(
        arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/shop/{rev:02d}{n:030d}",
        cluster_arn=CLUSTER_ARN,
        region=REGION,
        task_definition=td_arn(rev),
        last_status="STOPPED" if stopped else "RUNNING",
        desired_status="STOPPED" if stopped else "RUNNING",
        group="service:shop-api",
        started_at=NOW - timedelta(hours=started_ago),
        created_at=NOW - timedelta(hours=started_ago),
        stopped_at=NOW - timedelta(hours=stopped_ago) if stopped_ago is not None else None,
        stopped_reason=reason,
        stop_code=code,
        containers=(
            Container(
                name="api",
                last_status="STOPPED" if stopped else "RUNNING",
                exit_code=exit_code,
                reason=container_reason,
                image=image,
            ),
        ),
    )


def alarm(
    name: str,
    state: str = "ALARM",
    *,
    metric: str = "MemoryUtilization",
    queue: str = "",
    threshold: float = 80.0,
) -> AlarmDetail:
    dims = (("QueueName", queue),) if queue else (("ClusterName", "shop"), ("ServiceName", "shop-api"))
    return AlarmDetail(
        alarm=Alarm(
            name=name,
            region=REGION,
            arn=f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
            state=state,
            namespace="AWS/SQS" if queue else "AWS/ECS",
            metric=metric,
            dimensions=dims,
            reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold",
            actions=(f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts",),
        ),
        account=ACCOUNT,
        threshold=threshold,
        comparison="GreaterThanThreshold",
        statistic="Average",
        period=60,
        periods=3,
        updated_at=NOW - timedelta(minutes=20),
    )


def queue(name: str, *, visible: int = 0, dlq_arn: str = "", sources: tuple[str, ...] = ()) -> Queue:
    return Queue(
        url=f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}",
        name=name,
        region=REGION,
        arn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}",
        visible=visible,
        dlq_arn=dlq_arn,
        max_receive_count=3 if dlq_arn else None,
        source_arns=sources,
    )


def signals(svc: Service | None = None, **fields: Any) -> Signals:
    svc = svc or service(deployment(4))
    tds = fields.pop("task_definitions", None) or {
        td.family_revision: td for td in (revision(r) for r in range(1, 6))
    }
    base = Signals(
        account=ACCOUNT, service=svc, start=NOW - timedelta(hours=6), end=NOW, now=NOW, task_definitions=tds
    )
    return replace(base, **fields)
