"""Where moto's ECS API answers differently from AWS, the demo answers as AWS does.

Two kinds of fix:

* patches of moto's ECS classes (process-wide, demo only) so that the calls that change state
  keep what AWS keeps: ``create_service`` keeps deploymentConfiguration & co.,
  ``update_service`` starts a real deployment instead of jumping runningCount to desired,
  ``stop_task`` drains the task over the next ticks, ``delete_service`` drains first;
* overrides registered on the DemoServer for the read calls moto gets wrong: ``ListTasks``
  (serviceName, desiredStatus, pagination), ``DescribeTasks`` (every container, health,
  timestamps, stopCode), ``ListServices`` and ``ListTaskDefinitions`` (pagination, sort),
  ``DescribeServices`` (at most 10 names) and ``DescribeClusters`` (true counts).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend, Service, Task, TaskDefinition
from moto.ecs.responses import EC2ContainerServiceResponse

from console.demo import fates, moto_access
from console.demo.moto_access import DemoService, DemoTask
from console.demo.scheduler import (
    DEFAULT_DEPLOYMENT_CONFIGURATION,
    LOCK,
    Scheduler,
    backend,
    index_of,
    service_state,
    start_deployment,
    td_of,
)
from console.demo.server import DemoApiError, DemoServer

_STATE: dict[str, Any] = {"scheduler": None, "installed": False}


def _scheduler() -> Scheduler | None:
    return _STATE["scheduler"]


# --------------------------------------------------------------------------- patches


def install_patches(scheduler: Scheduler) -> None:
    """Patch moto's ECS once per process; later calls only swap the scheduler."""
    _STATE["scheduler"] = scheduler
    if _STATE["installed"]:
        return
    _STATE["installed"] = True

    orig_create = EC2ContainerServiceResponse.create_service
    orig_update = EC2ContainerServiceBackend.update_service
    orig_stop = EC2ContainerServiceBackend.stop_task
    orig_run = EC2ContainerServiceBackend.run_task
    orig_delete = EC2ContainerServiceBackend.delete_service
    orig_validate = Service._validate_network
    orig_td_init = TaskDefinition.__init__

    def td_init(self: TaskDefinition, *args: Any, **kwargs: Any) -> None:
        # moto leaves registeredAt/By out; the rollback picker shows when each revision was registered.
        orig_td_init(self, *args, **kwargs)
        td = moto_access.demo_task_definition(self)
        td.registered_at = datetime.now(UTC)
        td.registered_by = f"arn:aws:iam::{td.arn.split(':')[4]}:user/demo-deployer"

    TaskDefinition.__init__ = td_init  # type: ignore[method-assign]

    def create_service(self: EC2ContainerServiceResponse) -> Any:
        with LOCK:
            result = orig_create(self)
            be = self.ecs_backend
            svc = moto_access.demo_service(
                be._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
            )
            cfg = self._get_param("deploymentConfiguration") or {}
            svc.deployment_configuration = {**DEFAULT_DEPLOYMENT_CONFIGURATION, **cfg}
            svc.health_check_grace_period_seconds = self._get_param("healthCheckGracePeriodSeconds")
            svc.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
            svc.enable_ecs_managed_tags = bool(self._get_param("enableECSManagedTags", False))
            svc._demo_ready = False
            svc.created_at = None
            if svc.task_definition:
                td = td_of(be, svc.task_definition)
                svc.task_definition = td.arn if td else svc.task_definition
            service_state(svc)
            return result

    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Service:
        props = service_properties
        with LOCK:
            cluster = props.get("cluster", "default")
            name = str(props.get("service", "")).split("/")[-1]
            svc = service_state(self._get_service(cluster, name))
            before_td = svc.task_definition
            force = bool(props.get("force_new_deployment"))
            deployments = [dict(d) for d in svc.deployments]  # moto rewrites the first one in place
            cfg_before = svc.deployment_configuration
            result = orig_update(self, props)
            svc.deployments = deployments
            if props.get("deployment_configuration"):
                svc.deployment_configuration = {**cfg_before, **props["deployment_configuration"]}
            if svc.task_definition != before_td:
                td = td_of(self, svc.task_definition)
                svc.task_definition = td.arn if td else svc.task_definition
            if force or svc.task_definition != before_td:
                start_deployment(svc, svc.task_definition)
            else:
                svc._demo_steady = (
                    svc._demo_steady and svc.deployments[0]["desiredCount"] == svc.desired_count
                )
                svc.deployments[0]["desiredCount"] = svc.desired_count
            # moto jumps runningCount to desiredCount; the truth is what the tasks are doing.
            sched = _scheduler()
            if sched is not None:
                sched._update_counts(svc)
                sched.recount(self)
            return result

    def stop_task(self: EC2ContainerServiceBackend, cluster_str: str, task_str: str, reason: str) -> Task:
        with LOCK:
            task = index_of(self).get(task_str.split("/")[-1])
            sched = _scheduler()
            if task is None or sched is None:
                return orig_stop(self, cluster_str, task_str, reason)
            sched.stop_task(task, reason or "Task stopped by user", "UserInitiated")
            return moto_access.moto_task(task)

    def run_task(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> list[Task]:
        with LOCK:
            tasks = orig_run(self, *args, **kwargs)
            sched = _scheduler()
            for task in tasks:
                _dress_loose_task(self, task)
                if sched is not None:
                    sched.adopt_loose(self, moto_access.demo_task(task))
            return tasks

    def delete_service(
        self: EC2ContainerServiceBackend, cluster_name: str, service_name: str, force: bool
    ) -> Service:
        with LOCK:
            svc = orig_delete(self, cluster_name, service_name, force)
            svc.status = "DRAINING"
            svc.desired_count = 0
            return svc

    def validate_network(self: Service, nc: dict[str, Any]) -> Any:
        # AWS uses the VPC's default security group when none is given; moto raises KeyError.
        nc.setdefault("awsvpcConfiguration", {}).setdefault("securityGroups", [])
        return orig_validate(self, nc)

    EC2ContainerServiceResponse.create_service = create_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.update_service = update_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.stop_task = stop_task  # type: ignore[method-assign]
    EC2ContainerServiceBackend.run_task = run_task  # type: ignore[method-assign]
    EC2ContainerServiceBackend.delete_service = delete_service  # type: ignore[method-assign]
    Service._validate_network = validate_network  # type: ignore[method-assign]


def _dress_loose_task(be: EC2ContainerServiceBackend, task: Task) -> None:
    """A task from moto's run_task, given the fields and the lifecycle the demo's tasks have."""
    from console.demo.scheduler import new_task  # the same shape as a service's tasks

    td = td_of(be, task.task_definition_arn)
    if td is None:
        return
    twin = new_task(
        be,
        task.cluster_name,
        td,
        group=task.group,
        started_by=task.started_by,
        network_configuration=getattr(task, "network_configuration", None),
        launch_type=task.launch_type or "FARGATE",
        tags=task.tags,
    )
    # Keep moto's object (its ARN was already returned) but take the twin's fields.
    be.tasks[twin.cluster_name].pop(twin.task_arn, None)
    index_of(be).pop(twin.id, None)
    old_arn = task.task_arn
    keep_id = task.id
    task.__dict__.update({k: v for k, v in twin.__dict__.items() if k not in ("id",)})
    task.id = keep_id
    dressed = moto_access.demo_task(task)
    run = fates.RUNS.pop(twin.id, None)
    if run is not None:
        run.task_id = keep_id
        fates.RUNS[keep_id] = run
    for container in dressed.containers:
        container["taskArn"] = old_arn
    index_of(be)[old_arn.rsplit("/", 1)[-1]] = dressed


# --------------------------------------------------------------------------- overrides


def _token(offset: int) -> str:
    return base64.b64encode(json.dumps({"o": offset}).encode()).decode()


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.b64decode(token))["o"])
    except Exception:
        raise DemoApiError("InvalidParameterException", "Invalid nextToken.") from None


def _page(items: list[str], request: dict[str, Any], default: int, key: str) -> dict[str, Any]:
    limit = request.get("maxResults") or default
    if not 1 <= int(limit) <= 100:
        raise DemoApiError("InvalidParameterException", "maxResults must be between 1 and 100.")
    start = _offset(request.get("nextToken"))
    chunk = items[start : start + int(limit)]
    out: dict[str, Any] = {key: chunk}
    if start + int(limit) < len(items):
        out["nextToken"] = _token(start + int(limit))
    return out


def _cluster(be: EC2ContainerServiceBackend, ref: str | None) -> Any:
    name = (ref or "default").split("/")[-1]
    cluster = be.clusters.get(name)
    if cluster is None or cluster.status == "INACTIVE":
        raise DemoApiError("ClusterNotFoundException", "Cluster not found.")
    return cluster


def list_tasks(region: str, request: dict[str, Any]) -> dict[str, Any]:
    be = backend(region)
    with LOCK:
        cluster = _cluster(be, request.get("cluster"))
        tasks = list(moto_access.tasks_of(be).get(cluster.name, {}).values())
        service = request.get("serviceName")
        if service:
            name = service.split("/")[-1]
            if f"{cluster.name}:{name}" not in be.services:
                raise DemoApiError("ServiceNotFoundException", "Service not found.")
            tasks = [t for t in tasks if t.group == f"service:{name}"]
        family = request.get("family")
        if family:
            tasks = [t for t in tasks if t.task_definition_arn.rsplit("/", 1)[-1].split(":")[0] == family]
        started_by = request.get("startedBy")
        if started_by:
            tasks = [t for t in tasks if t.started_by == started_by]
        launch_type = request.get("launchType")
        if launch_type:
            tasks = [t for t in tasks if (t.launch_type or "FARGATE") == launch_type]
        desired = request.get("desiredStatus") or "RUNNING"
        if desired not in ("RUNNING", "PENDING", "STOPPED"):
            raise DemoApiError(
                "InvalidParameterException", "desiredStatus must be RUNNING, PENDING or STOPPED."
            )
        tasks = [t for t in tasks if t.desired_status == desired]
        arns = [t.task_arn for t in tasks]
    return _page(arns, request, 100, "taskArns")


def task_json(task: DemoTask, include_tags: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "attachments": task.attachments,
        "attributes": [{"name": "ecs.cpu-architecture", "value": "x86_64"}],
        "availabilityZone": getattr(task, "availability_zone", f"{task.region_name}a"),
        "clusterArn": task.cluster_arn,
        "containers": [{k: v for k, v in c.items() if not k.startswith("_")} for c in task.containers],
        "cpu": getattr(task, "cpu", None),
        "memory": getattr(task, "memory", None),
        "createdAt": task.created_at,
        "desiredStatus": task.desired_status,
        "enableExecuteCommand": getattr(task, "enable_execute_command", False),
        "ephemeralStorage": getattr(task, "ephemeral_storage", {"sizeInGiB": 20}),
        "group": task.group,
        "healthStatus": task.health_status,
        "lastStatus": task._status,
        "launchType": task.launch_type or "FARGATE",
        "overrides": task.overrides or {},
        "platformVersion": task.platform_version or "1.4.0",
        "platformFamily": "Linux",
        "startedBy": task.started_by,
        "taskArn": task.task_arn,
        "taskDefinitionArn": task.task_definition_arn,
        "version": getattr(task, "version", 1),
    }
    for key, attr in (
        ("pullStartedAt", "pull_started_at"),
        ("pullStoppedAt", "pull_stopped_at"),
        ("startedAt", "started_at"),
        ("stoppingAt", "stopping_at"),
        ("executionStoppedAt", "execution_stopped_at"),
        ("stoppedAt", "stopped_at"),
        ("connectivity", "connectivity"),
        ("connectivityAt", "connectivity_at"),
        ("stopCode", "stop_code"),
    ):
        value = getattr(task, attr, None)
        if value:
            out[key] = value
    if task.stopped_reason:
        out["stoppedReason"] = task.stopped_reason
    if include_tags:
        out["tags"] = task.tags or []
    return {k: v for k, v in out.items() if v is not None}


def describe_tasks(region: str, request: dict[str, Any]) -> dict[str, Any]:
    be = backend(region)
    refs = request.get("tasks") or []
    if not refs:
        raise DemoApiError("InvalidParameterException", "Tasks cannot be empty.")
    if len(refs) > 100:
        raise DemoApiError("InvalidParameterException", "Too many tasks were provided (maximum 100).")
    include_tags = "TAGS" in (request.get("include") or [])
    with LOCK:
        cluster = _cluster(be, request.get("cluster"))
        index = index_of(be)
        found, failures = [], []
        for ref in refs:
            task = index.get(ref.rsplit("/", 1)[-1])
            if task is None or task.cluster_name != cluster.name:
                arn = (
                    ref
                    if ref.startswith("arn:")
                    else f"arn:aws:ecs:{region}:{be.account_id}:task/{cluster.name}/{ref}"
                )
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                found.append(task_json(task, include_tags))
    return {"tasks": found, "failures": failures}


def list_services(region: str, request: dict[str, Any]) -> dict[str, Any]:
    be = backend(region)
    with LOCK:
        cluster = _cluster(be, request.get("cluster"))
        launch_type = request.get("launchType")
        strategy = request.get("schedulingStrategy")
        arns = sorted(
            svc.arn
            for svc in be.services.values()
            if svc.cluster_name == cluster.name
            and svc.status != "INACTIVE"
            and (not launch_type or svc.launch_type == launch_type)
            and (not strategy or svc.scheduling_strategy == strategy)
        )
    return _page(arns, request, 10, "serviceArns")


def service_json(svc: DemoService, include_tags: bool) -> dict[str, Any]:
    """A service as DescribeServices shows it (moto's own serialiser takes ~15 ms for ten)."""
    out: dict[str, Any] = {
        "serviceArn": svc.arn,
        "serviceName": svc.name,
        "clusterArn": svc.cluster_arn,
        "loadBalancers": svc.load_balancers or [],
        "serviceRegistries": svc.service_registries or [],
        "status": svc.status,
        "desiredCount": svc.desired_count,
        "runningCount": svc.running_count,
        "pendingCount": svc.pending_count,
        "launchType": svc.launch_type or "FARGATE",
        "platformVersion": svc.platform_version or "1.4.0",
        "platformFamily": "Linux",
        "taskDefinition": svc.task_definition,
        "deploymentConfiguration": getattr(svc, "deployment_configuration", None)
        or dict(DEFAULT_DEPLOYMENT_CONFIGURATION),
        "deployments": [{k: v for k, v in d.items() if v is not None} for d in svc.deployments],
        "events": svc.events,
        "createdAt": getattr(svc, "created_at", None),
        "createdBy": getattr(svc, "created_by", None),
        "placementConstraints": [],
        "placementStrategy": [],
        "schedulingStrategy": svc.scheduling_strategy or "REPLICA",
        "deploymentController": svc.deployment_controller or {"type": "ECS"},
        "enableECSManagedTags": getattr(svc, "enable_ecs_managed_tags", False),
        "propagateTags": svc.propagate_tags or "NONE",
        "enableExecuteCommand": bool(getattr(svc, "enable_execute_command", False)),
        "availabilityZoneRebalancing": "ENABLED",
    }
    if svc.role_arn:
        out["roleArn"] = svc.role_arn
    if svc.network_configuration:
        out["networkConfiguration"] = svc.network_configuration
    grace = getattr(svc, "health_check_grace_period_seconds", None)
    if grace is not None:
        out["healthCheckGracePeriodSeconds"] = grace
    if include_tags:
        out["tags"] = svc.tags or []
    return {k: v for k, v in out.items() if v is not None}


def describe_services(region: str, request: dict[str, Any]) -> dict[str, Any]:
    names = request.get("services") or []
    if len(names) > 10:
        raise DemoApiError("InvalidParameterException", "services can have at most 10 items.")
    if not names:
        raise DemoApiError("InvalidParameterException", "Services cannot be empty.")
    include_tags = "TAGS" in (request.get("include") or [])
    be = backend(region)
    with LOCK:
        cluster = _cluster(be, request.get("cluster"))
        found, failures = [], []
        for ref in names:
            svc = be.services.get(f"{cluster.name}:{ref.rsplit('/', 1)[-1]}")
            if svc is None:
                arn = (
                    ref
                    if ref.startswith("arn:")
                    else f"arn:aws:ecs:{region}:{be.account_id}:service/{cluster.name}/{ref}"
                )
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                found.append(service_json(service_state(svc), include_tags))
        # Serialise under the lock: the scheduler edits these lists between ticks.
        return json.loads(json.dumps({"services": found, "failures": failures}, default=_stamp))


def _stamp(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    return str(value)


def list_task_definitions(region: str, request: dict[str, Any]) -> dict[str, Any]:
    be = backend(region)
    family = request.get("familyPrefix")
    status = request.get("status") or "ACTIVE"
    sort = request.get("sort") or "ASC"
    with LOCK:
        tds = [
            td
            for fam, revisions in be.task_definitions.items()
            if not family or fam == family
            for td in revisions.values()
            if td.status == status
        ]
    tds.sort(key=lambda td: (td.family, td.revision), reverse=sort == "DESC")
    return _page([td.arn for td in tds], request, 100, "taskDefinitionArns")


def describe_clusters(region: str, request: dict[str, Any]) -> None:
    sched = _scheduler()
    if sched is not None:
        with LOCK:
            sched.recount(backend(region))
    return None


def register_overrides(server: DemoServer) -> None:
    server.register_override("ecs", "ListTasks", list_tasks)
    server.register_override("ecs", "DescribeTasks", describe_tasks)
    server.register_override("ecs", "ListServices", list_services)
    server.register_override("ecs", "DescribeServices", describe_services)
    server.register_override("ecs", "ListTaskDefinitions", list_task_definitions)
    server.register_override("ecs", "DescribeClusters", describe_clusters)
