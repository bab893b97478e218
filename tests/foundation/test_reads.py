"""console.api's reads against the embedded AWS: what a pane gets, and what it gets when a part fails."""

from __future__ import annotations

from typing import Any

from console.api import ConsoleApi
from console.api.views import RegionAlarms
from console.config import Settings, demo_profile
from console.demo.server import FaultSpec
from console.model import Alarm

REGIONS = ("us-east-1", "ap-south-1", "us-east-2")


def settings_of(world: Any) -> Settings:
    return Settings(
        profile=demo_profile(world.endpoint), regions=REGIONS, endpoint_url=world.endpoint, read_only=False
    )


async def test_clusters_view_names_alarms_and_counts_deployments(world: Any) -> None:
    api = ConsoleApi(settings_of(world))
    early: list[int] = []
    try:
        view = await api.reads.clusters_view(REGIONS, on_clusters=lambda v: early.append(len(v.clusters)))
    finally:
        await api.close()
    assert early == [5]  # told as soon as the clusters were listed, before the counts
    by_name = {c.name: c for c in view.clusters}
    assert by_name["docu-cr-backend-cluster"].alarms == ("docu-cr-backend-memory-high",)
    assert set(view.deploying) == {c.arn for c in view.clusters}  # every small cluster counted
    assert all(view.alarms.known(r) and not view.alarms.failed(r) for r in REGIONS)


async def test_service_detail_shows_the_rest_when_a_part_fails(world: Any) -> None:
    api = ConsoleApi(settings_of(world))
    try:
        cluster = await api.reads.find_cluster(REGIONS, "asharvi-backend-cluster")
        listed = await api.gateways.ecs.services(cluster.region, cluster.arn)
        prod = next(s for s in listed if s.name == "asharvi-backend-prod")
        world.server.middleware.set_faults(
            FaultSpec(server_error=1.0, only=frozenset({"elasticloadbalancing", "monitoring"}))
        )
        told: list[Exception] = []
        detail = await api.reads.service_detail(prod, on_error=told.append)
    finally:
        world.server.middleware.set_faults(None)
        await api.close()
    assert detail.service.name == "asharvi-backend-prod"
    assert detail.task_definition is not None  # read: the detail shows the containers
    assert detail.targets is None and len(detail.errors) == 1  # target health failed: named, not fatal
    assert detail.alarms is None and told  # alarms unknown ("?"), and told


def test_region_alarms_count_only_the_regions_asked() -> None:
    dlq = Alarm(name="dlq-depth", region="ap-south-1", dimensions=(("QueueName", "dlq"),))
    memory = Alarm(name="memory-high", region="us-east-1", dimensions=(("ClusterName", "c"),))
    alarms = RegionAlarms({"us-east-1": (memory,), "ap-south-1": (dlq,), "us-east-2": None})
    assert alarms.firing(["us-east-1"]) == [memory]
    assert alarms.firing() == [memory, dlq]
    assert alarms.unknown_regions(["us-east-1"]) == []
    assert alarms.unknown_regions() == ["us-east-2"]
