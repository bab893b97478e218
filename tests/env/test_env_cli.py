"""``opsconsole env …`` end to end against the embedded AWS (seeded world, reset per test).

Each test checks what the command printed, what ECS holds afterwards (straight from the
demo through boto3, not through our gateway), which write calls were served, and, where
something was applied, the audit log.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.demo.runtime import DemoRuntime
from console.ops import audit

from .conftest import Cli, container, current_td, ecs, env_of, mutations

DV = ("document-verification-cluster", "document-verification-service")  # ap-south-1, one container
DV_REGION = "ap-south-1"
DV_CONTAINER = "document-verification-backend"
ASHARVI = ("asharvi-backend-cluster", "asharvi-backend-prod")  # ap-south-1, secrets via valueFrom
WWHD = ("wwhd-cluster", "wwhd-backend")  # us-east-1, two containers, single writer


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- sync -------------------------------------------------------------------------------------


def test_sync_merges_adds_and_changes_and_keeps_the_rest_in_place(
    cli: Cli, env_world: DemoRuntime, tmp_path: Path
) -> None:
    before = current_td(env_world, DV_REGION, *DV)
    old_env = env_of(before, DV_CONTAINER)
    dotenv = write(tmp_path / ".env", "# pushed by the test\nUSE_SQS=false\nexport NEW_FLAG='on'\n")
    rc, out, err = cli(
        "env", "sync", *DV, str(dotenv), "--yes", "--wait", "--timeout", "30", "--poll-interval", "0.1"
    )
    assert rc == 0, err
    assert "1 added, 1 changed, 0 removed" in out
    assert "~ USE_SQS = true → false" in out
    assert "done: " in out
    after = current_td(env_world, DV_REGION, *DV)
    assert after["taskDefinition"]["revision"] == before["taskDefinition"]["revision"] + 1
    expected = [(n, "false" if n == "USE_SQS" else v) for n, v in old_env] + [("NEW_FLAG", "on")]
    assert env_of(after, DV_CONTAINER) == expected
    writes = mutations(env_world)
    assert writes == {"ecs.RegisterTaskDefinition": 1, "ecs.UpdateService": 1}
    # The old revision is still there and ACTIVE: it is what a rollback goes back to.
    old = ecs(env_world, DV_REGION).describe_task_definition(
        taskDefinition=before["taskDefinition"]["taskDefinitionArn"]
    )
    assert old["taskDefinition"]["status"] == "ACTIVE"


def test_prune_removes_variables_the_file_lacks_but_never_secrets(
    cli: Cli, env_world: DemoRuntime, tmp_path: Path
) -> None:
    before = current_td(env_world, DV_REGION, *ASHARVI)
    name = before["taskDefinition"]["containerDefinitions"][0]["name"]
    secrets = container(before, name)["secrets"]
    dotenv = write(tmp_path / "prod.env", "NODE_ENV=production\nPORT=3000\n")
    rc, out, err = cli("env", "sync", *ASHARVI, str(dotenv), "--prune", "--yes")
    assert rc == 0, err
    after = current_td(env_world, DV_REGION, *ASHARVI)
    assert env_of(after, name) == [("NODE_ENV", "production"), ("PORT", "3000")]
    assert container(after, name)["secrets"] == secrets
    assert "- LOG_LEVEL" in out


def test_dry_run_registers_nothing(cli: Cli, env_world: DemoRuntime, tmp_path: Path) -> None:
    before = current_td(env_world, DV_REGION, *DV)
    dotenv = write(tmp_path / ".env", "USE_SQS=false\nBRAND_NEW=1\n")
    rc, out, _err = cli("env", "sync", *DV, str(dotenv), "--dry-run")
    assert rc == 0
    assert "dry run: nothing was sent" in out
    assert "+ BRAND_NEW = 1" in out
    counts = env_world.server.counts()
    assert counts.get("ecs.RegisterTaskDefinition", 0) == 0
    assert mutations(env_world) == {}
    assert current_td(env_world, DV_REGION, *DV) == before


def test_no_change_registers_no_revision(cli: Cli, env_world: DemoRuntime, tmp_path: Path) -> None:
    before = current_td(env_world, DV_REGION, *DV)
    dotenv = write(tmp_path / ".env", "USE_SQS=true\nAWS_REGION=ap-south-1\n")
    rc, out, err = cli("env", "sync", *DV, str(dotenv), "--yes")
    assert rc == 0, err
    assert "nothing to do: the environment already matches" in out
    assert mutations(env_world) == {}
    assert (
        current_td(env_world, DV_REGION, *DV)["taskDefinition"]["revision"]
        == (before["taskDefinition"]["revision"])
    )


def test_a_secret_in_the_file_is_skipped_with_a_warning(
    cli: Cli, env_world: DemoRuntime, tmp_path: Path
) -> None:
    before = current_td(env_world, DV_REGION, *ASHARVI)
    name = before["taskDefinition"]["containerDefinitions"][0]["name"]
    dotenv = write(tmp_path / ".env", "JWT_SECRET=plain-text-oops\nLOG_LEVEL=info\n")
    rc, out, err = cli("env", "sync", *ASHARVI, str(dotenv), "--yes")
    assert rc == 0, err
    assert "warning: JWT_SECRET is a secret (valueFrom) in the container; skipped" in out
    assert "plain-text-oops" not in out
    after = current_td(env_world, DV_REGION, *ASHARVI)
    assert container(after, name)["secrets"] == container(before, name)["secrets"]
    assert "JWT_SECRET" not in dict(env_of(after, name))
    assert dict(env_of(after, name))["LOG_LEVEL"] == "info"


def test_an_allowed_secret_override_turns_the_secret_into_a_plain_variable(
    cli: Cli, env_world: DemoRuntime, tmp_path: Path
) -> None:
    before = current_td(env_world, DV_REGION, *ASHARVI)
    name = before["taskDefinition"]["containerDefinitions"][0]["name"]
    dotenv = write(tmp_path / ".env", "CORS_ORIGIN=https://asharvi.example\n")
    rc, out, err = cli("env", "sync", *ASHARVI, str(dotenv), "--allow-secret-override", "--yes")
    assert rc == 0, err
    assert "CORS_ORIGIN: the secret (valueFrom) will be replaced by a plain value" in out
    after = current_td(env_world, DV_REGION, *ASHARVI)
    old_secrets = [s["name"] for s in container(before, name)["secrets"]]
    assert [s["name"] for s in container(after, name)["secrets"]] == [
        n for n in old_secrets if n != "CORS_ORIGIN"
    ]
    assert dict(env_of(after, name))["CORS_ORIGIN"] == "https://asharvi.example"


def test_sync_without_file_uses_the_profile_env_file(
    cli: Cli, env_world: DemoRuntime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "backend").mkdir()
    write(tmp_path / "backend" / ".env", "MAX_UPLOAD_MB=50\n")
    monkeypatch.chdir(tmp_path)
    rc, out, err = cli("env", "sync", *DV, "--dry-run")
    assert rc == 0, err
    assert "from backend/.env (1 variables)" in out
    assert "~ MAX_UPLOAD_MB = 25 → 50" in out
    rc, _out, err = cli("env", "sync", *ASHARVI, "--dry-run")
    assert rc == 2 and "maps no env_file" in err


def test_malformed_env_file_is_one_line_naming_file_and_line_and_changes_nothing(
    cli: Cli, env_world: DemoRuntime, tmp_path: Path
) -> None:
    dotenv = write(tmp_path / "bad.env", "GOOD=1\nOTHER='unterminated\n")
    rc, out, err = cli("env", "sync", *DV, str(dotenv), "--yes")
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert f"{dotenv}:2: unterminated single-quoted value of 'OTHER'" in lines[0]
    assert env_world.server.counts() == {}  # not even a read: the file is checked first
    dupe = write(tmp_path / "dupe.env", "A=1\nB=2\nA=3\n")
    rc, _out, err = cli("env", "sync", *DV, str(dupe), "--yes")
    assert rc == 2 and f"{dupe}:3: duplicate key 'A' (first set on line 1)" in err
    assert mutations(env_world) == {}


def test_read_only_mode_refuses_every_write_but_allows_a_dry_run(
    cli: Cli, env_world: DemoRuntime, tmp_path: Path
) -> None:
    dotenv = write(tmp_path / ".env", "USE_SQS=false\n")
    for args in (
        ("sync", *DV, str(dotenv)),
        ("set", *DV, "USE_SQS=false"),
        ("unset", *DV, "USE_SQS"),
    ):
        rc, _out, err = cli("env", *args, "--yes", "--read-only")
        assert rc == 2, args
        assert "read-only mode" in err
    assert mutations(env_world) == {}
    rc, out, _err = cli("env", "sync", *DV, str(dotenv), "--dry-run", "--read-only")
    assert rc == 0 and "~ USE_SQS" in out
    assert mutations(env_world) == {}


def test_no_terminal_and_no_yes_is_a_refusal(cli: Cli, env_world: DemoRuntime) -> None:
    rc, _out, err = cli("env", "set", *DV, "USE_SQS=false")
    assert rc == 2 and "--yes" in err
    assert mutations(env_world) == {}


# --- set / unset ------------------------------------------------------------------------------


def test_set_and_unset(cli: Cli, env_world: DemoRuntime) -> None:
    rc, out, err = cli("env", "set", *DV, "FEATURE_X=a=b=c", "USE_SQS=false", "--yes")
    assert rc == 0, err
    env = dict(env_of(current_td(env_world, DV_REGION, *DV), DV_CONTAINER))
    assert env["FEATURE_X"] == "a=b=c" and env["USE_SQS"] == "false"
    rc, out, err = cli("env", "unset", *DV, "FEATURE_X", "NOT_THERE", "--yes")
    assert rc == 0, err
    assert "warning: NOT_THERE is not set" in out
    env = dict(env_of(current_td(env_world, DV_REGION, *DV), DV_CONTAINER))
    assert "FEATURE_X" not in env and env["USE_SQS"] == "false"
    assert mutations(env_world) == {"ecs.RegisterTaskDefinition": 2, "ecs.UpdateService": 2}


def test_set_rejects_bad_input_before_any_call(cli: Cli, env_world: DemoRuntime) -> None:
    for bad, message in (("NOEQUALS", "is not KEY=VALUE"), ("1BAD=x", "invalid variable name")):
        rc, _out, err = cli("env", "set", *DV, bad, "--yes")
        assert rc == 2 and message in err
    assert env_world.server.counts() == {}


def test_two_containers_need_a_choice(cli: Cli, env_world: DemoRuntime) -> None:
    rc, _out, err = cli("env", "set", *WWHD, "LOG_LEVEL=DEBUG", "--yes")
    assert rc == 2
    assert "has 2 containers (fastapi, qdrant): choose one with --container" in err
    assert mutations(env_world) == {}


def test_single_writer_is_deployed_stop_then_start(cli: Cli, env_world: DemoRuntime) -> None:
    rc, out, err = cli(
        "env", "set", *WWHD, "--container", "qdrant", "QDRANT__LOG_LEVEL=DEBUG", "--yes", "--wait",
        "--timeout", "30", "--poll-interval", "0.1",
    )  # fmt: skip
    assert rc == 0, err
    assert out.startswith("env-set-stop-first ")
    assert "done: " in out and "alive: " in out
    td = current_td(env_world, "us-east-1", *WWHD)
    assert dict(env_of(td, "qdrant"))["QDRANT__LOG_LEVEL"] == "DEBUG"


# --- show / diff / export ---------------------------------------------------------------------


def test_show_masks_by_default_and_lists_secrets_by_name_and_arn(cli: Cli, env_world: DemoRuntime) -> None:
    rc, out, err = cli("env", "show", *DV)
    assert rc == 0, err
    assert "sk-proj-demo7Hq2Xv9LmN4pR8sT1uW6yZ3aB5cD0eF" not in out
    assert "Dv-2025-pgS3cret" not in out  # the password inside DATABASE_URL
    assert "postgresql://docverify:••••••••@" in out
    assert "QT_QPA_PLATFORM  " in out and "offscreen" in out
    rc, out, _err = cli("env", "show", *DV, "--reveal")
    assert "sk-proj-demo7Hq2Xv9LmN4pR8sT1uW6yZ3aB5cD0eF" in out
    rc, out, _err = cli("env", "show", *ASHARVI)
    assert "secrets (valueFrom):" in out
    assert "arn:aws:secretsmanager:ap-south-1:" in out


def test_diff_shows_the_changes_masked_and_changes_nothing(
    cli: Cli, env_world: DemoRuntime, tmp_path: Path
) -> None:
    dotenv = write(tmp_path / ".env", "SECRET_KEY=new-secret-value\nUSE_SQS=false\n")
    rc, out, err = cli("env", "diff", *DV, str(dotenv))
    assert rc == 0, err
    assert "~ SECRET_KEY = •••••••• → ••••••••" in out
    assert "new-secret-value" not in out
    assert "~ USE_SQS = true → false" in out
    assert mutations(env_world) == {}


def test_export_round_trips_through_sync_with_no_diff(
    cli: Cli, env_world: DemoRuntime, tmp_path: Path
) -> None:
    tricky = [
        'QUOTED=it\'s "quoted"',
        "MULTI=line one\nline two",
        "DOLLAR=${NOT_EXPANDED} $HOME",
        "HASH=a #not a comment",
        "SPACES=  padded  ",
        "UNICODE=café ✓",
        "EMPTY=",
        "BACKSLASH=C:\\path\\n",
    ]
    rc, _out, err = cli("env", "set", *DV, *tricky, "--yes")
    assert rc == 0, err
    rc, exported, err = cli("env", "export", *DV)
    assert rc == 0, err
    assert exported.startswith("# exported by opsconsole from document-verification-cluster/")
    assert "OPENAI_API_KEY=sk-proj-demo7Hq2Xv9LmN4pR8sT1uW6yZ3aB5cD0eF" in exported  # real values: asked for
    dotenv = write(tmp_path / "exported.env", exported)
    env_world.server.reset_counts()
    for flags in ((), ("--prune",)):
        rc, out, err = cli("env", "sync", *DV, str(dotenv), *flags, "--yes")
        assert rc == 0, err
        assert "nothing to do: the environment already matches" in out
    assert mutations(env_world) == {}


def test_export_lists_secrets_only_by_name(cli: Cli, env_world: DemoRuntime) -> None:
    rc, exported, _err = cli("env", "export", *ASHARVI)
    assert rc == 0
    assert "# secrets (valueFrom), not exported: MONGO_URI, JWT_SECRET" in exported
    assert "arn:aws:secretsmanager" not in exported


# --- audit -----------------------------------------------------------------------------------


def test_the_audit_line_names_keys_and_never_values(cli: Cli, env_world: DemoRuntime, tmp_path: Path) -> None:
    values = {"SECRET_KEY": "audit-canary-secret-1", "PLAIN_SETTING": "audit-canary-plain-2"}
    dotenv = write(tmp_path / ".env", "".join(f"{k}={v}\n" for k, v in values.items()))
    rc, _out, err = cli("env", "sync", *DV, str(dotenv), "--yes")
    assert rc == 0, err
    raw = audit.audit_path().read_text(encoding="utf-8")
    for value in values.values():
        assert value not in raw
    old_secret = "dv-7f3a9c1e5b2d8f4a6c0e9b1d3f5a7c9e"
    assert old_secret not in raw
    (entry,) = [json.loads(line) for line in raw.splitlines()]
    assert entry["action"] == "env-sync" and entry["result"] == "applied"
    assert entry["after"]["environment[document-verification-backend]"].endswith("~SECRET_KEY +PLAIN_SETTING")
    assert entry["before"]["taskDefinition"] == "document-verification-task:5"
    assert "document-verification-task:6" in entry["message"]
