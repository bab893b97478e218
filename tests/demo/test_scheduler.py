"""ECS behaviour the demo supplies: desired counts, rollouts, the circuit breaker, AWS-like events."""

from __future__ import annotations

from tests.demo.helpers import client, messages, poll, service

FR = ("us-east-2", "frameratr-dev-cluster", "frameratr-dev-backend-service")
PROD = ("ap-south-1", "asharvi-backend-cluster", "asharvi-backend-prod")


def steady(svc):
    """A steady service as the waiter sees it, and the scheduler has said so in its events."""
    return (
        bool(svc["events"])
        and svc["events"][0]["message"].endswith("has reached a steady state.")
        and len(svc["deployments"]) == 1
        and svc["deployments"][0]["rolloutState"] == "COMPLETED"
        and svc["runningCount"] == svc["desiredCount"]
        and svc["pendingCount"] == 0
    )


def test_scale_up_then_down_with_truthful_counts(world):
    region, cluster, name = FR
    ecs = client(world, "ecs", region)
    answer = ecs.update_service(cluster=cluster, service=name, desiredCount=4)["service"]
    # moto would say runningCount=4 at once; the demo tells the truth.
    assert answer["desiredCount"] == 4 and answer["runningCount"] == 1
    seen_pending = []
    svc = poll(
        lambda: service(ecs, cluster, name),
        lambda s: seen_pending.append(s["pendingCount"]) or s["runningCount"] == 4,
        timeout=10,
    )
    assert svc["runningCount"] == 4 and svc["pendingCount"] == 0
    assert max(seen_pending) > 0  # tasks went through PENDING
    tasks = ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"]
    assert len(tasks) == 4
    described = ecs.describe_tasks(cluster=cluster, tasks=tasks)["tasks"]
    assert all(t["group"] == f"service:{name}" and t["lastStatus"] == "RUNNING" for t in described)
    assert (
        any(m.startswith(f"(service {name}) has started 3 tasks: (task ") for m in messages(svc))
        or sum(m.count("(task ") for m in messages(svc) if "has started" in m) >= 4
    )

    ecs.update_service(cluster=cluster, service=name, desiredCount=1)
    svc = poll(
        lambda: service(ecs, cluster, name), lambda s: s["runningCount"] == 1 and steady(s), timeout=10
    )
    assert svc["runningCount"] == 1
    assert any("has stopped 3 running tasks" in m for m in messages(svc))
    assert messages(svc)[0] == f"(service {name}) has reached a steady state."
    stopped = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="STOPPED")["taskArns"]
    assert len(stopped) == 3
    gone = poll(
        lambda: ecs.describe_tasks(cluster=cluster, tasks=stopped)["tasks"],
        lambda ts: all(t["lastStatus"] == "STOPPED" for t in ts),
    )
    assert all(
        t["lastStatus"] == "STOPPED" and t["stopCode"] == "ServiceSchedulerInitiated" and t["stoppedAt"]
        for t in gone
    )
    cluster_info = ecs.describe_clusters(clusters=[cluster])["clusters"][0]
    assert cluster_info["runningTasksCount"] == 1 and cluster_info["pendingTasksCount"] == 0


def test_forced_deployment_rolls_to_completed(world):
    region, cluster, name = PROD
    ecs = client(world, "ecs", region)
    before = service(ecs, cluster, name)
    old_id = before["deployments"][0]["id"]
    old_tasks = set(ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"])
    ecs.update_service(cluster=cluster, service=name, forceNewDeployment=True)
    during = service(ecs, cluster, name)
    assert [d["status"] for d in during["deployments"]] == ["PRIMARY", "ACTIVE"]
    assert during["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert during["deployments"][1]["id"] == old_id
    seen_running = []
    svc = poll(
        lambda: service(ecs, cluster, name), lambda s: seen_running.append(s["runningCount"]) or steady(s)
    )
    assert steady(svc)
    assert min(seen_running) >= 3  # minimumHealthyPercent 100: never below desired
    assert max(seen_running) <= 6  # maximumPercent 200
    new_id = svc["deployments"][0]["id"]
    assert new_id != old_id
    msgs = messages(svc)
    assert msgs[0] == f"(service {name}) has reached a steady state."
    assert f"(service {name}) (deployment {new_id}) deployment completed." in msgs
    assert any("has stopped 3 running tasks" in m for m in msgs)
    now_tasks = set(ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"])
    assert len(now_tasks) == 3 and not (now_tasks & old_tasks)
    described = ecs.describe_tasks(cluster=cluster, tasks=sorted(now_tasks))["tasks"]
    assert {t["startedBy"] for t in described} == {new_id}


def test_single_writer_service_stops_before_starting(world):
    ecs = client(world, "ecs", "us-east-1")
    cluster, name = "wwhd-cluster", "wwhd-backend"
    ecs.update_service(cluster=cluster, service=name, forceNewDeployment=True)
    counts = []
    svc = poll(
        lambda: service(ecs, cluster, name),
        lambda s: counts.append(s["runningCount"] + s["pendingCount"]) or steady(s),
    )
    assert steady(svc)
    assert max(counts) <= 1  # maximumPercent 100: never two Qdrants on the same EFS


def test_broken_revision_fails_and_rolls_back(world):
    region, cluster, name = PROD
    ecs = client(world, "ecs", region)
    ecs.update_service(cluster=cluster, service=name, taskDefinition="asharvi-backend-prod:5")
    svc = poll(
        lambda: service(ecs, cluster, name),
        lambda s: any("rolling back" in m for m in messages(s)) and steady(s),
        timeout=20,
    )
    msgs = messages(svc)
    failed = [m for m in msgs if "deployment failed: tasks failed to start." in m]
    assert failed and failed[0].startswith(f"(service {name}) deployment ecs-svc/")
    assert any(m.startswith(f"(service {name}) rolling back to deployment ecs-svc/") for m in msgs)
    assert steady(svc)
    assert svc["taskDefinition"].endswith("asharvi-backend-prod:4")
    assert svc["runningCount"] == 3
    stopped = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="STOPPED")["taskArns"]
    crashed = [
        t
        for t in ecs.describe_tasks(cluster=cluster, tasks=stopped)["tasks"]
        if t["taskDefinitionArn"].endswith(":5")
    ]
    assert len(crashed) >= 3
    assert all(
        t["stopCode"] == "EssentialContainerExited" and t["containers"][0]["exitCode"] == 1 for t in crashed
    )
    assert all(t["stoppedReason"] == "Essential container in task exited" for t in crashed)


def test_broken_revision_without_circuit_breaker_keeps_failing(world):
    region, cluster, name = FR
    ecs = client(world, "ecs", region)
    td = ecs.describe_task_definition(taskDefinition="frameratr-dev-backend")["taskDefinition"]
    container = dict(td["containerDefinitions"][0])
    container["image"] = container["image"].rsplit(":", 1)[0] + ":9c04d3e-broken"
    arn = ecs.register_task_definition(
        family=td["family"],
        containerDefinitions=[container],
        cpu=td["cpu"],
        memory=td["memory"],
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        executionRoleArn=td["executionRoleArn"],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=cluster, service=name, taskDefinition=arn)
    svc = poll(lambda: service(ecs, cluster, name), lambda s: s["deployments"][0]["failedTasks"] >= 2)
    assert svc["deployments"][0]["failedTasks"] >= 2
    assert svc["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert svc["runningCount"] == 1  # the old task keeps serving (minimumHealthyPercent 100)


def test_stop_task_is_replaced(world):
    region, cluster, name = FR
    ecs = client(world, "ecs", region)
    [arn] = ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"]
    stopped = ecs.stop_task(cluster=cluster, task=arn, reason="debugging")["task"]
    assert stopped["desiredStatus"] == "STOPPED"
    svc = poll(
        lambda: service(ecs, cluster, name),
        lambda s: (
            s["runningCount"] == 1
            and ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"] != [arn]
            and steady(s)
        ),
    )
    assert steady(svc)
    task = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]
    assert task["stopCode"] == "UserInitiated" and task["stoppedReason"] == "debugging"


def test_new_service_starts_its_tasks(world):
    ecs = client(world, "ecs", "us-east-2")
    ecs.create_cluster(clusterName="fresh")
    ecs.register_task_definition(
        family="fresh", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
    )
    created = ecs.create_service(
        cluster="fresh",
        serviceName="web",
        taskDefinition="fresh",
        desiredCount=2,
        deploymentConfiguration={"maximumPercent": 150, "minimumHealthyPercent": 50},
    )
    assert created["service"]["deploymentConfiguration"]["maximumPercent"] == 150
    assert created["service"]["runningCount"] == 0
    svc = poll(lambda: service(ecs, "fresh", "web"), steady)
    assert steady(svc) and svc["runningCount"] == 2
    assert svc["deploymentConfiguration"]["minimumHealthyPercent"] == 50
    waiter = ecs.get_waiter("services_stable")
    waiter.wait(cluster="fresh", services=["web"], WaiterConfig={"Delay": 1, "MaxAttempts": 5})
