"""The ECS gateway against the embedded AWS: pagination, batching, retries, bounded budgets."""

from __future__ import annotations

import asyncio
import time

import boto3
import pytest

from console.aws.ecs import EcsGateway
from console.aws.paging import Budget, TokenBucket
from console.aws.session import AwsContext, ClientSettings
from console.demo.server import FaultSpec
from console.errors import NotFound

REGION = "us-east-1"


def ecs_client(endpoint: str):
    return boto3.client(
        "ecs",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def many_services(world):
    """A cluster of 250 services at desired 0 (the scheduler leaves them alone)."""
    ecs = ecs_client(world.endpoint)
    ecs.create_cluster(clusterName="paging-cluster")
    ecs.register_task_definition(
        family="paging", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
    )
    for i in range(250):
        ecs.create_service(
            cluster="paging-cluster", serviceName=f"svc-{i:03d}", taskDefinition="paging", desiredCount=0
        )
    world.server.reset_counts()
    return "paging-cluster"


async def test_services_paginate_and_batch(world, many_services):
    async with AwsContext(endpoint_url=world.endpoint) as aws:
        gw = EcsGateway(aws)
        services = await gw.services(REGION, many_services)
    assert sorted(s.name for s in services) == [f"svc-{i:03d}" for i in range(250)]
    counts = world.server.counts()
    # 100 per list page -> 3 pages; 10 per describe -> 25 calls; never one call per service.
    assert counts["ecs.ListServices"] == 3
    assert counts["ecs.DescribeServices"] == 25


async def test_tasks_listed_once_per_cluster_and_described_by_100(world):
    ecs = ecs_client(world.endpoint)
    ecs.create_cluster(clusterName="tasks-cluster")
    ecs.register_task_definition(
        family="t", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
    )
    ecs.create_service(cluster="tasks-cluster", serviceName="web", taskDefinition="t", desiredCount=3)
    ecs.create_service(cluster="tasks-cluster", serviceName="worker", taskDefinition="t", desiredCount=2)
    async with AwsContext(endpoint_url=world.endpoint) as aws:
        gw = EcsGateway(aws)
        deadline = time.monotonic() + 20
        while True:
            tasks = await gw.tasks(REGION, "tasks-cluster")
            if len(tasks) == 5 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        web = await gw.tasks(REGION, "tasks-cluster", service="web")
    assert len(tasks) == 5
    assert {t.service_name for t in tasks} == {"web", "worker"}
    # serviceName= is honoured (moto ignores it; the demo answers as ECS does).
    assert len(web) == 3 and all(t.group == "service:web" for t in web)


async def test_task_definition_fetched_once_per_revision(world):
    async with AwsContext(endpoint_url=world.endpoint) as aws:
        gw = EcsGateway(aws)
        cluster = await gw.find_cluster([REGION], "docu-cr-backend-cluster")
        service = await gw.service(REGION, cluster.arn, "docu-cr-backend-service")
        world.server.reset_counts()
        results = await asyncio.gather(
            *(gw.task_definition(REGION, service.task_definition) for _ in range(20))
        )
    assert len({r.arn for r in results}) == 1
    assert world.server.counts().get("ecs.DescribeTaskDefinition") == 1
    assert results[0].containers and results[0].containers[0].log_driver == "awslogs"


async def test_retries_ride_out_injected_throttling(world):
    world.server.middleware.set_faults(FaultSpec.parse("throttle=0.4,only=ecs,seed=7"))
    try:
        async with AwsContext(endpoint_url=world.endpoint, settings=ClientSettings(max_attempts=10)) as aws:
            gw = EcsGateway(aws)
            clusters = await gw.clusters(["us-east-1", "ap-south-1", "us-east-2"])
    finally:
        world.server.middleware.set_faults(None)
    names = {c.name for c in clusters}
    assert {"docu-cr-backend-cluster", "document-verification-cluster", "frameratr-dev-cluster"} <= names
    counts = world.server.counts()
    assert counts["ecs.ListClusters"] > 3  # some calls were throttled and retried


async def test_unknown_names_give_close_matches(world):
    async with AwsContext(endpoint_url=world.endpoint) as aws:
        gw = EcsGateway(aws)
        with pytest.raises(NotFound, match="did you mean docu-cr-backend-cluster"):
            await gw.find_cluster([REGION], "docu-cr-backend-clustr")
        cluster = await gw.find_cluster([REGION], "docu-cr-backend-cluster")
        with pytest.raises(NotFound, match="unknown service 'docu-cr-backend-svc'"):
            await gw.service(REGION, cluster.arn, "docu-cr-backend-svc")


async def test_token_bucket_holds_the_rate():
    bucket = TokenBucket(rate=50, burst=5, concurrency=4)
    calls: list[float] = []

    async def call() -> None:
        calls.append(time.monotonic())

    await asyncio.gather(*(bucket.run(call) for _ in range(25)))
    # 5 from the burst, 20 more at 50/s take at least 0.4 s of refill.
    assert calls[-1] - calls[0] >= 0.35
    assert bucket.calls == 25


async def test_budget_keeps_regions_apart():
    budget = Budget(buckets={"default": (1, 1)})
    assert budget.bucket("us-east-1", "x") is not budget.bucket("us-east-2", "x")
    assert budget.bucket("us-east-1", "x") is budget.bucket("us-east-1", "x")
