"""A new revision keeps everything but the environment: on every seed system, and when AWS disagrees.

These drive the operation API (what the TUI calls) against the embedded AWS and compare the
describe output of the old and new revisions with the test's own code, not with
``console.env.taskdef``'s comparison.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import string
from collections.abc import Mapping
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.aws.context import open_gateways
from console.commands.env import export_text
from console.config import Settings
from console.demo.runtime import DemoRuntime
from console.env.dotenv import parse_dotenv
from console.env.envdiff import StaleDiff
from console.env.taskdef import RevisionMismatch
from console.ops import audit
from console.ops.envsync import (
    container_views,
    current_task_definition,
    prepare_env_change,
    prepare_env_sync,
    setting,
)
from console.ops.plan import Plan
from console.ops.resolve import resolve_service
from console.ops.runner import Outcome, run_operation

from .conftest import current_td, ecs, env_of, mutations

READ_ONLY = {
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
}
DV = ("ap-south-1", "document-verification-cluster", "document-verification-service")


async def yes(_plan: Plan) -> bool:
    return True


async def nobody() -> str:
    return "arn:aws:iam::123456789012:user/test"


async def set_vars(
    settings: Settings, cluster: str, service: str, values: Mapping[str, str], *, container: str | None = None
) -> Outcome:
    async with open_gateways(settings) as gw:
        svc = await resolve_service(gw.ecs, settings.regions, cluster, service)
        op = await prepare_env_change(
            gw.ecs,
            settings,
            svc,
            setting(values, allow_secret_override=False),
            action="env-set",
            container=container,
        )
        return await run_operation(settings, op, confirm=yes, caller=nobody, wait=False)


def without_env(described: dict[str, Any], container: str) -> dict[str, Any]:
    """The description minus the read-only fields and ``container``'s environment."""
    td = copy.deepcopy(described["taskDefinition"])
    for key in READ_ONLY:
        td.pop(key, None)
    for c in td["containerDefinitions"]:
        if c["name"] == container:
            c.pop("environment", None)
    return td


def tags(described: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((t["key"], t["value"]) for t in described.get("tags", []))


def test_every_seed_system_keeps_every_field_but_the_environment(
    env_world: DemoRuntime, settings: Settings
) -> None:
    services = env_world.world.services.values()
    assert len(services) >= 6  # docu-cr, document-verification, asharvi staging+prod, frameratr, wwhd
    checked = []
    for facts in services:
        for name in facts.containers:
            before = current_td(env_world, facts.region, facts.cluster, facts.service)
            assert before["tags"], f"{facts.service} is seeded with tags"
            outcome = asyncio.run(
                set_vars(settings, facts.cluster, facts.service, {"OPSCONSOLE_PROBE": name}, container=name)
            )
            assert outcome.ok and outcome.applied is not None, facts.service
            after = current_td(env_world, facts.region, facts.cluster, facts.service)
            assert after["taskDefinition"]["revision"] > before["taskDefinition"]["revision"]
            assert without_env(after, name) == without_env(before, name), (facts.service, name)
            assert tags(after) == tags(before)
            assert env_of(after, name) == [*env_of(before, name), ("OPSCONSOLE_PROBE", name)]
            checked.append(f"{facts.service}/{name}")
    assert "wwhd-backend/qdrant" in checked and "wwhd-backend/fastapi" in checked
    # wwhd's EFS volumes, dependsOn and Qdrant's health check survived two edits.
    wwhd = current_td(env_world, "us-east-1", "wwhd-cluster", "wwhd-backend")["taskDefinition"]
    assert [v["efsVolumeConfiguration"]["fileSystemId"] for v in wwhd["volumes"]] == [
        "fs-0421d6926b3c7056d",
        "fs-00b8168893587fd61",
    ]
    qdrant = next(c for c in wwhd["containerDefinitions"] if c["name"] == "qdrant")
    assert qdrant["healthCheck"]["startPeriod"] == 20


def _client(runtime: DemoRuntime, region: str) -> Any:
    return boto3.client(
        "ecs",
        region_name=region,
        endpoint_url=runtime.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_a_revision_that_comes_back_different_is_never_deployed(
    env_world: DemoRuntime, settings: Settings
) -> None:
    """An AWS that drops the health checks on registration: the check catches it, the service stays."""
    region, cluster, service = DV
    busy: list[bool] = []  # the nested register below is served by another server thread
    client = _client(env_world, region)  # made here: botocore's client creation is not for server threads

    def lossy(req_region: str, request: dict[str, Any]) -> dict[str, Any] | None:
        if busy:
            return None
        busy.append(True)
        try:
            changed = copy.deepcopy(request)
            for c in changed["containerDefinitions"]:
                c.pop("healthCheck", None)
            assert req_region == region
            resp = client.register_task_definition(**changed)
            return {"taskDefinition": resp["taskDefinition"], "tags": changed.get("tags", [])}
        finally:
            busy.clear()

    before = current_td(env_world, region, cluster, service)
    overrides = env_world.server.middleware.overrides
    kept = overrides.get(
        ("ecs", "RegisterTaskDefinition")
    )  # the demo's limits check (console/demo/limits.py)
    env_world.server.register_override("ecs", "RegisterTaskDefinition", lossy)
    try:
        with pytest.raises(RevisionMismatch) as caught:
            asyncio.run(set_vars(settings, cluster, service, {"USE_SQS": "false"}))
    finally:
        overrides.pop(("ecs", "RegisterTaskDefinition"), None)
        if kept is not None:
            overrides[("ecs", "RegisterTaskDefinition")] = kept
    message = str(caught.value)
    assert "containerDefinitions[document-verification-backend].healthCheck: dropped" in message
    assert "the service was not changed" in message
    assert "ecs.UpdateService" not in mutations(env_world)
    assert current_td(env_world, region, cluster, service) == before
    (entry,) = list(audit.entries())
    assert entry["result"] == "failed"


def test_a_change_made_meanwhile_is_not_overwritten(env_world: DemoRuntime, settings: Settings) -> None:
    region, cluster, service = DV

    async def scenario() -> None:
        async with open_gateways(settings) as gw:
            svc = await resolve_service(gw.ecs, settings.regions, cluster, service)
            op = await prepare_env_change(
                gw.ecs,
                settings,
                svc,
                setting({"USE_SQS": "false"}, allow_secret_override=False),
                action="env-set",
            )
            # Someone rolls the service back while the plan waits for confirmation.
            ecs(env_world, region).update_service(
                cluster=cluster, service=service, taskDefinition="document-verification-task:4"
            )
            await run_operation(settings, op, confirm=yes, caller=nobody, wait=False)

    with pytest.raises(StaleDiff, match="now runs document-verification-task:4"):
        asyncio.run(scenario())
    assert "ecs.RegisterTaskDefinition" not in mutations(env_world)


def test_the_editor_api_sees_every_source(env_world: DemoRuntime, settings: Settings) -> None:
    async def views() -> list[Any]:
        async with open_gateways(settings) as gw:
            svc = await resolve_service(gw.ecs, settings.regions, "wwhd-cluster", "wwhd-backend")
            return container_views(await current_task_definition(gw.ecs, svc))

    fastapi, qdrant = asyncio.run(views())
    assert (fastapi.name, qdrant.name) == ("fastapi", "qdrant")
    assert fastapi.secret_names == {"OPENAI_API_KEY", "JWT_SECRET"}
    assert fastapi.variables["QDRANT_URL"] == "http://localhost:6333"
    assert qdrant.secrets == ()


# --- property: any variables, set then exported, sync back to no change ------------------------------

NAMES = st.from_regex(r"HX_[A-Z0-9_]{1,10}", fullmatch=True)
VALUES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=24,
) | st.text(alphabet=string.printable, max_size=24)


@hsettings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.dictionaries(NAMES, VALUES, min_size=1, max_size=5))
def test_set_then_export_then_sync_is_no_change(
    env_world: DemoRuntime, settings: Settings, values: dict[str, str]
) -> None:
    region, cluster, service = DV

    one_region = dataclasses.replace(settings, regions=(region,))  # one client: each example is quick

    async def scenario() -> tuple[dict[str, str], bool]:
        async with open_gateways(one_region) as gw:
            svc = await resolve_service(gw.ecs, one_region.regions, cluster, service)
            op = await prepare_env_change(
                gw.ecs, one_region, svc, setting(values, allow_secret_override=False), action="env-set"
            )
            await run_operation(one_region, op, confirm=yes, caller=nobody, wait=False)
            svc = await resolve_service(gw.ecs, one_region.regions, cluster, service)
            td = await current_task_definition(gw.ecs, svc)
            text = export_text(svc, td, "document-verification-backend")
            file_vars = parse_dotenv(text, source="exported.env")
            sync = await prepare_env_sync(gw.ecs, one_region, svc, file_vars, prune=True)
            return file_vars, sync.plan.is_noop

    file_vars, noop = asyncio.run(scenario())
    for name, value in values.items():
        assert file_vars[name] == value
    assert noop
