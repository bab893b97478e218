"""ECS service deployments as AWS keeps them (moto lacks them): List/DescribeServiceDeployments,
DescribeServiceRevisions and StopServiceDeployment.

``DescribeServices`` forgets a deployment once it has drained; AWS keeps each one as a *service
deployment* with its status (IN_PROGRESS, SUCCESSFUL, STOPPED, ROLLBACK_IN_PROGRESS,
ROLLBACK_SUCCESSFUL…), times, circuit-breaker facts and rollback. The demo writes them down from
the deployments its scheduler rolls (looked at before and after every service step, and at every
request), so they follow from the world's state as AWS's do. StopServiceDeployment with
ROLLBACK puts the last completed deployment back as the circuit breaker's rollback does: its
healthy tasks keep running, the stopped deployment's tasks go.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend

from console.demo import moto_access
from console.demo.deployments import add_event, start_deployment
from console.demo.ecs_state import ACCOUNT, LOCK, backend, now
from console.demo.moto_access import DemoService, Deployment
from console.demo.scheduler import Scheduler
from console.demo.server import DemoApiError, DemoServer

FINAL = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})
_STATE: dict[str, Any] = {"patched": False}


def _number(dep_id: str) -> str:
    return dep_id.rsplit("/", 1)[-1]


def _arn(svc: DemoService, kind: str, dep_id: str) -> str:
    region = svc.region_name
    account = getattr(svc, "_account_id", None) or ACCOUNT
    return f"arn:aws:ecs:{region}:{account}:{kind}/{svc.cluster_name}/{svc.name}/{_number(dep_id)}"


def _records(svc: DemoService) -> dict[str, dict[str, Any]]:
    book: dict[str, dict[str, Any]] | None = getattr(svc, "_demo_service_deployments", None)
    if book is None:
        book = svc._demo_service_deployments = {}
    return book


def _breaker(svc: DemoService, dep: Deployment) -> dict[str, Any]:
    from console.demo.deployments import circuit_threshold

    cfg = (svc.deployment_configuration or {}).get("deploymentCircuitBreaker") or {}
    tripped = dep.get("rolloutState") == "FAILED" and "circuit breaker" in dep.get("rolloutStateReason", "")
    return {
        "status": "TRIGGERED" if tripped else ("MONITORING" if cfg.get("enable") else "DISABLED"),
        "failureCount": int(dep.get("failedTasks", 0)),
        "threshold": circuit_threshold(int(svc.desired_count or 0)),
    }


def observe(svc: DemoService) -> None:
    """Write down what the service's deployments say now (call under LOCK)."""
    if not getattr(svc, "_demo_ready", False):
        return
    book = _records(svc)
    present = {d["id"]: d for d in svc.deployments}
    primary = svc.deployments[0] if svc.deployments else None
    stamp = now()
    for dep_id, dep in present.items():
        rec = book.get(dep_id)
        if rec is None:
            rec = book[dep_id] = {
                "id": dep_id,
                "taskDefinition": dep.get("taskDefinition"),
                "createdAt": dep.get("createdAt") or stamp,
                "status": "IN_PROGRESS",
                "statusReason": "",
            }
        rec["counts"] = (dep.get("desiredCount", 0), dep.get("runningCount", 0), dep.get("pendingCount", 0))
        rec["breaker"] = _breaker(svc, dep)
        if rec["status"] in FINAL:
            continue
        state = dep.get("rolloutState")
        if state == "COMPLETED" and rec["status"] == "IN_PROGRESS":
            rec.update(status="SUCCESSFUL", finishedAt=dep.get("updatedAt") or stamp)
            rec["statusReason"] = dep.get("rolloutStateReason", "")
        elif state == "FAILED" and rec["status"] == "IN_PROGRESS":
            reason = dep.get("rolloutStateReason", "")
            if primary is not None and primary["id"] != dep_id:  # the breaker put another one back
                rec.update(status="ROLLBACK_IN_PROGRESS", statusReason=reason)
                rec["rollback"] = {
                    "reason": "Circuit breaker triggered: rolling back",
                    "startedAt": dep.get("updatedAt") or stamp,
                    "serviceRevisionArn": _arn(svc, "service-revision", primary["id"]),
                }
            else:
                rec.update(status="STOPPED", statusReason=reason, finishedAt=stamp)
        elif state == "IN_PROGRESS" and primary is not None and primary["id"] != dep_id:
            if rec["status"] == "IN_PROGRESS":
                rec.update(
                    status="STOPPED",
                    statusReason=f"Service deployment replaced by a newer deployment ({primary['id']}).",
                    finishedAt=stamp,
                )
    steady = primary is not None and len(svc.deployments) == 1 and primary.get("rolloutState") == "COMPLETED"
    for dep_id, rec in book.items():
        if rec["status"] == "ROLLBACK_IN_PROGRESS" and (dep_id not in present or steady):
            rec.update(status="ROLLBACK_SUCCESSFUL", finishedAt=stamp)
        elif rec["status"] == "IN_PROGRESS" and dep_id not in present:
            _gone(svc, rec, stamp)


def _gone(svc: DemoService, rec: dict[str, Any], stamp: datetime) -> None:
    """A deployment drained between two looks: its events say whether the breaker failed it."""
    texts = [str(e.get("message", "")) for e in svc.events]
    failed = any(f"deployment {rec['id']} deployment failed" in t for t in texts)
    if not failed:
        rec.update(status="STOPPED", statusReason="Service deployment replaced.", finishedAt=stamp)
        return
    reason = "ECS deployment circuit breaker: tasks failed to start."
    rec["breaker"] = {**rec.get("breaker", {}), "status": "TRIGGERED"}
    primary = svc.deployments[0] if svc.deployments else None
    if primary is not None and any("rolling back to deployment" in t for t in texts):
        rec.update(status="ROLLBACK_SUCCESSFUL", statusReason=reason, finishedAt=stamp)
        rec["rollback"] = {
            "reason": "Circuit breaker triggered: rolling back",
            "startedAt": stamp,
            "serviceRevisionArn": _arn(svc, "service-revision", primary["id"]),
        }
    else:
        rec.update(status="STOPPED", statusReason=reason, finishedAt=stamp)


def _patch_scheduler() -> None:
    if _STATE["patched"]:
        return
    _STATE["patched"] = True
    step = Scheduler.step_service

    def step_service(self: Scheduler, be: EC2ContainerServiceBackend, svc: DemoService) -> None:
        observe(svc)
        step(self, be, svc)
        observe(svc)

    Scheduler.step_service = step_service  # type: ignore[method-assign]


def _service(region: str, cluster: str, service: str) -> DemoService:
    be = backend(region)
    cluster_name = str(cluster or "default").rsplit("/", 1)[-1]
    name = str(service).rsplit("/", 1)[-1]
    svc = moto_access.services_of(be).get(f"{cluster_name}:{name}")
    if svc is None:
        raise DemoApiError("ServiceNotFoundException", "Service not found.")
    return svc


def _brief(svc: DemoService, rec: dict[str, Any]) -> dict[str, Any]:
    out = {
        "serviceDeploymentArn": _arn(svc, "service-deployment", rec["id"]),
        "serviceArn": svc.arn,
        "clusterArn": svc.cluster_arn,
        "createdAt": rec["createdAt"],
        "startedAt": rec["createdAt"],
        "targetServiceRevisionArn": _arn(svc, "service-revision", rec["id"]),
        "status": rec["status"],
        "statusReason": rec.get("statusReason", ""),
    }
    if rec.get("finishedAt"):
        out["finishedAt"] = rec["finishedAt"]
    return out


def _detail(svc: DemoService, rec: dict[str, Any]) -> dict[str, Any]:
    desired, running, pending = rec.get("counts", (0, 0, 0))
    out = _brief(svc, rec)
    out.pop("targetServiceRevisionArn")
    out["updatedAt"] = rec.get("finishedAt") or now()
    out["targetServiceRevision"] = {
        "arn": _arn(svc, "service-revision", rec["id"]),
        "requestedTaskCount": desired,
        "runningTaskCount": running,
        "pendingTaskCount": pending,
    }
    out["deploymentConfiguration"] = svc.deployment_configuration or {}
    out["deploymentCircuitBreaker"] = rec.get("breaker", {})
    if rec.get("rollback"):
        out["rollback"] = rec["rollback"]
    return out


def _sorted(svc: DemoService) -> list[dict[str, Any]]:
    observe(svc)
    return sorted(_records(svc).values(), key=lambda r: r["createdAt"], reverse=True)


def _after(value: Any) -> datetime | None:
    if isinstance(value, (int, float)):
        from datetime import UTC

        return datetime.fromtimestamp(value, UTC)
    return None


def list_service_deployments(region: str, request: dict[str, Any]) -> dict[str, Any]:
    with LOCK:
        svc = _service(region, request.get("cluster", "default"), request.get("service", ""))
        records = _sorted(svc)
    wanted = set(request.get("status") or ())
    created = request.get("createdAt") or {}
    after, before = _after(created.get("after")), _after(created.get("before"))
    records = [
        r
        for r in records
        if (not wanted or r["status"] in wanted)
        and (after is None or r["createdAt"] >= after)
        and (before is None or r["createdAt"] <= before)
    ]
    start = int(request.get("nextToken") or 0)
    size = max(1, min(100, int(request.get("maxResults") or 20)))
    page = records[start : start + size]
    answer: dict[str, Any] = {"serviceDeployments": [_brief(svc, r) for r in page]}
    if start + size < len(records):
        answer["nextToken"] = str(start + size)
    return answer


def _find(region: str, arn: str) -> tuple[DemoService, dict[str, Any]]:
    parts = arn.split(":", 5)
    path = parts[5].split("/") if len(parts) == 6 else []
    if len(path) != 4 or path[0] != "service-deployment":
        raise DemoApiError("InvalidParameterException", f"Invalid service deployment ARN: {arn}")
    svc = _service(region, path[1], path[2])
    observe(svc)
    for rec in _records(svc).values():
        if _number(rec["id"]) == path[3]:
            return svc, rec
    raise DemoApiError("ServiceDeploymentNotFoundException", "The service deployment does not exist.")


def describe_service_deployments(region: str, request: dict[str, Any]) -> dict[str, Any]:
    out, failures = [], []
    with LOCK:
        for arn in request.get("serviceDeploymentArns") or []:
            try:
                svc, rec = _find(region, arn)
            except DemoApiError:
                failures.append({"arn": arn, "reason": "MISSING"})
                continue
            out.append(_detail(svc, rec))
    return {"serviceDeployments": out, "failures": failures}


def describe_service_revisions(region: str, request: dict[str, Any]) -> dict[str, Any]:
    out, failures = [], []
    with LOCK:
        for arn in request.get("serviceRevisionArns") or []:
            try:
                svc, rec = _find(region, arn.replace(":service-revision/", ":service-deployment/"))
            except DemoApiError:
                failures.append({"arn": arn, "reason": "MISSING"})
                continue
            out.append(
                {
                    "serviceRevisionArn": arn,
                    "serviceArn": svc.arn,
                    "clusterArn": svc.cluster_arn,
                    "taskDefinition": rec["taskDefinition"],
                    "createdAt": rec["createdAt"],
                    "launchType": svc.launch_type or "FARGATE",
                }
            )
    return {"serviceRevisions": out, "failures": failures}


def stop_service_deployment(region: str, request: dict[str, Any]) -> dict[str, Any]:
    """Stop an in-progress deployment; ROLLBACK (the default) puts the last completed one back."""
    arn = str(request.get("serviceDeploymentArn", ""))
    stop_type = request.get("stopType") or "ROLLBACK"
    if stop_type not in ("ROLLBACK", "ABORT"):
        raise DemoApiError("InvalidParameterException", f"Invalid stopType: {stop_type}")
    with LOCK:
        svc, rec = _find(region, arn)
        primary = svc.deployments[0] if svc.deployments else None
        if rec["status"] not in ("IN_PROGRESS", "PENDING") or primary is None or primary["id"] != rec["id"]:
            raise DemoApiError(
                "ConflictException",
                f"The service deployment is {rec['status']}: only one in progress can be stopped.",
            )
        stamp = now()
        primary["rolloutState"] = "FAILED"
        primary["rolloutStateReason"] = "ECS deployment stopped by StopServiceDeployment."
        primary["updatedAt"] = stamp
        good = getattr(svc, "_demo_last_good", None)
        if stop_type == "ABORT" or not good or good[1] == primary["taskDefinition"]:
            if stop_type == "ROLLBACK":
                raise DemoApiError(
                    "ConflictException", "There is no previous successful deployment to roll back to."
                )
            rec.update(status="STOPPED", statusReason="Service deployment stopped (ABORT).", finishedAt=stamp)
            svc._demo_cb_stopped = True
            add_event(svc, f"(service {svc.name}) deployment {primary['id']} was stopped.")
            return {"serviceDeploymentArn": arn}
        add_event(
            svc,
            f"(service {svc.name}) deployment {primary['id']} was stopped: rolling back to deployment {good[0]}.",
        )
        svc.task_definition = good[1]
        kept = next((d for d in svc.deployments[1:] if d["id"] == good[0]), None)
        if kept is not None:  # the last completed deployment's tasks still run: it becomes PRIMARY again
            stopped = dict(primary, status="ACTIVE")
            kept = dict(kept, status="PRIMARY", updatedAt=stamp)
            kept["rolloutStateReason"] = f"ECS deployment stopped: rolling back to deploymentId {good[0]}."
            svc.deployments = [kept, stopped, *[d for d in svc.deployments[1:] if d["id"] != good[0]]]
            svc._demo_steady = False
            svc._demo_next_start_tick = 0
            target = good[0]
        else:
            target = start_deployment(svc, good[1])["id"]
        rec.update(status="ROLLBACK_IN_PROGRESS", statusReason="Service deployment stopped by request.")
        rec["rollback"] = {
            "reason": "StopServiceDeployment requested a rollback",
            "startedAt": stamp,
            "serviceRevisionArn": _arn(svc, "service-revision", target),
        }
    return {"serviceDeploymentArn": arn}


def install(server: DemoServer) -> None:
    """Register the supplies on the server (and the scheduler's observation, once per process)."""
    _patch_scheduler()
    server.register_override("ecs", "ListServiceDeployments", list_service_deployments)
    server.register_override("ecs", "DescribeServiceDeployments", describe_service_deployments)
    server.register_override("ecs", "DescribeServiceRevisions", describe_service_revisions)
    server.register_override("ecs", "StopServiceDeployment", stop_service_deployment)
