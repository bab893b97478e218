"""Every CLI error path ends in one line on stderr and a non-zero exit."""

from __future__ import annotations

import json
import socket

import pytest

from console.cli import main


@pytest.fixture(autouse=True)
def isolated_aws(tmp_path, monkeypatch):
    for var in (
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("opsconsole: error: ")
    return lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unknown_profile(capsys):
    assert main(["inventory", "--profile", "nope"]) == 2
    assert "unknown profile 'nope'" in one_line(capsys.readouterr().err)


def test_unknown_region(capsys):
    assert main(["--region", "mars-north-1", "inventory"]) == 2
    assert "unknown region 'mars-north-1'" in one_line(capsys.readouterr().err)


def test_no_region(capsys):
    assert main(["inventory"]) == 2
    assert "no region given" in one_line(capsys.readouterr().err)


def test_no_credentials(capsys):
    assert main(["inventory", "--region", "us-east-1"]) == 1
    assert "no AWS credentials found" in one_line(capsys.readouterr().err)


def test_unreachable_endpoint(capsys):
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["inventory", "--endpoint-url", url, "--region", "us-east-1"]) == 1
    assert "endpoint unreachable" in one_line(capsys.readouterr().err)


def test_bad_config_file(capsys, tmp_path):
    assert main(["inventory", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read profile" in one_line(capsys.readouterr().err)


def test_global_options_before_or_after_the_command(world, capsys):
    assert main(["--endpoint-url", world.endpoint, "inventory", "--json", "--region", "us-east-2"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["inventory", "--json", "--endpoint-url", world.endpoint, "--region", "us-east-2"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert (
        [c["name"] for c in before["clusters"]]
        == [c["name"] for c in after["clusters"]]
        == ["frameratr-dev-cluster"]
    )


def test_demo_endpoint_without_region_uses_every_demo_region(world, capsys):
    assert main(["inventory", "--json", "--endpoint-url", world.endpoint]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["regions"]) == {"us-east-1", "ap-south-1", "us-east-2"}
    regions = {c["region"] for c in doc["clusters"]}
    assert regions == {"us-east-1", "ap-south-1", "us-east-2"}


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("opsconsole ")
