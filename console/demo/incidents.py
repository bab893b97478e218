"""Incidents on demand: each one changes the world as a person or a build would, and nothing else.

``start(name)`` pushes an image, registers a revision, deletes a secret, scales a service or sends
messages, with boto3 against the demo endpoint (the same calls anyone could make); the task fates,
the health checks, the consumer and the alarm evaluator do the rest. ``resolve(name)`` undoes the
change the way an operator would (deploy the last good revision, restore the secret, scale back,
stop the bad producer). ``names()`` lists them; ``describe(name)`` says what an operator finds.

From another process, ``opsconsole demo incident NAME`` posts to the demo server's
``/_opsconsole/incident`` route, which calls these functions in the server's process.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from console.demo import consumer, ecr, organisation
from console.demo.clock import CLOCK

_STATE: dict[str, Any] = {"endpoint": None, "active": {}, "pace": 1.0, "credentials": None}
_LOCK = threading.RLock()


class IncidentError(Exception):
    """An unknown incident, or one that cannot start or resolve in this world."""


@dataclass(frozen=True)
class Incident:
    name: str
    system: str
    summary: str  # what an operator should find
    start: Callable[[dict[str, Any]], None]
    resolve: Callable[[dict[str, Any]], None]


def bind(endpoint: str) -> None:
    """The runtime tells the incidents where its endpoint is (and forgets old incidents)."""
    with _LOCK:
        _STATE["endpoint"] = endpoint
        _STATE["active"] = {}
        _STATE["credentials"] = organisation.Credentials(endpoint)


def forget() -> None:
    with _LOCK:
        _STATE["active"] = {}


def _client(service: str, region: str) -> Any:
    """A client in the acting account (the incident's system's), as its team's ops role."""
    endpoint = _STATE["endpoint"]
    if not endpoint:
        raise IncidentError("no demo world is running in this process")
    keys = _STATE["credentials"].keys(organisation.acting())
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
        **keys,
    )


def _revise(ecs: Any, family: str, container: str | None = None, **change: Any) -> str:
    """A new revision from the family's latest, one container changed (what a deploy script does)."""
    td = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
    definition = td["taskDefinition"]
    containers = [dict(c) for c in definition["containerDefinitions"]]
    target = next((c for c in containers if container is None or c["name"] == container), containers[0])
    target.update(change)
    keep = (
        "cpu",
        "memory",
        "networkMode",
        "requiresCompatibilities",
        "executionRoleArn",
        "taskRoleArn",
        "volumes",
        "runtimePlatform",
    )
    args = {k: definition[k] for k in keep if definition.get(k)}
    if td.get("tags"):
        args["tags"] = td["tags"]
    return str(
        ecs.register_task_definition(family=family, containerDefinitions=containers, **args)[
            "taskDefinition"
        ]["taskDefinitionArn"]
    )


def _current(ecs: Any, cluster: str, service: str) -> str:
    return str(ecs.describe_services(cluster=cluster, services=[service])["services"][0]["taskDefinition"])


def _deploy_image(
    state: dict[str, Any],
    region: str,
    cluster: str,
    service: str,
    repo: str,
    tag: str,
    annotations: dict[str, str] | None,
    push: bool = True,
) -> None:
    ecs = _client("ecs", region)
    state["before"] = _current(ecs, cluster, service)
    if push:
        body = ecr.manifest(repo, tag, annotations)
        try:
            _client("ecr", region).put_image(repositoryName=repo, imageManifest=body, imageTag=tag)
        except Exception as exc:  # pushed by an earlier run of the incident
            if "ImageAlreadyExists" not in type(exc).__name__ + str(exc):
                raise
    family = state["before"].rsplit("/", 1)[-1].split(":")[0]
    image = f"{organisation.acting()}.dkr.ecr.{region}.amazonaws.com/{repo}:{tag}"
    state["revision"] = _revise(ecs, family, image=image)
    ecs.update_service(cluster=cluster, service=service, taskDefinition=state["revision"])


def _roll_back(state: dict[str, Any], region: str, cluster: str, service: str) -> None:
    before = state.get("before")
    if before:
        _client("ecs", region).update_service(cluster=cluster, service=service, taskDefinition=before)


# ---- the incidents -----------------------------------------------------------------------------

DOCU = ("us-east-1", "docu-cr-backend-cluster", "docu-cr-backend-service")
FRAMERATR = ("us-east-2", "frameratr-dev-cluster", "frameratr-dev-backend-service")
STAGING = ("ap-south-1", "asharvi-backend-cluster", "asharvi-backend-staging")
DV = ("ap-south-1", "document-verification-cluster", "document-verification-service")
WWHD = ("us-east-1", "wwhd-cluster", "wwhd-backend")
LEAK_MB_PER_MIN = 45.0  # docu-cr's 512 MiB limit in about 8 minutes
SECRET = "asharvi/backend/staging/payments"


def _memory_leak(state: dict[str, Any]) -> None:
    rate = LEAK_MB_PER_MIN * float(_STATE["pace"])
    leak = {"opsconsole.demo/memory-leak-mb-per-min": f"{rate:g}"}
    _deploy_image(state, *DOCU, "docu-cr-backend", "f81d2c4", leak)


def _bad_image(state: dict[str, Any]) -> None:
    _deploy_image(state, *FRAMERATR, "frameratr-dev-backend", "b4d1e55", None, push=False)


def _missing_secret(state: dict[str, Any]) -> None:
    region, cluster, service = STAGING
    sm = _client("secretsmanager", region)
    ecs = _client("ecs", region)
    state["before"] = _current(ecs, cluster, service)
    try:
        arn = sm.create_secret(
            Name=SECRET,
            Description="asharvi staging payment provider keys",
            SecretString=json.dumps({"STRIPE_SECRET_KEY": "sk_test_51Asharvi7Qm2Zx"}),
        )["ARN"]
    except sm.exceptions.ResourceExistsException:
        arn = sm.describe_secret(SecretId=SECRET)["ARN"]
    state["secret"] = arn
    family = state["before"].rsplit("/", 1)[-1].split(":")[0]
    current = ecs.describe_task_definition(taskDefinition=state["before"])["taskDefinition"]
    refs = [*current["containerDefinitions"][0].get("secrets", [])]
    refs.append({"name": "STRIPE_SECRET_KEY", "valueFrom": f"{arn}:STRIPE_SECRET_KEY::"})
    state["revision"] = _revise(ecs, family, secrets=refs)
    sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)  # someone "cleaned up" the new secret
    ecs.update_service(cluster=cluster, service=service, taskDefinition=state["revision"])


def _restore_secret(state: dict[str, Any]) -> None:
    region, cluster, service = STAGING
    if state.get("secret"):
        _client("secretsmanager", region).restore_secret(SecretId=state["secret"])
    _roll_back(state, region, cluster, service)


def _health_check(state: dict[str, Any]) -> None:
    failing = {"opsconsole.demo/health": "/health=503"}
    _deploy_image(state, *DV, "document-verification-backend", "20251205-1", failing)


def _poison(state: dict[str, Any]) -> None:
    state["poison"] = True
    state["sent"] = 0
    state["rng"] = random.Random(17)


def _stop_poison(state: dict[str, Any]) -> None:
    state["poison"] = False


def _lock_held(state: dict[str, Any]) -> None:
    region, cluster, service = WWHD
    _client("ecs", region).update_service(cluster=cluster, service=service, desiredCount=2)


def _one_writer(state: dict[str, Any]) -> None:
    region, cluster, service = WWHD
    _client("ecs", region).update_service(cluster=cluster, service=service, desiredCount=1)


INCIDENTS: dict[str, Incident] = {
    i.name: i
    for i in (
        Incident(
            "memory-leak",
            "docu-cr",
            "a new docu-cr image leaks: memory climbs (CPU/memory metrics), the memory alarm fires from the "
            "climb, the container is killed with exit code 137 (OutOfMemoryError) and replaced, again and again",
            _memory_leak,
            lambda s: _roll_back(s, *DOCU),
        ),
        Incident(
            "bad-image",
            "frameratr",
            "a revision naming the tag b4d1e55, never pushed to ECR, is deployed: its tasks stop with "
            "CannotPullContainerError while the old task keeps serving; the rollout never completes",
            _bad_image,
            lambda s: _roll_back(s, *FRAMERATR),
        ),
        Incident(
            "missing-secret",
            "asharvi staging",
            f"a revision references the secret {SECRET}, which was deleted: tasks stop with "
            "ResourceInitializationError naming it and the circuit breaker rolls back",
            _missing_secret,
            _restore_secret,
        ),
        Incident(
            "health-check",
            "document-verification",
            "after a deploy /health answers 503: targets turn unhealthy (Target.ResponseCodeMismatch), ECS "
            "stops each new task after the grace period and starts another; the old task keeps serving",
            _health_check,
            lambda s: _roll_back(s, *DV),
        ),
        Incident(
            "poison-messages",
            "document-verification",
            "uploads of a new document type (p60) make the document-processor Lambda raise KeyError: the "
            "messages return after the visibility timeout and reach the DLQ after 3 receives, so the DLQ "
            "grows at the pace the redrive policy allows",
            _poison,
            _stop_poison,
        ),
        Incident(
            "lock-held",
            "wwhd",
            "a second wwhd task is started: its Qdrant exits (101) because the first task holds the storage "
            "lock on EFS, and ECS restarts it in a loop; the first task keeps running",
            _lock_held,
            _one_writer,
        ),
    )
}


# incident → the cluster of the system it happens to (so, the account it happens in)
CLUSTER_OF = {
    "memory-leak": DOCU[1],
    "bad-image": FRAMERATR[1],
    "missing-secret": STAGING[1],
    "health-check": DV[1],
    "poison-messages": DV[1],
    "lock-held": WWHD[1],
}


def _account(name: str) -> str:
    return organisation.current().account_of(CLUSTER_OF[name])


def names() -> list[str]:
    return list(INCIDENTS)


def describe(name: str) -> Incident:
    try:
        return INCIDENTS[name]
    except KeyError:
        raise IncidentError(f"unknown incident '{name}' (one of: {', '.join(INCIDENTS)})") from None


def active() -> list[str]:
    with _LOCK:
        return sorted(_STATE["active"])


def start(name: str, *, pace: float = 1.0) -> Incident:
    """Stage ``name``. ``pace`` speeds up what unfolds in real time (the leak), for tests."""
    incident = describe(name)
    with _LOCK:
        if name in _STATE["active"]:
            raise IncidentError(f"incident '{name}' is already under way (resolve it first)")
        _STATE["pace"] = pace
        state: dict[str, Any] = {}
        with organisation.acting_as(_account(name)):
            incident.start(state)
        _STATE["active"][name] = state
    return incident


def resolve(name: str) -> Incident:
    incident = describe(name)
    with _LOCK:
        state = _STATE["active"].pop(name, None)
        if state is None:
            raise IncidentError(f"incident '{name}' is not under way")
        with organisation.acting_as(_account(name)):
            incident.resolve(state)
    return incident


POISON_EVERY_S = 120.0  # ECS seconds between two p60 uploads


def tick() -> None:
    """While ``poison-messages`` is under way, p60 uploads keep arriving (one per POISON_EVERY_S)."""
    with _LOCK:
        state = _STATE["active"].get("poison-messages")
        if not state or not state.get("poison"):
            return
        last = state.get("last")
        now = CLOCK.now()
        if last is not None and CLOCK.ecs_seconds_since(last, now) < POISON_EVERY_S:
            return
        state["last"] = now
        state["sent"] = state.get("sent", 0) + 1
        consumer.send(state["rng"], kind="p60", account=_account("poison-messages"))
