"""The CLI on a fleet: one inventory of every account, operations bound to their account."""

from __future__ import annotations

import json

import pytest

from console.cli import main
from console.ops import audit

from .conftest import DOCVERIFY, FRAMERATR, PROD, STAGING, Fleet


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def desired(fleet: Fleet, account: str, region: str, cluster: str, service: str) -> int:
    found = fleet.client(account, "ecs", region).describe_services(cluster=cluster, services=[service])
    return int(found["services"][0]["desiredCount"])


def test_inventory_json_has_every_account_and_each_cluster_names_its_own(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    rc, out, err = cli(capsys, *fleet.args("inventory", "--json"))
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["format"] == 1
    got = {(c["name"], c["account"], c["account_name"], c["region"]) for c in doc["clusters"]}
    assert got == {
        ("document-verification-cluster", DOCVERIFY, "docverify", "ap-south-1"),
        ("frameratr-dev-cluster", FRAMERATR, "frameratr", "us-east-2"),
        ("shop-cluster", STAGING, "shop-staging", "us-east-1"),
        ("shop-cluster", PROD, "shop-prod", "us-east-1"),
    }
    assert [(a["name"], a["id"], a["error"]) for a in doc["accounts"]] == [
        ("docverify", DOCVERIFY, None),
        ("frameratr", FRAMERATR, None),
        ("shop-staging", STAGING, None),
        ("shop-prod", PROD, None),
    ]
    assert all(len(c["services"]) == 1 for c in doc["clusters"])


def test_scale_of_frameratr_changes_only_its_account_and_the_audit_names_it(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    cluster, service = "frameratr-dev-cluster", "frameratr-dev-backend-service"
    rc, out, err = cli(capsys, *fleet.args("scale", cluster, service, "3", "--yes"))
    assert rc == 0, err
    assert f"(us-east-2, account frameratr ({FRAMERATR}))" in out  # the plan names the account
    assert desired(fleet, FRAMERATR, "us-east-2", cluster, service) == 3
    for account, region, c, s in (
        (STAGING, "us-east-1", "shop-cluster", "shop-api"),
        (PROD, "us-east-1", "shop-cluster", "shop-api"),
    ):
        assert desired(fleet, account, region, c, s) == 1
    # The base keys' account never saw the cluster, let alone the change.
    assert fleet.client(FRAMERATR, "ecs", "us-east-2").list_clusters()["clusterArns"]
    base = __import__("boto3").client(
        "ecs",
        region_name="us-east-2",
        endpoint_url=fleet.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert base.list_clusters()["clusterArns"] == []
    line = list(audit.entries())[-1]
    assert (line["account"], line["account_name"], line["region"]) == (FRAMERATR, "frameratr", "us-east-2")
    assert f":{FRAMERATR}:" in line["caller"]  # the caller ARN in that account (the assumed role)


def test_a_name_in_two_accounts_asks_for_account_and_account_chooses(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    rc, _out, err = cli(capsys, *fleet.args("scale", "shop-cluster", "shop-api", "2", "--yes"))
    assert rc == 2
    assert err.strip().count("\n") == 0
    assert "exists in accounts shop-staging (222233334444), shop-prod (555566667777)" in err
    assert "--account" in err
    assert desired(fleet, STAGING, "us-east-1", "shop-cluster", "shop-api") == 1
    rc, _out, err = cli(
        capsys, *fleet.args("scale", "shop-cluster", "shop-api", "2", "--yes", "--account", STAGING)
    )
    assert rc == 0, err
    assert desired(fleet, STAGING, "us-east-1", "shop-cluster", "shop-api") == 2
    assert desired(fleet, PROD, "us-east-1", "shop-cluster", "shop-api") == 1


def test_read_only_account_refuses_where_the_other_allows(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    rc, _out, err = cli(
        capsys, *fleet.args("scale", "shop-cluster", "shop-api", "2", "--yes", "--account", "shop-prod")
    )
    assert rc == 2
    assert "read-only account shop-prod (555566667777)" in err
    assert desired(fleet, PROD, "us-east-1", "shop-cluster", "shop-api") == 1
    rc, _out, err = cli(
        capsys, *fleet.args("scale", "shop-cluster", "shop-api", "2", "--yes", "--account", "shop-staging")
    )
    assert rc == 0, err
    assert desired(fleet, STAGING, "us-east-1", "shop-cluster", "shop-api") == 2


def test_unknown_account_is_one_line_naming_the_accounts(
    capsys: pytest.CaptureFixture[str], fleet: Fleet
) -> None:
    rc, _out, err = cli(capsys, *fleet.args("inventory", "--account", "nope"))
    assert rc == 2
    assert "unknown account 'nope' (this profile has docverify (177215708218)" in err


def test_an_expired_sso_account_is_its_line_and_the_others_are_listed(
    capsys: pytest.CaptureFixture[str], fleet_lapsed: Fleet
) -> None:
    rc, out, err = cli(capsys, *fleet_lapsed.args("inventory", "--json"))
    assert rc == 0, err
    doc = json.loads(out)
    assert len(doc["clusters"]) == 4
    lapsed = next(a for a in doc["accounts"] if a["name"] == "lapsed")
    assert "aws sso login --profile lapsed-sso" in lapsed["error"]
    assert "account lapsed (999988887777)" in lapsed["error"]


def test_doctor_checks_each_account(capsys: pytest.CaptureFixture[str], fleet_lapsed: Fleet) -> None:
    rc, out, err = cli(capsys, *fleet_lapsed.args("doctor"))
    assert rc == 1, err  # one account fails
    lines = out.splitlines()
    assert any(
        line.startswith("ok") and f"account frameratr ({FRAMERATR})" in line and f":{FRAMERATR}:" in line
        for line in lines
    )
    lapsed = next(line for line in lines if "account lapsed (999988887777)" in line)
    assert lapsed.startswith("fail") and "aws sso login --profile lapsed-sso" in lapsed
    assert any(line.startswith("ok") and "region us-east-2, account frameratr" in line for line in lines)
    assert not any("region" in line and "lapsed" in line for line in lines)  # not read: it failed
