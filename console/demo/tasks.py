"""Tasks as the demo makes them (without moto's constructor), their ENI, IP and target registrations."""

from __future__ import annotations

import ipaddress
import random
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from moto.ecs.models import EC2ContainerServiceBackend

from console.demo import fates, moto_access
from console.demo.ecs_state import log, now
from console.demo.moto_access import DemoTask, DemoTaskDefinition

if TYPE_CHECKING:
    from moto.elbv2.models import FakeTargetGroup


def _fake_ip(subnet_cidr: str | None) -> str:
    try:
        net = ipaddress.ip_network(subnet_cidr or "10.0.0.0/16", strict=False)
        return str(net.network_address + random.randint(4, max(5, net.num_addresses - 2)))
    except ValueError:
        return f"10.0.{random.randint(0, 255)}.{random.randint(4, 250)}"


_SUBNET_CIDRS: dict[tuple[str, str, str], str] = {}


def _subnet_cidr(account: str, region: str, subnet_id: str) -> str | None:
    key = (account, region, subnet_id)
    if key not in _SUBNET_CIDRS:
        try:
            subnet = moto_access.ec2(region, account).get_subnet(subnet_id)
            _SUBNET_CIDRS[key] = subnet.cidr_block
        except Exception:
            return None
    return _SUBNET_CIDRS.get(key)


def new_task(
    be: EC2ContainerServiceBackend,
    cluster_name: str,
    td: DemoTaskDefinition,
    *,
    group: str,
    started_by: str,
    network_configuration: dict[str, Any] | None,
    launch_type: str = "FARGATE",
    platform_version: str = "1.4.0",
    status: str = "PROVISIONING",
    created_at: datetime | None = None,
    tags: list[dict[str, str]] | None = None,
    grace: int | None = None,
) -> DemoTask:
    """A moto Task made without moto's constructor (no ENI in EC2: fast, and immune to the state manager)."""
    cluster = be.clusters[cluster_name]
    task = moto_access.bare_task(status)
    task_id = uuid.uuid4().hex
    region = be.region_name
    created = created_at or now()
    task.id = task_id
    task.cluster_name = cluster.name
    task.cluster_arn = cluster.arn
    task.container_instance_arn = None
    task.desired_status = "RUNNING"
    task.task_definition_arn = td.arn
    task.overrides = {"containerOverrides": [{"name": c["name"]} for c in td.container_definitions]}
    task.started_by = started_by
    task.tags = tags or []
    task.launch_type = launch_type
    task.capacity_provider_name = None
    task.platform_version = platform_version
    task.platform_family = "Linux"
    task.stopped_reason = ""
    task.resource_requirements = None
    task.region_name = region
    task._account_id = be.account_id
    task._backend = be
    task.group = group
    task.cpu = td.cpu
    task.memory = td.memory
    task.version = 1
    task.enable_execute_command = False
    task.ephemeral_storage = {"sizeInGiB": 20}
    task.created_at = created
    task.pull_started_at = None
    task.pull_stopped_at = None
    task.started_at = None
    task.stopping_at = None
    task.execution_stopped_at = None
    task.stopped_at = None
    task.stop_code = None
    task.connectivity = None
    task.connectivity_at = None
    task.health_status = "UNKNOWN"
    task.network_configuration = network_configuration or {}
    subnets = (network_configuration or {}).get("awsvpcConfiguration", {}).get("subnets") or []
    subnet = subnets[0] if subnets else "subnet-00000000"
    ip = _fake_ip(_subnet_cidr(be.account_id, region, subnet))
    attachment_id = str(uuid.uuid4())
    eni = f"eni-{uuid.uuid4().hex[:17]}"
    task.attachments = [
        {
            "id": attachment_id,
            "type": "ElasticNetworkInterface",
            "status": "PRECREATED",
            "details": [
                {"name": "subnetId", "value": subnet},
                {"name": "networkInterfaceId", "value": eni},
                {"name": "macAddress", "value": "0a:" + ":".join(f"{b:02x}" for b in random.randbytes(5))},
                {"name": "privateDnsName", "value": f"ip-{ip.replace('.', '-')}.{region}.compute.internal"},
                {"name": "privateIPv4Address", "value": ip},
            ],
        }
    ]
    task.availability_zone = f"{region}{'ab'[hash(subnet) % 2]}"
    task.private_ip = ip
    task.containers = [
        {
            "containerArn": f"{cluster.arn.replace(':cluster/', ':container/')}/{task_id}/{uuid.uuid4()}",
            "taskArn": "",
            "name": c["name"],
            "image": c.get("image", ""),
            "runtimeId": f"{task_id}-{random.randint(10**9, 10**10 - 1)}",
            "lastStatus": "PENDING",
            "networkBindings": [],
            "networkInterfaces": [{"attachmentId": attachment_id, "privateIpv4Address": ip}],
            "healthStatus": "UNKNOWN",
            "cpu": str(c.get("cpu", 0)),
            **({"memory": str(c["memory"])} if c.get("memory") else {}),
            **({"memoryReservation": str(c["memoryReservation"])} if c.get("memoryReservation") else {}),
            "_essential": c.get("essential", True),
            "_health": bool(c.get("healthCheck")),
        }
        for c in td.container_definitions
    ]
    task.ticks = 0  # ticks spent in the current lastStatus
    fates.prepare(
        task_id,
        be.account_id,
        region,
        td.container_definitions,
        td.memory,
        list(getattr(td, "volumes", None) or []),
        grace,
    )
    arn = task.task_arn
    for container in task.containers:
        container["taskArn"] = arn
    moto_access.tasks_of(be).setdefault(cluster.name, {})[arn] = task
    index_of(be)[task_id] = task
    return task


def index_of(be: EC2ContainerServiceBackend) -> dict[str, DemoTask]:
    """Task id → Task, so describes do not scan every task of the region."""
    demo = moto_access.demo_ecs(be)
    index: dict[str, DemoTask] | None = getattr(demo, "_demo_task_index", None)
    if index is None:
        index = {}
        for tasks in moto_access.tasks_of(be).values():
            for task in tasks.values():
                index[str(task.task_arn).rsplit("/", 1)[-1]] = task
        demo._demo_task_index = index
    return index


def targets(task: DemoTask, register: bool, at: datetime | None = None) -> None:
    """Register a running task's IP in its service's target groups, or take it out (after draining).

    The ELB's view of each target (initial, healthy, unhealthy, draining) is the fates module's,
    from what the app answers on the target group's health check path.
    """
    groups = getattr(task, "target_groups", ())
    run = fates.RUNS.get(task.id)
    if not groups:
        return
    try:
        elb = moto_access.elbv2(task.region_name, task._account_id)
        for arn, port in groups:
            target = [{"Id": task.private_ip, "Port": port}]
            if register:
                elb.register_targets(arn, target)
                tg = elb.target_groups.get(arn)
                if run is not None and tg is not None:
                    run.ip = task.private_ip
                    fates.add_target(run, _target_of(tg, port, at or now()))
            else:
                elb.deregister_targets(arn, target)
    except Exception:  # a target group deleted by someone: the task runs on regardless
        log.debug("target registration failed for %s", task.id, exc_info=True)


def _target_of(tg: FakeTargetGroup, port: int, registered: datetime) -> fates.Target:
    matcher = (getattr(tg, "matcher", None) or {}).get("HttpCode", "200")
    return fates.Target(
        group=tg.arn,
        port=port,
        path=tg.health_check_path or "/",
        matcher=str(matcher),
        interval=float(tg.health_check_interval_seconds or 30),
        healthy_n=int(tg.healthy_threshold_count or 5),
        unhealthy_n=int(tg.unhealthy_threshold_count or 2),
        delay=float(str(tg.attributes.get("deregistration_delay.timeout_seconds", 300))),
        registered=registered,
    )


def drain(task: DemoTask, at: datetime) -> None:
    """Targets of a stopping task go to ``draining`` for the target group's deregistration delay."""
    run = fates.RUNS.get(task.id)
    if run is not None:
        for target in run.targets:
            target.draining_since = target.draining_since or at


def set_status(task: DemoTask, status: str) -> None:
    task.status = status
    task.ticks = 0


def healthy(task: DemoTask) -> bool:
    if task.last_status != "RUNNING" or task.desired_status != "RUNNING":
        return False
    return fates.healthy(fates.RUNS.get(task.id), now())
