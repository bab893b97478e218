"""The console on the demo organised as an AWS organisation: five systems in five accounts, reached
by AssumeRole from the demo's base credentials; one account's role can be made to refuse."""

from __future__ import annotations

import json

import boto3
import pytest

from console.cli import main
from console.config import resolve_settings
from console.demo.runtime import DemoRuntime
from console.endpoints import demo_accounts, demo_regions
from console.ops import audit
from tests.demo.test_organisation import org  # noqa: F401  (the demo re-seeded as an organisation)

FRAMERATR = "451904790164"
ACCOUNTS = {
    "docu-cr-backend-cluster": ("318264759034", "docu-cr"),
    "document-verification-cluster": ("177215708218", "docverify"),
    "asharvi-backend-cluster": ("529617384025", "asharvi"),
    "frameratr-dev-cluster": (FRAMERATR, "frameratr"),
    "wwhd-cluster": ("604738291546", "wwhd"),
}
FR = ("frameratr-dev-cluster", "frameratr-dev-backend-service")


@pytest.fixture
def org_world(org: DemoRuntime, tmp_path, monkeypatch: pytest.MonkeyPatch) -> DemoRuntime:  # type: ignore[no-untyped-def]  # noqa: F811
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    org.deny()
    org.reset()
    org.wait_steady(15)
    return org


def cli(capsys: pytest.CaptureFixture[str], runtime: DemoRuntime, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([*argv, "--profile", "demo", "--endpoint-url", runtime.endpoint])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def ecs_in(runtime: DemoRuntime, account: str | None, region: str):  # type: ignore[no-untyped-def]
    base = {
        "endpoint_url": runtime.endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    if account is None:
        return boto3.client("ecs", region_name=region, **base)
    sts = boto3.client("sts", region_name=region, **base)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/opsconsole-ops", RoleSessionName="check")[
        "Credentials"
    ]
    return boto3.client(
        "ecs",
        region_name=region,
        endpoint_url=runtime.endpoint,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def test_five_systems_in_five_accounts_in_one_inventory(
    capsys: pytest.CaptureFixture[str], org_world: DemoRuntime
) -> None:
    rc, out, err = cli(capsys, org_world, "inventory", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    got = {c["name"]: (c["account"], c["account_name"]) for c in doc["clusters"]}
    assert got == ACCOUNTS
    assert {a["id"] for a in doc["accounts"]} == {i for i, _ in ACCOUNTS.values()}
    assert all(a["error"] is None for a in doc["accounts"])


def test_scale_of_frameratr_changes_only_its_account(
    capsys: pytest.CaptureFixture[str], org_world: DemoRuntime
) -> None:
    rc, out, err = cli(capsys, org_world, "scale", *FR, "2", "--yes")  # no --wait: auto scaling may scale in
    assert rc == 0, err
    assert f"account frameratr ({FRAMERATR})" in out
    svc = ecs_in(org_world, FRAMERATR, "us-east-2").describe_services(cluster=FR[0], services=[FR[1]])
    assert svc["services"][0]["desiredCount"] == 2
    assert ecs_in(org_world, None, "us-east-2").list_clusters()["clusterArns"] == []  # the base account
    sent = next(e for e in audit.entries() if e.get("action") == "scale")
    assert (sent["account"], sent["account_name"]) == (FRAMERATR, "frameratr")
    assert f"::{FRAMERATR}:" in sent["caller"] or f":{FRAMERATR}:" in sent["caller"]


def test_a_denying_account_is_its_error_and_the_others_are_read(
    capsys: pytest.CaptureFixture[str], org_world: DemoRuntime
) -> None:
    org_world.deny(FRAMERATR)
    rc, out, err = cli(capsys, org_world, "inventory", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert "frameratr-dev-cluster" not in {c["name"] for c in doc["clusters"]}
    assert len(doc["clusters"]) == 4
    denied = next(a for a in doc["accounts"] if a["id"] == FRAMERATR)
    assert "AssumeRole of arn:aws:iam::451904790164:role/opsconsole-ops was denied" in denied["error"]
    assert "trust policy" in denied["error"]


def test_the_demo_announces_its_accounts_and_settings_place_them(org_world: DemoRuntime) -> None:
    accounts = demo_accounts(org_world.endpoint)
    settings = resolve_settings(
        profile_name="demo",
        endpoint_url=org_world.endpoint,
        discovered_regions=demo_regions(org_world.endpoint),
        discovered_accounts=accounts,
    )
    assert {(str(r), r.account.name) for r in settings.regions} == {  # type: ignore[attr-defined]
        ("us-east-1", "docu-cr"),
        ("ap-south-1", "docverify"),
        ("ap-south-1", "asharvi"),
        ("us-east-2", "frameratr"),
        ("us-east-1", "wwhd"),
    }


async def test_console_shows_the_denied_account_row_while_the_others_load(org_world: DemoRuntime) -> None:
    from tui_helpers import wait_for

    from console.api import ClientSettings, ConsoleApi
    from screens.app import OpsConsoleApp
    from screens.clusters import ClustersScreen

    org_world.deny(FRAMERATR)
    settings = resolve_settings(
        profile_name="demo",
        endpoint_url=org_world.endpoint,
        discovered_regions=demo_regions(org_world.endpoint),
        discovered_accounts=demo_accounts(org_world.endpoint),
    )
    api = ConsoleApi(settings, client_settings=ClientSettings(max_attempts=2, read_timeout=10))
    app = OpsConsoleApp(settings, api=api, poll_interval=2.0)
    async with app.run_test(size=(200, 30)) as pilot:
        key = f"account-problem:{FRAMERATR}"
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and key in app.screen.table.keys)
        table = app.screen.table
        clusters = [k for k in table.keys if k.startswith("arn:")]
        assert len(clusters) == 4 and not any(FRAMERATR in k for k in clusters)
        assert "AssumeRole" in table.plain_row(key)[0] and "denied" in table.plain_row(key)[0]
        assert {table.plain_row(k)[1] for k in clusters} == {"docu-cr", "docverify", "asharvi", "wwhd"}


def test_logs_timeline_and_why_of_a_service_in_its_own_account(
    capsys: pytest.CaptureFixture[str], org_world: DemoRuntime
) -> None:
    service = "/".join(FR)
    rc, out, err = cli(capsys, org_world, "logs", "--service", service, "--since", "2h", "--json")
    assert rc == 0, err
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert lines and all("frameratr" in entry["group"] for entry in lines)
    rc, out, err = cli(capsys, org_world, "timeline", *FR, "--since", "24h")
    assert rc == 0, err
    assert "deploy" in out.lower() or "revision" in out.lower()
    rc, out, err = cli(capsys, org_world, "why", *FR)
    assert rc in (0, 1), err  # a report either way (1: something is wrong), never an error line
    assert "opsconsole: error" not in err
