"""``opsconsole revisions`` and ``diff``: outcomes after a deploy, a breaker rollback and a rollback."""

from __future__ import annotations

import json

import pytest
from ops.test_cli_ops import cli

from console.demo.runtime import DemoRuntime

from .helpers import ASHARVI, push, read_cli

REGION = "ap-south-1"


def revisions_json(capsys: pytest.CaptureFixture[str], runtime: DemoRuntime) -> dict:
    rc, out, err = read_cli(capsys, runtime, "revisions", *ASHARVI, "--json")
    assert rc == 0, err
    return json.loads(out)


def by_revision(doc: dict) -> dict[str, dict]:
    return {r["revision"]: r for r in doc["revisions"]}


def test_revisions_after_a_deploy_a_breaker_rollback_and_a_rollback(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    before = by_revision(revisions_json(capsys, ops_world))
    assert (
        before["asharvi-backend-prod:4"]["outcome"] == "steady"
        and before["asharvi-backend-prod:4"]["running"]
    )
    assert before["asharvi-backend-prod:5"]["outcome"] == "never deployed"

    push(ops_world, REGION, "asharvi-backend-prod", "v1.8.1")
    rc, out, err = cli(
        capsys, ops_world, "deploy", *ASHARVI, "--image", "v1.8.1", "--yes", "--wait", "--timeout", "60"
    )
    assert rc == 0, out + err
    rc, out, err = cli(
        capsys, ops_world, "rollback", *ASHARVI, "--to", "5", "--yes", "--wait", "--timeout", "90"
    )
    assert rc == 1 and "circuit breaker rolled back" in out + err, out + err
    rc, out, err = cli(
        capsys, ops_world, "rollback", *ASHARVI, "--to", "4", "--yes", "--wait", "--timeout", "60"
    )
    assert rc == 0, out + err

    doc = revisions_json(capsys, ops_world)
    assert (doc["account"], doc["region"], doc["source"]) == ("123456789012", REGION, "service deployments")
    after = by_revision(doc)
    six, five, four = (
        after["asharvi-backend-prod:6"],
        after["asharvi-backend-prod:5"],
        after["asharvi-backend-prod:4"],
    )
    assert six["outcome"] == "steady" and six["deployments"] == 1 and not six["running"]
    assert six["steady_s"] is not None and six["deployed_at"] is not None
    assert six["deployed_by"] and six["deployed_by"].startswith("arn:aws:")  # from the audit log
    assert five["outcome"] == "rolled back by the breaker" and five["deployments"] == 1
    assert four["outcome"] == "steady" and four["running"] and four["deployments"] == 2
    assert all(r["account"] == "123456789012" and r["region"] == REGION for r in doc["revisions"])
    assert after["asharvi-backend-prod:1"]["outcome"] == "no record"  # older than the records

    rc, out, err = read_cli(capsys, ops_world, "revisions", *ASHARVI)
    assert rc == 0, err
    row = next(x for x in out.splitlines() if "asharvi-backend-prod:5 " in x)
    assert row.startswith("!") and "rolled back by the breaker" in row


def test_diff_of_two_revisions_that_are_not_neighbours_names_secrets_only(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    rc, out, err = read_cli(capsys, ops_world, "diff", *ASHARVI, "1", "4")
    assert rc == 0, err
    assert "asharvi-backend-prod:1 -> asharvi-backend-prod:4:" in out
    assert "asharvi-backend: image: " in out and "env APP_VERSION" in out
    assert "account 123456789012, ap-south-1" in out
    assert "arn:aws:secretsmanager" not in out  # secrets by name only
    rc, _out, err = read_cli(capsys, ops_world, "diff", *ASHARVI, "1", "99")
    assert rc == 2 and "unknown revision" in err and len(err.strip().splitlines()) == 1
