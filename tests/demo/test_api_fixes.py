"""The read calls moto gets wrong, answered as ECS does; request counts and injected faults."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from console.demo.server import FaultSpec
from tests.demo.helpers import client, poll, service

REGION = "us-east-1"


@pytest.fixture
def scaled(world):
    """250 synthetic services (about 2 tasks each) in scale-cluster; gone at the next reset."""
    world.builder.scale(250)
    world.server.reset_counts()
    return world


def test_list_services_paginates_like_ecs(scaled):
    ecs = client(scaled, "ecs", REGION)
    first = ecs.list_services(cluster="scale-cluster")
    assert len(first["serviceArns"]) == 10 and "nextToken" in first  # default maxResults is 10
    pages = list(
        ecs.get_paginator("list_services").paginate(
            cluster="scale-cluster", PaginationConfig={"PageSize": 100}
        )
    )
    arns = [a for p in pages for a in p["serviceArns"]]
    assert [len(p["serviceArns"]) for p in pages] == [100, 100, 50]
    assert len(set(arns)) == 250
    with pytest.raises(ClientError, match="InvalidParameterException"):
        ecs.list_services(cluster="scale-cluster", maxResults=101)
    assert scaled.counts()["ecs.ListServices"] == 5


def test_list_tasks_filters_by_service_and_paginates(scaled):
    ecs = client(scaled, "ecs", REGION)
    svc = ecs.list_services(cluster="scale-cluster", maxResults=1)["serviceArns"][0]
    name = svc.rsplit("/", 1)[-1]
    mine = ecs.list_tasks(cluster="scale-cluster", serviceName=name)["taskArns"]
    desired = service(ecs, "scale-cluster", name)["desiredCount"]
    assert len(mine) == desired
    described = ecs.describe_tasks(cluster="scale-cluster", tasks=mine)["tasks"]
    assert {t["group"] for t in described} == {f"service:{name}"}
    first = ecs.list_tasks(cluster="scale-cluster")
    assert len(first["taskArns"]) == 100 and "nextToken" in first
    every = [
        a for p in ecs.get_paginator("list_tasks").paginate(cluster="scale-cluster") for a in p["taskArns"]
    ]
    assert len(every) == len(set(every)) > 400
    assert ecs.list_tasks(cluster="scale-cluster", desiredStatus="STOPPED")["taskArns"] == []
    with pytest.raises(ClientError, match="ServiceNotFoundException"):
        ecs.list_tasks(cluster="scale-cluster", serviceName="no-such-service")


def test_describe_tasks_shows_every_container_and_lifecycle(world):
    ecs = client(world, "ecs", REGION)
    arns = ecs.list_tasks(cluster="wwhd-cluster")["taskArns"]
    task = ecs.describe_tasks(cluster="wwhd-cluster", tasks=[*arns, "not-a-task"])
    assert task["failures"][0]["reason"] == "MISSING"
    [t] = task["tasks"]
    assert len(t["containers"]) == 2
    assert all(c["healthStatus"] == "HEALTHY" and c["lastStatus"] == "RUNNING" for c in t["containers"])
    for key in ("createdAt", "pullStartedAt", "pullStoppedAt", "startedAt", "connectivityAt"):
        assert key in t
    with pytest.raises(ClientError, match="InvalidParameterException"):
        ecs.describe_tasks(cluster="wwhd-cluster", tasks=[f"t{i}" for i in range(101)])


def test_describe_services_rejects_more_than_ten(scaled):
    ecs = client(scaled, "ecs", REGION)
    arns = ecs.list_services(cluster="scale-cluster", maxResults=11)["serviceArns"]
    with pytest.raises(ClientError, match="InvalidParameterException"):
        ecs.describe_services(cluster="scale-cluster", services=arns)
    ok = ecs.describe_services(cluster="scale-cluster", services=[*arns[:9], "missing-one"])
    assert len(ok["services"]) == 9 and ok["failures"][0]["reason"] == "MISSING"


def test_list_task_definitions_sorts_and_paginates(world):
    ecs = client(world, "ecs", "ap-south-1")
    asc = ecs.list_task_definitions(familyPrefix="asharvi-backend-prod", maxResults=2)
    assert [a.rsplit(":", 1)[-1] for a in asc["taskDefinitionArns"]] == ["1", "2"] and asc["nextToken"]
    desc = ecs.list_task_definitions(familyPrefix="asharvi-backend-prod", sort="DESC")["taskDefinitionArns"]
    assert desc[0].endswith("asharvi-backend-prod:5")
    families = ecs.list_task_definitions()["taskDefinitionArns"]
    assert families == sorted(
        families, key=lambda a: (a.rsplit("/", 1)[-1].split(":")[0], int(a.rsplit(":", 1)[-1]))
    )


def test_request_counts_per_api(world):
    ecs = client(world, "ecs", "us-east-2")
    ecs.list_clusters()
    ecs.list_clusters()
    service(ecs, "frameratr-dev-cluster", "frameratr-dev-backend-service")
    assert world.counts() == {"ecs.ListClusters": 2, "ecs.DescribeServices": 1}
    with urllib.request.urlopen(f"{world.endpoint}/_opsconsole/counts", timeout=5) as resp:
        assert json.loads(resp.read()) == {"ecs.ListClusters": 2, "ecs.DescribeServices": 1}


def test_injected_faults_are_visible(world):
    ecs = client(world, "ecs", "us-east-2")
    world.server.middleware.set_faults(FaultSpec.parse("throttle=1,only=ecs"))
    with pytest.raises(ClientError, match="ThrottlingException"):
        ecs.list_clusters()
    world.server.middleware.set_faults(FaultSpec.parse("5xx=1,only=ecs"))
    with pytest.raises(ClientError) as err:
        ecs.list_clusters()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] in (500, 503)
    world.server.middleware.set_faults(FaultSpec.parse("drop=1,only=ecs,seed=1"))
    ecs = client(world, "ecs", "us-east-2", read_timeout=1, connect_timeout=1)
    dropped = 0
    for _ in range(3):
        try:
            ecs.list_clusters()
        except (ConnectionClosedError, EndpointConnectionError, ReadTimeoutError, ClientError):
            dropped += 1
    assert dropped >= 1
    world.reset()  # faults go back to what the demo was started with (none)
    assert ecs.list_clusters()["clusterArns"]


def test_throttle_enforces_ecs_buckets(world):
    ecs = client(world, "ecs", "us-east-2")
    td = ecs.describe_task_definition(taskDefinition="frameratr-dev-backend")["taskDefinition"]
    world.server.middleware.throttle = True
    try:
        codes: list[str] = []
        # RegisterTaskDefinition: 20 burst, 1 per second. Calls until the first refusal, so a slow
        # (loaded) machine that refills the bucket between calls only makes the loop longer.
        for _ in range(200):
            try:
                ecs.register_task_definition(
                    family="throttled", containerDefinitions=td["containerDefinitions"]
                )
                codes.append("ok")
            except ClientError as exc:
                codes.append(exc.response["Error"]["Code"])
                break
        assert codes[-1] == "ThrottlingException"
        assert codes.count("ok") >= 20  # the burst was honoured before the first refusal
    finally:
        world.server.middleware.throttle = False


def test_deleting_a_service_drains_it(world):
    ecs = client(world, "ecs", "us-east-2")
    ecs.update_service(
        cluster="frameratr-dev-cluster", service="frameratr-dev-backend-service", desiredCount=0
    )
    ecs.delete_service(cluster="frameratr-dev-cluster", service="frameratr-dev-backend-service")
    left = poll(lambda: ecs.list_services(cluster="frameratr-dev-cluster")["serviceArns"], lambda a: not a)
    assert left == []
    tasks = ecs.list_tasks(cluster="frameratr-dev-cluster")["taskArns"]
    assert tasks == []
