"""ECS's task-definition limits, checked before any call: a 70,000-character value is refused in
one line naming it and its size, the world unchanged; the demo refuses what ECS refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from console.demo.runtime import DemoRuntime
from console.env.limits import TASK_DEFINITION_MAX_BYTES, limit_problem

from .conftest import Cli, current_td, ecs, mutations

DV = ("document-verification-cluster", "document-verification-service")  # ap-south-1
DV_REGION = "ap-south-1"
BIG = "x" * 70_000


def _services(runtime: DemoRuntime) -> list[str]:
    client = ecs(runtime, DV_REGION)
    return client.list_task_definitions(familyPrefix="document-verification")["taskDefinitionArns"]


@pytest.mark.parametrize("how", ["sync", "set"])
def test_a_70000_character_value_is_refused_before_any_call(
    cli: Cli, env_world: DemoRuntime, tmp_path: Path, how: str
) -> None:
    before, revisions = current_td(env_world, DV_REGION, *DV), _services(env_world)
    if how == "sync":
        dotenv = tmp_path / ".env"
        dotenv.write_text(f"HUGE_BLOB={BIG}\n", encoding="utf-8")
        rc, out, err = cli("env", "sync", *DV, str(dotenv), "--yes")
    else:
        rc, out, err = cli("env", "set", *DV, f"HUGE_BLOB={BIG}", "--yes")
    assert rc == 2, out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    line = lines[0]
    assert "environment variable HUGE_BLOB" in line and "70,0" in line  # the variable and its size
    assert "64.0 KiB" in line and "nothing sent" in line
    assert BIG[:200] not in out + err  # the value itself is not printed
    assert mutations(env_world) == {}  # no RegisterTaskDefinition, no UpdateService
    assert _services(env_world) == revisions
    assert current_td(env_world, DV_REGION, *DV) == before


def test_the_demo_refuses_what_ecs_refuses(env_world: DemoRuntime) -> None:
    client = ecs(env_world, DV_REGION)
    container = {
        "name": "app",
        "image": "busybox",
        "memory": 128,
        "environment": [{"name": "B", "value": BIG}],
    }
    with pytest.raises(ClientError) as refused:
        client.register_task_definition(family="limits-test", containerDefinitions=[container])
    assert refused.value.response["Error"]["Code"] == "ClientException"
    assert "64.0 KiB" in refused.value.response["Error"]["Message"]
    small = {**container, "environment": [{"name": "B", "value": "ok"}]}
    assert client.register_task_definition(family="limits-test", containerDefinitions=[small])


def test_other_limits_name_the_field() -> None:
    container = {"name": "c", "image": "i"}
    eleven = {"family": "f", "containerDefinitions": [{**container, "name": f"c{i}"} for i in range(11)]}
    assert "11 containers" in (limit_problem(eleven) or "")
    tags = {"family": "f", "containerDefinitions": [container], "tags": [{"key": "k", "value": "v" * 300}]}
    assert "300 characters" in (limit_problem(tags) or "")
    command = {
        "family": "f",
        "containerDefinitions": [{**container, "command": ["y" * TASK_DEFINITION_MAX_BYTES]}],
    }
    assert "field command of container c" in (limit_problem(command) or "")
    assert limit_problem({"family": "f", "containerDefinitions": [container]}) is None
