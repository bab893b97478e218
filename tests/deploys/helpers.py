"""Helpers for the deploys tests: a push as a build would make it, the CLI in-process, ECS state read back."""

from __future__ import annotations

from typing import Any

import pytest
from ops.support import aws
from ops.test_cli_ops import describe

from console.demo.ecr import manifest
from console.demo.runtime import DemoRuntime

FRAMERATR = ("frameratr-dev-cluster", "frameratr-dev-backend-service")  # us-east-2, 1 task, tags 1-4
FRAMERATR_REGION = "us-east-2"
FRAMERATR_REPO = "frameratr-dev-backend"
WWHD = ("wwhd-cluster", "wwhd-backend")  # us-east-1, single writer, two containers
ASHARVI = ("asharvi-backend-cluster", "asharvi-backend-prod")  # ap-south-1, breaker, broken :5


def push(runtime: DemoRuntime, region: str, repository: str, tag: str) -> str:
    """``docker push`` of a new build: PutImage of its manifest; returns the digest."""
    ecr = aws(runtime, "ecr", region)
    answer = ecr.put_image(repositoryName=repository, imageManifest=manifest(repository, tag), imageTag=tag)
    return str(answer["image"]["imageId"]["imageDigest"])


def task_definition(runtime: DemoRuntime, region: str, ref: str) -> dict[str, Any]:
    return dict(aws(runtime, "ecs", region).describe_task_definition(taskDefinition=ref)["taskDefinition"])


def running_td(runtime: DemoRuntime) -> dict[str, Any]:
    """frameratr's running revision, as DescribeTaskDefinition returns it."""
    svc = describe(runtime, FRAMERATR_REGION, *FRAMERATR)
    return task_definition(runtime, FRAMERATR_REGION, svc["taskDefinition"])


def revisions(runtime: DemoRuntime, region: str, family: str) -> list[str]:
    ecs = aws(runtime, "ecs", region)
    return list(ecs.list_task_definitions(familyPrefix=family)["taskDefinitionArns"])


def read_cli(capsys: pytest.CaptureFixture[str], runtime: DemoRuntime, *args: str) -> tuple[int, str, str]:
    """A command that only reads (no --poll-interval to take)."""
    from console.cli import main

    capsys.readouterr()
    rc = main([*args, "--profile", "demo", "--endpoint-url", runtime.endpoint])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err
