"""boto3 against the demo endpoint, and polling without sleeping longer than needed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
from botocore.config import Config

T = TypeVar("T")


def client(runtime: Any, service: str, region: str, **config: Any) -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=runtime.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, **config),
    )


def poll(fetch: Callable[[], T], done: Callable[[T], bool], timeout: float = 15.0, every: float = 0.05) -> T:
    """Fetch until ``done``; returns the last value (the caller's assert shows what it was)."""
    deadline = time.monotonic() + timeout
    value = fetch()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(every)
        value = fetch()
    return value


def service(ecs: Any, cluster: str, name: str) -> dict[str, Any]:
    return ecs.describe_services(cluster=cluster, services=[name])["services"][0]


def messages(svc: dict[str, Any]) -> list[str]:
    return [e["message"] for e in svc["events"]]


def ecs_dimensions(cluster: str, name: str) -> list[dict[str, str]]:
    """The AWS/ECS metric dimensions of a service."""
    return [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": name}]
