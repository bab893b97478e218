"""Task fates arise from the world's state, changed with plain boto3 as anyone would change it."""

from __future__ import annotations

import json
from typing import Any

from console.demo.ecr import manifest
from tests.demo.helpers import client, messages, poll, service

FR = ("us-east-2", "frameratr-dev-cluster", "frameratr-dev-backend-service", "frameratr-dev-backend")
STAGING = ("ap-south-1", "asharvi-backend-cluster", "asharvi-backend-staging", "asharvi-backend-staging")
DOCU = ("us-east-1", "docu-cr-backend-cluster", "docu-cr-backend-service", "docu-cr-backend")
DV = (
    "ap-south-1",
    "document-verification-cluster",
    "document-verification-service",
    "document-verification-task",
)


def revise(ecs: Any, family: str, **change: Any) -> str:
    """A new revision of ``family`` with its first container changed (as a deploy script does)."""
    td = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
    containers = [dict(c) for c in td["containerDefinitions"]]
    containers[0].update(change)
    keep = ("cpu", "memory", "networkMode", "requiresCompatibilities", "executionRoleArn", "taskRoleArn")
    return ecs.register_task_definition(
        family=family, containerDefinitions=containers, **{k: td[k] for k in keep if k in td}
    )["taskDefinition"]["taskDefinitionArn"]


def push(ecr: Any, repo: str, tag: str, annotations: dict[str, str] | None = None) -> None:
    body = json.loads(manifest(repo, tag, annotations))
    ecr.put_image(repositoryName=repo, imageManifest=json.dumps(body), imageTag=tag)


def stopped_of(ecs: Any, cluster: str, name: str, revision_arn: str) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="STOPPED")["taskArns"]
    if not arns:
        return []
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    return [t for t in tasks if t["taskDefinitionArn"] == revision_arn and t["lastStatus"] == "STOPPED"]


def test_an_image_tag_never_pushed_stops_with_cannot_pull(world):
    region, cluster, name, family = FR
    ecs = client(world, "ecs", region)
    image = f"123456789012.dkr.ecr.{region}.amazonaws.com/frameratr-dev-backend:a7c3e91"
    arn = revise(ecs, family, image=image)
    ecs.update_service(cluster=cluster, service=name, taskDefinition=arn)
    failed = poll(lambda: stopped_of(ecs, cluster, name, arn), lambda ts: len(ts) >= 1)
    assert failed, "no task of the new revision stopped"
    task = failed[0]
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("CannotPullContainerError: pull image manifest has been retried")
    assert f"failed to resolve ref {image}: {image}: not found" in task["stoppedReason"]
    assert task["containers"][0]["reason"] == task["stoppedReason"]
    assert "exitCode" not in task["containers"][0]
    assert service(ecs, cluster, name)["runningCount"] == 1  # the old task keeps serving

    # Pushing the tag (with plain boto3) is all it takes: the next start pulls it.
    push(client(world, "ecr", region), "frameratr-dev-backend", "a7c3e91")
    svc = poll(
        lambda: service(ecs, cluster, name),
        lambda s: s["deployments"][0]["rolloutState"] == "COMPLETED" and len(s["deployments"]) == 1,
        timeout=30,
    )
    assert svc["deployments"][0]["rolloutState"] == "COMPLETED" and svc["taskDefinition"] == arn


def test_a_deleted_secret_stops_with_resource_initialization_error_naming_it(world):
    region, cluster, name, family = STAGING
    ecs = client(world, "ecs", region)
    sm = client(world, "secretsmanager", region)
    arn_secret = sm.create_secret(Name="asharvi/backend/staging/stripe", SecretString='{"STRIPE_KEY": "sk"}')[
        "ARN"
    ]
    current = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]["containerDefinitions"][0]
    refs = [*current["secrets"], {"name": "STRIPE_KEY", "valueFrom": f"{arn_secret}:STRIPE_KEY::"}]
    arn = revise(ecs, family, secrets=refs)
    sm.delete_secret(SecretId=arn_secret, ForceDeleteWithoutRecovery=True)
    ecs.update_service(cluster=cluster, service=name, taskDefinition=arn)
    failed = poll(lambda: stopped_of(ecs, cluster, name, arn), lambda ts: len(ts) >= 1)
    assert failed
    reason = failed[0]["stoppedReason"]
    assert reason.startswith("ResourceInitializationError: unable to pull secrets or registry auth")
    assert arn_secret in reason and "ResourceNotFoundException" in reason
    assert failed[0]["stopCode"] == "TaskFailedToStart"


def test_a_missing_json_key_is_named(world):
    region, cluster, name, family = STAGING
    ecs = client(world, "ecs", region)
    current = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]["containerDefinitions"][0]
    secret_arn = current["secrets"][0]["valueFrom"].split(":MONGO_URI")[0]
    refs = [*current["secrets"], {"name": "NOPE", "valueFrom": f"{secret_arn}:NO_SUCH_KEY::"}]
    arn = revise(ecs, family, secrets=refs)
    ecs.update_service(cluster=cluster, service=name, taskDefinition=arn)
    failed = poll(lambda: stopped_of(ecs, cluster, name, arn), lambda ts: len(ts) >= 1)
    assert failed and "did not contain json key NO_SUCH_KEY" in failed[0]["stoppedReason"]


def test_a_leaking_container_is_killed_with_exit_137(world):
    region, cluster, name, family = DOCU
    ecs = client(world, "ecs", region)
    # 100 MiB a second: past docu-cr's 512 MiB hard limit within a few seconds of starting.
    push(client(world, "ecr", region), family, "leaky01", {"opsconsole.demo/memory-leak-mb-per-min": "6000"})
    arn = revise(ecs, family, image=f"123456789012.dkr.ecr.{region}.amazonaws.com/{family}:leaky01")
    ecs.update_service(cluster=cluster, service=name, taskDefinition=arn)
    killed = poll(lambda: stopped_of(ecs, cluster, name, arn), lambda ts: len(ts) >= 1, timeout=30)
    assert killed
    task = killed[0]
    container = task["containers"][0]
    assert container["exitCode"] == 137
    assert container["reason"] == "OutOfMemoryError: Container killed due to memory usage"
    assert task["stoppedReason"] == "OutOfMemoryError: Container killed due to memory usage"
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["startedAt"] < task["stoppedAt"]


def test_a_failing_health_path_makes_targets_unhealthy_and_tasks_replaced(world):
    region, cluster, name, family = DV
    ecs = client(world, "ecs", region)
    elb = client(world, "elbv2", region)
    push(
        client(world, "ecr", region),
        "document-verification-backend",
        "20251205-1",
        {"opsconsole.demo/health": "/health=503"},
    )
    image = f"123456789012.dkr.ecr.{region}.amazonaws.com/document-verification-backend:20251205-1"
    arn = revise(ecs, family, image=image)
    old = set(ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"])
    ecs.update_service(cluster=cluster, service=name, taskDefinition=arn)
    tg = elb.describe_target_groups(Names=["document-verification-tg"])["TargetGroups"][0]["TargetGroupArn"]

    def states() -> list[dict[str, Any]]:
        return [
            d["TargetHealth"]
            for d in elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        ]

    seen = poll(states, lambda hs: any(h["State"] == "unhealthy" for h in hs), timeout=30)
    bad = [h for h in seen if h["State"] == "unhealthy"]
    assert bad and bad[0]["Reason"] == "Target.ResponseCodeMismatch"
    assert bad[0]["Description"] == "Health checks failed with these codes: [503]"
    replaced = poll(lambda: stopped_of(ecs, cluster, name, arn), lambda ts: len(ts) >= 2, timeout=30)
    assert len(replaced) >= 2  # replaced, and the replacement failed the same way
    assert {t["stoppedReason"] for t in replaced} <= {
        f"Task failed ELB health checks in (target-group {tg})",
        "Task failed container health checks",
    }
    svc = service(ecs, cluster, name)
    assert any(f"is unhealthy in (target-group {tg})" in m for m in messages(svc))
    # minimumHealthyPercent 100: the old task still serves.
    assert old <= set(ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"])


def test_the_breaker_rolls_back_without_stopping_the_old_healthy_tasks(world):
    region, cluster, name = "ap-south-1", "asharvi-backend-cluster", "asharvi-backend-prod"
    ecs = client(world, "ecs", region)
    old = set(ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"])
    assert len(old) == 3
    ecs.update_service(cluster=cluster, service=name, taskDefinition="asharvi-backend-prod:5")
    svc = poll(
        lambda: service(ecs, cluster, name),
        lambda s: any("rolling back" in m for m in messages(s)) and len(s["deployments"]) == 1,
        timeout=30,
    )
    assert svc["taskDefinition"].endswith(":4") and len(svc["deployments"]) == 1
    assert set(ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"]) == old
    described = ecs.describe_tasks(cluster=cluster, tasks=sorted(old))["tasks"]
    assert all(t["lastStatus"] == "RUNNING" for t in described)
    crashed = stopped_of(ecs, cluster, name, svc["taskDefinition"].replace(":4", ":5"))
    assert len(crashed) >= 3  # the threshold for 3 desired tasks
    assert all(t["containers"][0]["exitCode"] == 1 for t in crashed)
    logs = client(world, "logs", region)
    task_id = crashed[0]["taskArn"].rsplit("/", 1)[-1]
    lines = logs.get_log_events(
        logGroupName="/aws/ecs/asharvi-backend-prod", logStreamName=f"ecs/asharvi-backend/{task_id}"
    )["events"]
    assert any("Cannot find module '/app/dist/config/env.js'" in e["message"] for e in lines)


def test_a_second_wwhd_task_crash_loops_on_qdrants_lock(world):
    ecs = client(world, "ecs", "us-east-1")
    cluster, name = "wwhd-cluster", "wwhd-backend"
    [first] = ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"]
    ecs.update_service(cluster=cluster, service=name, desiredCount=2)

    def crashed() -> list[dict[str, Any]]:
        arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="STOPPED")["taskArns"]
        tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []
        return [t for t in tasks if t["lastStatus"] == "STOPPED"]

    loops = poll(crashed, lambda ts: len(ts) >= 2, timeout=30)
    assert len(loops) >= 2
    for task in loops:
        assert task["stoppedReason"] == "Essential container in task exited"
        qdrant = next(c for c in task["containers"] if c["name"] == "qdrant")
        assert qdrant["exitCode"] == 101
    running = ecs.describe_tasks(cluster=cluster, tasks=[first])["tasks"][0]
    assert running["lastStatus"] == "RUNNING"  # the lock holder is untouched
