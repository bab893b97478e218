"""Guardrails as service tags: how tags and a profile combine, and ``opsconsole guard`` end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import main
from console.config import ServiceRules
from console.demo.runtime import DemoRuntime
from console.ops import audit
from console.ops.guards import merge

from .support import Recorder, aws, demo_args

DOCU = ("docu-cr-backend-cluster", "docu-cr-backend-service")  # us-east-1, no guard tags
FRAMERATR = ("frameratr-dev-cluster", "frameratr-dev-backend-service")  # tags: min 1, max 4
SOURCE = "profile prod, services.frameratr-dev-backend-service"


def test_no_tag_and_no_profile_rule_says_nothing() -> None:
    guards = merge({"Project": "x"}, ServiceRules(env_file=".env"), SOURCE)
    assert guards.plan_lines() == ()
    assert guards.env_file == ".env"


def test_tags_apply_with_their_source() -> None:
    guards = merge({"opsconsole:single-writer": "true", "opsconsole:max-count": "4"}, ServiceRules(), SOURCE)
    assert guards.single_writer and guards.max_count == 4
    assert guards.plan_lines() == (
        "rule: single writer (service tag opsconsole:single-writer)",
        "rule: max 4 (service tag opsconsole:max-count)",
    )


def test_a_profile_tightens_and_a_looser_profile_rule_is_ignored_with_a_note() -> None:
    tags = {"opsconsole:min-count": "1", "opsconsole:max-count": "4", "opsconsole:single-writer": "true"}
    tighter = merge(tags, ServiceRules(min_count=2, max_count=3), SOURCE)
    assert (tighter.min_count, tighter.max_count) == (2, 3)
    assert tighter.describe("max") == f"max 3 ({SOURCE})"
    looser = merge(tags, ServiceRules(min_count=0, max_count=9, single_writer=False), SOURCE)
    assert (looser.min_count, looser.max_count, looser.single_writer) == (1, 4, True)
    assert looser.describe("max") == "max 4 (service tag opsconsole:max-count)"
    assert looser.notes == (
        f"{SOURCE} says no single writer, looser than the service tag opsconsole:single-writer: ignored",
        f"{SOURCE} says min 0, looser than the service tag opsconsole:min-count=1: ignored",
        f"{SOURCE} says max 9, looser than the service tag opsconsole:max-count=4: ignored",
    )


def test_a_tag_that_is_not_a_rule_is_noted_not_applied() -> None:
    guards = merge({"opsconsole:max-count": "four", "opsconsole:protected": "maybe"}, ServiceRules(), SOURCE)
    assert guards.max_count is None and not guards.protected
    assert guards.plan_lines() == (
        "note: service tag opsconsole:max-count='four' is not a whole number: ignored",
        "note: service tag opsconsole:protected='maybe' is not true or false: ignored",
    )


# --- through the CLI ------------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], runtime: DemoRuntime, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(demo_args(runtime, *args))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def tags_of(runtime: DemoRuntime, cluster: str, service: str) -> dict[str, str]:
    client = aws(runtime, "ecs", "us-east-1")
    arn = client.describe_services(cluster=cluster, services=[service])["services"][0]["serviceArn"]
    return {t["key"]: t["value"] for t in client.list_tags_for_resource(resourceArn=arn)["tags"]}


def test_guard_sets_tags_as_an_operation_and_every_later_plan_applies_them(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, out, err = cli(capsys, ops_world, "guard", *DOCU, "--max", "2", "--yes")
    assert rc == 0, err
    assert "tag opsconsole:max-count: (none) -> 2" in out
    assert "done: the tags read back as set" in out
    assert tags_of(ops_world, *DOCU)["opsconsole:max-count"] == "2"
    entry, outcome = list(audit.entries())
    assert entry["action"] == "guard" and entry["after"] == {"tag opsconsole:max-count": "2"}
    assert outcome["outcome_of"] == entry["id"] and outcome["result"] == "completed"
    rc, _out, err = cli(capsys, ops_world, "scale", *DOCU, "3", "--yes")
    assert rc == 2 and err.count("\n") == 1
    assert "3 tasks refused by rule max 2 (service tag opsconsole:max-count)" in err
    rc, out, _err = cli(capsys, ops_world, "guard", *DOCU, "--no-max", "--yes")
    assert rc == 0 and "tag opsconsole:max-count: 2 -> (none)" in out
    assert "opsconsole:max-count" not in tags_of(ops_world, *DOCU)


def test_guard_refuses_in_read_only_mode_and_bad_bounds_before_any_write(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, _out, err = cli(capsys, ops_world, "guard", *DOCU, "--protected", "--yes", "--read-only")
    assert rc == 2 and "read-only mode: 'guard'" in err
    rc, _out, err = cli(capsys, ops_world, "guard", *DOCU, "--min", "3", "--max", "2", "--yes")
    assert rc == 2 and "min 3 is above max 2" in err
    rc, _out, err = cli(capsys, ops_world, "guard", *DOCU, "--yes")
    assert rc == 2 and "say what to set" in err
    assert recorder.mutations() == [] and list(audit.entries()) == []


def test_a_protected_service_asks_for_its_name_typed(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    assert cli(capsys, ops_world, "guard", *DOCU, "--protected", "--yes")[0] == 0
    rc, out, err = cli(capsys, ops_world, "redeploy", *DOCU, "--yes")
    assert rc == 2 and err.count("\n") == 1
    assert (
        "rule: protected: the service's name must be typed to confirm (service tag opsconsole:protected)"
        in out
    )
    assert "--confirm-name docu-cr-backend-service" in err
    rc, _out, err = cli(capsys, ops_world, "redeploy", *DOCU, "--yes", "--confirm-name", "docu-cr-backend")
    assert rc == 2 and "typed 'docu-cr-backend', not 'docu-cr-backend-service': nothing was sent" in err
    assert [m for m in recorder.mutations() if m != "ecs.TagResource"] == []
    name = ("--confirm-name", "docu-cr-backend-service")
    rc, out, err = cli(capsys, ops_world, "redeploy", *DOCU, "--yes", *name)
    assert rc == 0, err
    # Lifting the protection is a mutation of a protected service too.
    rc, _out, err = cli(capsys, ops_world, "guard", *DOCU, "--no-protected", "--yes")
    assert rc == 2 and "--confirm-name" in err
    assert cli(capsys, ops_world, "guard", *DOCU, "--no-protected", "--yes", *name)[0] == 0
    assert "opsconsole:protected" not in tags_of(ops_world, *DOCU)


def test_a_profile_rule_looser_than_the_tag_is_ignored_with_a_note(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, tmp_path: Path
) -> None:
    profile = tmp_path / "prod.toml"
    profile.write_text(
        'name = "prod"\nregions = ["us-east-2"]\n\n'
        '[services."frameratr-dev-cluster/frameratr-dev-backend-service"]\nmax = 9\nmin = 2\n'
    )
    capsys.readouterr()
    rc = main(
        [
            "scale",
            *FRAMERATR,
            "5",
            "--dry-run",
            "--config",
            str(profile),
            "--endpoint-url",
            ops_world.endpoint,
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "5 tasks refused by rule max 4 (service tag opsconsole:max-count)" in err
    rc = main(
        [
            "scale",
            *FRAMERATR,
            "3",
            "--dry-run",
            "--config",
            str(profile),
            "--endpoint-url",
            ops_world.endpoint,
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    where = "profile prod, services.frameratr-dev-cluster/frameratr-dev-backend-service"
    assert f"rule: min 2 ({where})" in out  # tighter than the tag's 1: the profile's applies
    assert "rule: max 4 (service tag opsconsole:max-count)" in out
    assert f"note: {where} says max 9, looser than the service tag opsconsole:max-count=4: ignored" in out
