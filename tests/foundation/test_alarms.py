"""CloudWatch alarms against the embedded AWS: one call per region, mapped by ECS dimensions."""

from __future__ import annotations

import boto3

from console.aws.alarms import by_cluster, firing_alarms, firing_alarms_by_region, of_note, of_service
from console.aws.paging import Budget
from console.aws.session import AwsContext, ClientSettings
from console.demo.server import FaultSpec

REGIONS = ("us-east-1", "ap-south-1", "us-east-2")


async def test_firing_alarms_one_call_per_region_mapped_to_clusters(world) -> None:
    world.server.reset_counts()
    async with AwsContext(endpoint_url=world.endpoint) as aws:
        found = await firing_alarms_by_region(aws, Budget(), REGIONS)
    assert world.server.counts()["monitoring.DescribeAlarms"] == len(REGIONS)
    alarms = [a for region in REGIONS for a in found[region]]  # type: ignore[union-attr]
    assert all(a.state == "ALARM" for a in alarms)
    names = {a.name for a in alarms}
    assert set(world.world.firing()) == names  # every seeded ALARM, none of the OK ones
    assert "docu-cr-backend-cpu-high" not in names

    memory = next(a for a in alarms if a.name == "docu-cr-backend-memory-high")
    assert (memory.region, memory.cluster, memory.service) == (
        "us-east-1",
        "docu-cr-backend-cluster",
        "docu-cr-backend-service",
    )
    assert (memory.namespace, memory.metric) == ("AWS/ECS", "MemoryUtilization")
    assert memory.reason.startswith("Threshold Crossed")

    # The target-tracking AlarmLow is in ALARM but only scales; the DLQ alarm is on no cluster.
    scaling = [a for a in alarms if a.scaling]
    assert [a.region for a in scaling] == ["us-east-2"] and "AlarmLow" in scaling[0].name
    assert {a.name for a in of_note(alarms)} == names - {scaling[0].name}
    assert by_cluster(alarms) == {("us-east-1", "docu-cr-backend-cluster"): (memory,)}
    assert of_service(alarms, "docu-cr-backend-cluster", "docu-cr-backend-service") == (memory,)
    assert of_service(alarms, "wwhd-cluster", "docu-cr-backend-service") == ()
    dlq = next(a for a in alarms if a.dimension("QueueName") == "document-verification-dlq")
    assert dlq.region == "ap-south-1" and not dlq.cluster


async def test_alarm_state_changes_show_on_the_next_read(world) -> None:
    cw = boto3.client(
        "cloudwatch",
        region_name="ap-south-1",
        endpoint_url=world.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    cw.set_alarm_state(
        AlarmName="asharvi-backend-prod-cpu-high", StateValue="ALARM", StateReason="Threshold Crossed: test"
    )
    cw.set_alarm_state(
        AlarmName="document-verification-dlq-not-empty", StateValue="OK", StateReason="redriven"
    )
    async with AwsContext(endpoint_url=world.endpoint) as aws:
        found = await firing_alarms(aws, Budget(), "ap-south-1")
    assert [a.name for a in found] == ["asharvi-backend-prod-cpu-high"]
    assert by_cluster(found) == {("ap-south-1", "asharvi-backend-cluster"): found}


async def test_a_failing_call_is_its_regions_result_not_a_raise(world) -> None:
    world.server.middleware.set_faults(
        FaultSpec(server_error=1.0, only=frozenset({"monitoring"}), ops=frozenset({"DescribeAlarms"}))
    )
    try:
        settings = ClientSettings(max_attempts=1, connect_timeout=2, read_timeout=5)
        async with AwsContext(endpoint_url=world.endpoint, settings=settings) as aws:
            found = await firing_alarms_by_region(aws, Budget(), REGIONS)
    finally:
        world.server.middleware.set_faults(None)
    assert set(found) == set(REGIONS)
    assert all(isinstance(result, Exception) for result in found.values())
