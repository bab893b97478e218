"""console.env.taskdef without a server: the request keeps everything, the comparison misses nothing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from console.env.taskdef import (
    ContainerEnv,
    check_accepted,
    is_unchanged,
    registration_request,
    unexpected_changes,
    with_environment,
)
from console.errors import BadInput

DESCRIBED: dict[str, Any] = {
    "taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/app:3",
        "family": "app",
        "revision": 3,
        "status": "ACTIVE",
        "requiresAttributes": [{"name": "ecs.capability.efsAuth"}],
        "compatibilities": ["EC2", "FARGATE"],
        "registeredAt": "2026-01-01T00:00:00Z",
        "registeredBy": "arn:aws:iam::1:user/me",
        "cpu": "512",
        "memory": "1024",
        "networkMode": "awsvpc",
        "volumes": [{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}],
        "containerDefinitions": [
            {
                "name": "web",
                "image": "web:1",
                "environment": [{"name": "A", "value": "1"}],
                "secrets": [{"name": "TOKEN", "valueFrom": "arn:secret:token"}],
                "healthCheck": {"command": ["CMD", "true"], "interval": 15},
            },
            {"name": "sidecar", "image": "side:1", "environment": [{"name": "B", "value": "2"}]},
        ],
    },
    "tags": [{"key": "Project", "value": "app"}],
}


def test_the_request_drops_only_read_only_fields_and_keeps_tags() -> None:
    request = registration_request(DESCRIBED)
    assert set(request) == {
        "family",
        "cpu",
        "memory",
        "networkMode",
        "volumes",
        "containerDefinitions",
        "tags",
    }
    assert request["tags"] == [{"key": "Project", "value": "app"}]
    check_accepted(request)


def test_a_field_registration_would_not_take_is_refused_not_dropped() -> None:
    with pytest.raises(BadInput, match="field\\(s\\) shinyNewField"):
        check_accepted({**registration_request(DESCRIBED), "shinyNewField": 1})


def test_with_environment_changes_one_container_and_drops_only_named_secrets() -> None:
    request = registration_request(DESCRIBED)
    edited = with_environment(request, [ContainerEnv("web", (("A", "9"), ("C", "3")), ("TOKEN",))])
    web, sidecar = edited["containerDefinitions"]
    assert web["environment"] == [{"name": "A", "value": "9"}, {"name": "C", "value": "3"}]
    assert "secrets" not in web
    assert sidecar == request["containerDefinitions"][1]
    assert request["containerDefinitions"][0]["secrets"]  # the input is not modified
    with pytest.raises(BadInput, match="no container 'nope'"):
        with_environment(request, [ContainerEnv("nope", ())])


def test_the_comparison_reports_every_other_difference_and_no_value() -> None:
    new = copy.deepcopy(DESCRIBED)
    td = new["taskDefinition"]
    td["revision"] = 4
    td["registeredAt"] = "later"
    web, sidecar = td["containerDefinitions"]
    web["environment"] = [{"name": "A", "value": "secret-value-9"}]
    assert unexpected_changes(DESCRIBED, new, edited={"web": {"environment"}}) == []
    web["healthCheck"]["interval"] = 30
    del td["volumes"]
    sidecar["environment"] = [{"name": "B", "value": "secret-value-3"}]
    new["tags"] = []
    problems = unexpected_changes(DESCRIBED, new, edited={"web": {"environment"}})
    assert problems == [
        "taskDefinition.volumes: dropped",
        "containerDefinitions[web].healthCheck.interval: 15 -> 30",
        "containerDefinitions[sidecar].environment: differs",
        "tags: differ",
    ]
    assert not any("secret-value" in p for p in problems)


def test_an_absent_environment_equals_an_empty_one() -> None:
    new = copy.deepcopy(DESCRIBED)
    old = copy.deepcopy(DESCRIBED)
    old["taskDefinition"]["containerDefinitions"][1].pop("environment")
    new["taskDefinition"]["containerDefinitions"][1]["environment"] = []
    assert unexpected_changes(old, new) == []


def test_unchanged_edits_register_nothing() -> None:
    assert is_unchanged(DESCRIBED, [ContainerEnv("web", (("A", "1"),))])
    assert not is_unchanged(DESCRIBED, [ContainerEnv("web", (("A", "2"),))])
    assert not is_unchanged(DESCRIBED, [ContainerEnv("web", (("A", "1"),), ("TOKEN",))])
