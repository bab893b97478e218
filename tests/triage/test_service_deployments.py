"""ListServiceDeployments' records, where the endpoint has them: the timeline's deployments and the
revision a rollback goes to come from them (values as DescribeServiceDeployments returns them)."""

from __future__ import annotations

from datetime import timedelta

from console.aws.service_deployments import to_record
from console.triage import rules
from console.triage.hints import good_revision
from console.triage.timeline import build

from .signals_factory import ACCOUNT, NOW, REGION, deployment, service, signals, task, td_arn

ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/shop/shop-api/"


def record(
    n: int,
    rev: int,
    status: str,
    *,
    created_h: float,
    finished_h: float | None,
    reason: str = "",
    rollback: str = "",
) -> object:
    raw = {
        "serviceDeploymentArn": f"{ARN}d{n}",
        "status": status,
        "statusReason": reason,
        "createdAt": NOW - timedelta(hours=created_h),
        "finishedAt": NOW - timedelta(hours=finished_h) if finished_h is not None else None,
        "targetServiceRevision": {
            "arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-revision/shop/shop-api/{rev}",
            "taskDefinition": td_arn(rev),
        },
    }
    if rollback:
        raw["rollback"] = {"reason": rollback, "serviceRevisionArn": "x"}
    return to_record(raw)


def test_records_drive_the_timeline_and_the_rollback_target() -> None:
    records = (
        record(
            3,
            5,
            "ROLLBACK_SUCCESSFUL",
            created_h=1,
            finished_h=0.8,
            reason="circuit breaker",
            rollback="Circuit breaker triggered",
        ),
        record(2, 4, "SUCCESSFUL", created_h=80, finished_h=79.9),
    )
    svc = service(deployment(4, ago=0.8))
    s = signals(
        svc,
        deployments=records,
        start=NOW - timedelta(hours=90),
        tasks=(
            task(
                5,
                1,
                reason="Essential container in task exited",
                code="EssentialContainerExited",
                exit_code=1,
                stopped_ago=0.9,
            ),
        ),
    )
    entries = [e for e in build(s) if e.kind == "deployment"]
    summaries = [e.summary for e in entries]
    assert summaries[0].startswith("deployment d2 of shop-api:4") and summaries[0].endswith("started")
    assert any(x.startswith("deployment d3 of shop-api:5 (from shop-api:4: image") for x in summaries)
    finished = next(e for e in entries if "ROLLBACK_SUCCESSFUL" in e.summary)
    assert finished.severity == "critical" and "circuit breaker" in finished.summary
    assert good_revision(s, "shop-api:5")[0] == "shop-api:4"
    codes = [f.code for f in rules.findings(s)]
    assert codes[:2] == ["essential-container-exited", "circuit-breaker-rolled-back"]
    breaker = rules.findings(s)[1]
    assert any("service deployment d3 ROLLBACK_SUCCESSFUL" in e.text for e in breaker.evidence)
