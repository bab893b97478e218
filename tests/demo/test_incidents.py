"""Each incident leaves the evidence an operator would look for, and resolve brings the world back."""

from __future__ import annotations

import time
from typing import Any

import pytest

from console.cli import main
from console.demo import incidents
from tests.demo.helpers import client, messages, poll, service


def steady(svc: dict[str, Any]) -> bool:
    return (
        len(svc["deployments"]) == 1
        and svc["deployments"][0]["rolloutState"] == "COMPLETED"
        and svc["runningCount"] == svc["desiredCount"]
        and svc["pendingCount"] == 0
    )


def stopped(ecs: Any, cluster: str, name: str) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []
    return [t for t in tasks if t["lastStatus"] == "STOPPED"]


def resolved(ecs: Any, cluster: str, name: str, before: str) -> dict[str, Any]:
    return poll(
        lambda: service(ecs, cluster, name),
        lambda s: steady(s) and s["taskDefinition"] == before,
        timeout=30,
    )


def test_every_incident_is_listed_with_what_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    assert incidents.names() == [
        "memory-leak",
        "bad-image",
        "missing-secret",
        "health-check",
        "poison-messages",
        "lock-held",
    ]
    assert main(["demo", "incident", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in incidents.names())
    assert "CannotPullContainerError" in out and "exit code 137" in out


def test_memory_leak_kills_with_137_and_resolve_deploys_the_good_image(world):
    region, cluster, name = incidents.DOCU
    ecs = client(world, "ecs", region)
    before = service(ecs, cluster, name)["taskDefinition"]
    incidents.start("memory-leak", pace=2000)  # 90 GiB a minute: killed within a second of starting
    killed = poll(
        lambda: [t for t in stopped(ecs, cluster, name) if t["containers"][0].get("exitCode") == 137],
        lambda ts: len(ts) >= 1,
        timeout=30,
    )
    assert killed and killed[0]["stoppedReason"] == "OutOfMemoryError: Container killed due to memory usage"
    assert killed[0]["containers"][0]["reason"] == "OutOfMemoryError: Container killed due to memory usage"
    image = ecs.describe_task_definition(taskDefinition=killed[0]["taskDefinitionArn"])["taskDefinition"]
    assert image["containerDefinitions"][0]["image"].endswith("docu-cr-backend:f81d2c4")
    incidents.resolve("memory-leak")
    assert steady(resolved(ecs, cluster, name, before))


def test_bad_image_through_the_cli_and_the_demo_servers_route(world, capsys):
    region, cluster, name = incidents.FRAMERATR
    ecs = client(world, "ecs", region)
    before = service(ecs, cluster, name)["taskDefinition"]
    assert main(["demo", "incident", "bad-image", "--endpoint-url", world.endpoint]) == 0
    assert "started: bad-image" in capsys.readouterr().out
    failed = poll(lambda: stopped(ecs, cluster, name), lambda ts: len(ts) >= 2, timeout=30)
    assert all(t["stoppedReason"].startswith("CannotPullContainerError") for t in failed)
    assert all("frameratr-dev-backend:b4d1e55: not found" in t["stoppedReason"] for t in failed)
    assert service(ecs, cluster, name)["runningCount"] == 1
    assert main(["demo", "incident", "--list", "--endpoint-url", world.endpoint]) == 0
    assert "bad-image        frameratr (under way)" in capsys.readouterr().out
    assert main(["demo", "incident", "resolve", "bad-image", "--endpoint-url", world.endpoint]) == 0
    assert steady(resolved(ecs, cluster, name, before))
    assert main(["demo", "incident", "resolve", "bad-image", "--endpoint-url", world.endpoint]) == 1


def test_missing_secret_names_the_secret_and_the_breaker_rolls_back(world):
    region, cluster, name = incidents.STAGING
    ecs = client(world, "ecs", region)
    before = service(ecs, cluster, name)["taskDefinition"]
    incidents.start("missing-secret")
    svc = poll(
        lambda: service(ecs, cluster, name),
        lambda s: any("rolling back" in m for m in messages(s)) and steady(s),
        timeout=30,
    )
    assert svc["taskDefinition"] == before
    failed = [t for t in stopped(ecs, cluster, name) if t["stopCode"] == "TaskFailedToStart"]
    assert len(failed) >= 3
    assert all(incidents.SECRET in t["stoppedReason"] for t in failed)
    assert all(t["stoppedReason"].startswith("ResourceInitializationError:") for t in failed)
    incidents.resolve("missing-secret")
    sm = client(world, "secretsmanager", region)
    assert "DeletedDate" not in sm.describe_secret(SecretId=incidents.SECRET)
    assert steady(resolved(ecs, cluster, name, before))


def test_health_check_makes_targets_unhealthy_until_resolved(world):
    region, cluster, name = incidents.DV
    ecs = client(world, "ecs", region)
    elb = client(world, "elbv2", region)
    before = service(ecs, cluster, name)["taskDefinition"]
    tg = elb.describe_target_groups(Names=["document-verification-tg"])["TargetGroups"][0]["TargetGroupArn"]
    incidents.start("health-check")
    health = poll(
        lambda: elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"],
        lambda ds: any(d["TargetHealth"]["State"] == "unhealthy" for d in ds),
        timeout=30,
    )
    bad = [d["TargetHealth"] for d in health if d["TargetHealth"]["State"] == "unhealthy"]
    assert bad[0]["Reason"] == "Target.ResponseCodeMismatch"
    assert "[503]" in bad[0]["Description"]
    poll(lambda: stopped(ecs, cluster, name), lambda ts: len(ts) >= 1, timeout=30)
    assert any("Task failed" in t["stoppedReason"] for t in stopped(ecs, cluster, name))
    incidents.resolve("health-check")
    assert steady(resolved(ecs, cluster, name, before))
    final = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    assert final and all(d["TargetHealth"]["State"] in ("healthy", "draining") for d in final)


def test_poison_messages_reach_the_dlq_no_faster_than_the_redrive_policy(world):
    region = "ap-south-1"
    sqs = client(world, "sqs", region)
    dlq = sqs.get_queue_url(QueueName="document-verification-dlq")["QueueUrl"]
    main_q = sqs.get_queue_url(QueueName="document-verification-queue")["QueueUrl"]

    def depth(url: str) -> int:
        attrs = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])

    seeded = depth(dlq)
    started = time.monotonic()
    incidents.start("poison-messages")
    grown = poll(lambda: depth(dlq), lambda n: n > seeded, timeout=40)
    took = time.monotonic() - started
    assert grown > seeded
    visibility = int(
        sqs.get_queue_attributes(QueueUrl=main_q, AttributeNames=["VisibilityTimeout"])["Attributes"][
            "VisibilityTimeout"
        ]
    )
    assert visibility == 900
    # Three receives, each hidden for the (scaled) visibility timeout, before SQS moves it.
    hidden = max(1, round(visibility / world_scale()))
    assert took >= 3 * hidden * 0.9
    logs = client(world, "logs", region)
    events = logs.filter_log_events(logGroupName="/aws/lambda/document-processor", filterPattern="KeyError")[
        "events"
    ]
    assert any("KeyError: 'p60'" in e["message"] for e in events)
    incidents.resolve("poison-messages")
    # Once the queue is empty nothing more can fail into the DLQ: the world is steady again.
    assert poll(lambda: depth(main_q), lambda n: n == 0, timeout=40) == 0


def world_scale() -> float:
    from console.demo.clock import CLOCK

    return CLOCK.scale


def test_lock_held_crash_loops_the_second_task_only(world):
    region, cluster, name = incidents.WWHD
    ecs = client(world, "ecs", region)
    [first] = ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"]
    incidents.start("lock-held")
    loops = poll(lambda: stopped(ecs, cluster, name), lambda ts: len(ts) >= 2, timeout=30)
    assert all(next(c for c in t["containers"] if c["name"] == "qdrant")["exitCode"] == 101 for t in loops)
    assert ecs.describe_tasks(cluster=cluster, tasks=[first])["tasks"][0]["lastStatus"] == "RUNNING"
    incidents.resolve("lock-held")
    svc = poll(
        lambda: service(ecs, cluster, name), lambda s: steady(s) and s["desiredCount"] == 1, timeout=30
    )
    assert steady(svc)
    assert ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"] == [first]
