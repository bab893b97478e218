"""Bad-input suite fixtures: the seeded world (reset once per module), private dirs, a world snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from console.demo.runtime import DemoRuntime


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture(scope="module")
def seeded(demo: DemoRuntime) -> Iterator[DemoRuntime]:
    """One reset for the module: bad input changes nothing, which each test checks before/after."""
    demo.server.middleware.set_faults(None)
    demo.reset()
    demo.wait_steady(15)
    yield demo


_CLIENTS: dict[tuple[str, str, str], Any] = {}


def _client(runtime: DemoRuntime, service: str, region: str) -> Any:
    key = (runtime.endpoint, service, region)
    if key not in _CLIENTS:
        _CLIENTS[key] = _make_client(runtime, service, region)
    return _CLIENTS[key]


def _make_client(runtime: DemoRuntime, service: str, region: str) -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=runtime.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def snapshot(runtime: DemoRuntime, data_dir: Path) -> dict[str, Any]:
    """What a mutation would change: services (desired count, revision, deployments), every
    task-definition revision with its status, every queue's message counts, and the audit log."""
    out: dict[str, Any] = {}
    for region in runtime.regions:
        ecs = _client(runtime, "ecs", region)
        for cluster in sorted(ecs.list_clusters()["clusterArns"]):
            arns = ecs.list_services(cluster=cluster)["serviceArns"]
            services = ecs.describe_services(cluster=cluster, services=arns)["services"] if arns else []
            for s in services:
                out[f"svc {s['serviceArn']}"] = (
                    s["desiredCount"],
                    s["taskDefinition"],
                    s["status"],
                    sorted(d["id"] for d in s["deployments"]),
                )
            tasks = ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED")["taskArns"]
            out[f"stopped tasks {cluster}"] = sorted(tasks)
        for status in ("ACTIVE", "INACTIVE"):
            out[f"td {region} {status}"] = sorted(
                ecs.list_task_definitions(status=status)["taskDefinitionArns"]
            )
        sqs = _client(runtime, "sqs", region)
        for url in sorted(sqs.list_queues().get("QueueUrls", [])):
            attrs = sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            out[f"queue {url}"] = (
                attrs["ApproximateNumberOfMessages"],
                attrs["ApproximateNumberOfMessagesNotVisible"],
            )
    audit = data_dir / "data" / "audit.jsonl"
    out["audit"] = audit.read_text(encoding="utf-8") if audit.exists() else ""
    return out
