"""Profiles: TOML round trip, lookup order, command-line overrides and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.config import (
    Profile,
    ServiceRules,
    find_profile,
    list_profiles,
    load_profile_file,
    parse_profile,
    resolve_settings,
    save_profile,
)
from console.errors import BadInput, NotFound


@pytest.fixture(autouse=True)
def config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    return tmp_path


def test_demo_profile_is_built_in():
    demo = find_profile("demo")
    assert demo.is_demo
    assert demo.regions == ("us-east-1", "ap-south-1", "us-east-2")
    assert demo.rules_for("wwhd-cluster", "wwhd-backend").single_writer
    rules = demo.rules_for(
        "arn:aws:ecs:us-east-2:1:cluster/frameratr-dev-cluster", "frameratr-dev-backend-service"
    )
    assert (rules.min_count, rules.max_count) == (1, 4)


def test_round_trip_through_toml():
    profile = Profile(
        name="prod",
        aws_profile="company-sso",
        regions=("eu-west-1", "us-east-1"),
        clusters=("api",),
        queues=("jobs-dlq",),
        log_groups=("/ecs/api",),
        read_only=True,
        log_max_lines=5000,
        rules={
            "api/web": ServiceRules(env_file="../backend/.env", single_writer=True, min_count=1, max_count=1)
        },
        keys={"scale": "S"},
    )
    text = profile.to_toml()
    again = parse_profile(text, name="prod")
    assert again == profile


def test_user_profiles_win_over_builtin(config_home):
    path = save_profile(Profile(name="demo", aws_profile="demo", regions=("us-east-1",)))
    assert list_profiles()["demo"] == path
    assert find_profile("demo").regions == ("us-east-1",)


def test_unknown_profile_lists_close_matches():
    with pytest.raises(NotFound, match="unknown profile 'dmo' \\(did you mean demo"):
        find_profile("dmo")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("regions = 'us-east-1", "invalid TOML"),
        ("regions = [1]", "'regions' must be a list of strings"),
        ("log_max_lines = 5", "log_max_lines must be a whole number >= 100"),
        ("[services.web]\nmin = -1", "min/max must be whole numbers >= 0"),
    ],
)
def test_bad_profiles_name_the_file(tmp_path: Path, text: str, message: str):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(BadInput) as err:
        load_profile_file(path)
    assert str(path) in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)


def test_command_line_overrides_profile():
    settings = resolve_settings(profile_name="demo", regions=("us-east-2",), read_only=True)
    assert settings.regions == ("us-east-2",)
    assert settings.read_only
    assert settings.aws_profile is None  # "demo" is never handed to botocore


def test_endpoint_discovered_regions_used_when_none_given():
    settings = resolve_settings(endpoint_url="http://127.0.0.1:9", discovered_regions=("ap-south-1",))
    assert settings.regions == ("ap-south-1",)


def test_unknown_region_is_one_line():
    with pytest.raises(BadInput, match=r"unknown region 'us-est-1' \(did you mean .*us-east-1"):
        resolve_settings(profile_name="demo", regions=("us-est-1",))


def test_no_region_anywhere(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(BadInput, match="no region given"):
        resolve_settings()
