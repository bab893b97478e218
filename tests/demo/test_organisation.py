"""The demo as an organisation: each system in its own account, reached by AssumeRole (plain boto3)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tomllib
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from console.demo import incidents
from console.demo.organisation import BASE_ACCOUNT, SEED_ACCOUNTS, Organisation
from console.demo.runtime import DemoRuntime
from tests.demo.helpers import client, ecs_dimensions, poll

PROFILE = Path(__file__).resolve().parents[2] / "profiles" / "demo.toml"
FRAMERATR = "451904790164"
DOCVERIFY = "177215708218"


@pytest.fixture(scope="module")
def org(demo: DemoRuntime) -> Iterator[DemoRuntime]:
    """The session's demo re-seeded as an organisation, and back to one account after."""
    demo.reorganise(True)
    try:
        yield demo
    finally:
        demo.deny()
        demo.reorganise(False)


@pytest.fixture
def org_world(org: DemoRuntime) -> DemoRuntime:
    org.deny()
    org.reset()
    return org


def assumed(runtime: Any, account: str) -> dict[str, str]:
    """Keys for ``account``'s ops role, assumed with the demo's base credentials."""
    role = f"arn:aws:iam::{account}:role/opsconsole-ops"
    got = client(runtime, "sts", "us-east-1").assume_role(RoleArn=role, RoleSessionName="oncall")
    creds = got["Credentials"]
    return {
        "aws_access_key_id": creds["AccessKeyId"],
        "aws_secret_access_key": creds["SecretAccessKey"],
        "aws_session_token": creds["SessionToken"],
    }


def member(runtime: Any, account: str, service: str, region: str) -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=runtime.endpoint,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        **assumed(runtime, account),
    )


def clusters(ecs: Any) -> list[str]:
    return sorted(arn.rsplit("/", 1)[-1] for arn in ecs.list_clusters()["clusterArns"])


def test_each_system_lives_in_its_own_account_and_the_base_account_sees_none(org_world):
    world = org_world
    seen: dict[str, list[str]] = {}
    for account in world.organisation.accounts:
        for region in account.regions:
            ecs = member(world, account.id, "ecs", region)
            found = clusters(ecs)
            seen[account.name] = found
            for arn in ecs.list_clusters()["clusterArns"]:
                assert f":{account.id}:" in arn
    assert seen == {
        "docu-cr": ["docu-cr-backend-cluster"],
        "docverify": ["document-verification-cluster"],
        "asharvi": ["asharvi-backend-cluster"],
        "frameratr": ["frameratr-dev-cluster"],
        "wwhd": ["wwhd-cluster"],
    }
    for region in world.regions:
        assert clusters(client(world, "ecs", region)) == []
    ident = member(world, FRAMERATR, "sts", "us-east-1").get_caller_identity()
    assert ident["Account"] == FRAMERATR
    assert ident["Arn"].startswith(f"arn:aws:sts::{FRAMERATR}:assumed-role/opsconsole-ops/")
    assert {s.account for s in world.world.services.values()} == {a.id for a in SEED_ACCOUNTS}


def test_the_organisation_is_data_the_profile_and_the_server_agree_on(org_world):
    profile = tomllib.loads(PROFILE.read_text())
    listed = [
        {"name": a["name"], "id": a["id"], "role_arn": a["role_arn"], "regions": a["regions"]}
        for a in profile["accounts"]
    ]
    assert listed == [a.as_dict() for a in SEED_ACCOUNTS]
    with urllib.request.urlopen(f"{org_world.endpoint}/_opsconsole/info", timeout=5) as resp:
        info = json.loads(resp.read())
    assert info["accounts"] == listed
    assert tomllib.loads(Organisation.make(True).to_toml())["accounts"] == listed
    assert (
        Organisation.make(False).to_toml() == "" and Organisation.make(False).places()[0][0] == BASE_ACCOUNT
    )


def test_the_scheduler_fates_and_ecr_work_in_a_member_account(org_world):
    ecs = member(org_world, FRAMERATR, "ecs", "us-east-2")
    ecr = member(org_world, FRAMERATR, "ecr", "us-east-2")
    assert ecr.describe_repositories()["repositories"][0]["registryId"] == FRAMERATR
    cluster, name = "frameratr-dev-cluster", "frameratr-dev-backend-service"
    ecs.update_service(cluster=cluster, service=name, desiredCount=2)

    def running() -> int:
        return int(ecs.describe_services(cluster=cluster, services=[name])["services"][0]["runningCount"])

    assert poll(running, lambda n: n == 2) == 2
    # A revision naming a tag never pushed to this account's ECR: its task cannot pull.
    current = ecs.describe_services(cluster=cluster, services=[name])["services"][0]["taskDefinition"]
    td = ecs.describe_task_definition(taskDefinition=current)["taskDefinition"]
    containers = td["containerDefinitions"]
    containers[0]["image"] = containers[0]["image"].rsplit(":", 1)[0] + ":never-pushed"
    keep = ("cpu", "memory", "networkMode", "requiresCompatibilities", "executionRoleArn", "taskRoleArn")
    arn = ecs.register_task_definition(
        family=td["family"], containerDefinitions=containers, **{k: td[k] for k in keep if td.get(k)}
    )["taskDefinition"]["taskDefinitionArn"]
    assert f":{FRAMERATR}:" in arn
    ecs.update_service(cluster=cluster, service=name, taskDefinition=arn)

    def stopped() -> list[str]:
        arns = ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED")["taskArns"]
        tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []
        return [t.get("stoppedReason", "") for t in tasks]

    reasons = poll(stopped, lambda r: any("CannotPullContainerError" in x for x in r))
    assert any("CannotPullContainerError" in r and "never-pushed" in r for r in reasons), reasons


def test_metrics_alarms_history_queues_and_secrets_are_per_account(org_world):
    cw = member(org_world, "318264759034", "cloudwatch", "us-east-1")
    alarm = cw.describe_alarms(AlarmNames=["docu-cr-backend-memory-high"])["MetricAlarms"][0]
    assert alarm["AlarmArn"].split(":")[4] == "318264759034"
    org_world.world.firing()  # the history is written
    history = cw.describe_alarm_history(AlarmName="docu-cr-backend-memory-high")["AlarmHistoryItems"]
    assert history, "the alarm's day is replayed in its own account"
    points = cw.get_metric_statistics(
        Namespace="AWS/ECS",
        MetricName="MemoryUtilization",
        Dimensions=ecs_dimensions("docu-cr-backend-cluster", "docu-cr-backend-service"),
        StartTime=alarm["StateUpdatedTimestamp"] - timedelta(hours=24),
        EndTime=alarm["StateUpdatedTimestamp"] + timedelta(hours=1),
        Period=3600,
        Statistics=["Average"],
    )["Datapoints"]
    assert points
    # Another account has none of it.
    other = member(org_world, FRAMERATR, "cloudwatch", "us-east-1")
    assert other.describe_alarms(AlarmNames=["docu-cr-backend-memory-high"])["MetricAlarms"] == []
    sqs = member(org_world, DOCVERIFY, "sqs", "ap-south-1")
    dlq = sqs.get_queue_url(QueueName="document-verification-dlq")["QueueUrl"]
    assert f"/{DOCVERIFY}/" in dlq
    depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert int(depth["Attributes"]["ApproximateNumberOfMessages"]) > 0
    names = [
        s["Name"]
        for s in member(org_world, "318264759034", "secretsmanager", "us-east-1").list_secrets()["SecretList"]
    ]
    assert "docu-cr-backend/rds" in names


def test_an_incident_happens_in_its_systems_account_and_resolves_there(org_world):
    incidents.start("bad-image")
    try:
        ecs = member(org_world, FRAMERATR, "ecs", "us-east-2")
        svc = ecs.describe_services(
            cluster="frameratr-dev-cluster", services=["frameratr-dev-backend-service"]
        )
        assert svc["services"][0]["taskDefinition"].split(":")[4] == FRAMERATR
        assert len(svc["services"][0]["deployments"]) == 2
    finally:
        incidents.resolve("bad-image")
    assert org_world.wait_steady(20)


def test_a_denied_account_refuses_assume_role_as_sts_words_it_and_the_others_still_answer(org_world):
    org_world.deny(FRAMERATR)
    with pytest.raises(ClientError) as caught:
        assumed(org_world, FRAMERATR)
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Message"] == (
        f"User: arn:aws:iam::{BASE_ACCOUNT}:user/opsconsole-demo is not authorized to perform: "
        f"sts:AssumeRole on resource: arn:aws:iam::{FRAMERATR}:role/opsconsole-ops"
    )
    assert clusters(member(org_world, DOCVERIFY, "ecs", "ap-south-1")) == ["document-verification-cluster"]
    org_world.deny()
    assert assumed(org_world, FRAMERATR)["aws_access_key_id"]


def test_demo_serve_makes_a_synthetic_fleet_with_one_account_denying_assume_role():
    """``demo serve --accounts 2 --scale 3 --deny-account ID`` in its own process."""
    denied = "800000000002"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = ["demo", "serve", "--no-activity", "--accounts", "2", "--scale", "3", "--deny-account", denied]
    proc = subprocess.Popen(
        [sys.executable, "-m", "console.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("endpoint: http://127.0.0.1:"), line
        endpoint = line.split(" ", 1)[1].strip()
        with urllib.request.urlopen(f"{endpoint}/_opsconsole/info", timeout=5) as resp:
            listed = {a["name"]: a for a in json.loads(resp.read())["accounts"]}
        assert set(listed) == {a.name for a in SEED_ACCOUNTS} | {"fleet-01", "fleet-02"}
        runtime = SimpleNamespace(endpoint=endpoint)
        fleet = listed["fleet-01"]
        for region in fleet["regions"]:
            ecs = member(runtime, fleet["id"], "ecs", region)
            assert clusters(ecs) == ["scale-cluster"]
            assert len(ecs.list_services(cluster="scale-cluster", maxResults=100)["serviceArns"]) == 3
        with pytest.raises(ClientError) as caught:
            assumed(runtime, denied)
        assert caught.value.response["Error"]["Code"] == "AccessDenied"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
