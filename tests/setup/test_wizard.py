"""The setup wizard, answered through a pipe, against the embedded AWS and a temporary ~/.aws."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from console.config import find_profile, load_profile_file
from console.setup.noninteractive import SetupFlags, build_noninteractive
from tests.setup.support import (
    CLEAR,
    CTRL_C,
    DEMO_REGIONS,
    DOWN,
    ENTER,
    SLOW_MACHINE_S,
    SPACE,
    Home,
    demo_starter,
    drive,
)


def slow_flags(**answers: object) -> SetupFlags:
    return SetupFlags(timeout=SLOW_MACHINE_S, **answers)  # type: ignore[arg-type]


def loads_back(path: Path, profile: object) -> None:
    """The TOML on disk reads back into exactly the profile the wizard returned."""
    assert load_profile_file(path) == profile


async def test_demo_path_with_every_default(home: Home, demo) -> None:
    lent: list = []
    # connect: demo (the default without ~/.aws) · regions · clusters · services · queues · log groups
    # · .env files? (yes: the demo maps one) · which services · its path · read-only · name
    keys = [ENTER] * 11
    result, out = await drive(keys, demo_starter=demo_starter(demo.endpoint, lent))
    assert result is not None
    profile = result.profile
    assert result.path == home.profiles / "demo.toml"
    assert home.written() == [result.path]
    assert profile.aws_profile == "demo" and profile.endpoint_url is None
    assert profile.regions == DEMO_REGIONS
    # All found stayed chosen: watch everything, including what appears later.
    assert (profile.clusters, profile.services, profile.queues, profile.log_groups) == ((), (), (), ())
    # The built-in demo's rules come along (single writer, bounds, the .env mapping).
    assert profile.rules_for("wwhd-cluster", "wwhd-backend").single_writer
    assert profile.rules_for("document-verification-cluster", "document-verification-service").env_file == (
        "backend/.env"
    )
    assert not profile.read_only
    assert "clusters in: us-east-1 (2), ap-south-1 (2), us-east-2 (1)" in out
    assert f"Wrote {result.path}" in out and 'aws_profile = "demo"' in out
    assert lent and lent[0].stopped, "the wizard's demo is stopped when the console is not opened"
    loads_back(result.path, profile)


async def test_static_keys_profile_choosing_subsets(home: Home, world, tmp_path: Path) -> None:
    home.add_config(f"[profile static]\nregion = ap-south-1\nendpoint_url = {world.endpoint}\n")
    home.add_credentials("[static]\naws_access_key_id = AKIAEXAMPLEEXAMPLE\naws_secret_access_key = secret\n")
    env = tmp_path / "docver.env"
    env.write_text("DATABASE_URL=postgres://db\n")
    keys = [
        ENTER,  # connect: AWS profile static (the only one, so the default)
        CLEAR,
        "us-east-9",
        ENTER,  # not a region: asked again
        CLEAR,
        "ap-south-1",
        ENTER,
        SPACE,
        ENTER,  # clusters: drop asharvi-backend-cluster (first), keep document-verification-cluster
        ENTER,  # services: its one service
        ENTER,  # queues: both
        ENTER,  # log groups: all
        "y",  # give .env files
        SPACE,
        ENTER,  # for document-verification-service
        "/nowhere/.env",
        ENTER,  # unreadable: asked again
        CLEAR,
        str(env),
        ENTER,
        "y",  # read-only
        ENTER,  # name: static
    ]
    result, out = await drive(keys, probe_regions=DEMO_REGIONS)
    assert result is not None
    profile = result.profile
    assert "account 123456789012" in out
    assert profile.name == "static" and profile.aws_profile == "static" and profile.endpoint_url is None
    assert profile.regions == ("ap-south-1",)
    assert profile.clusters == ("document-verification-cluster",)
    assert (profile.services, profile.queues, profile.log_groups) == ((), (), ())
    rule = profile.rules_for("document-verification-cluster", "document-verification-service")
    assert rule.env_file == str(env.resolve())
    assert profile.read_only
    loads_back(result.path, profile)


async def test_static_profile_discovers_regions_across_the_partition(home: Home, demo) -> None:
    """No probe list given: every commercial region is asked at once, and the demo's three have clusters."""
    home.add_config(f"[profile static]\nregion = us-east-1\nendpoint_url = {demo.endpoint}\n")
    home.add_credentials("[static]\naws_access_key_id = AKIAEXAMPLEEXAMPLE\naws_secret_access_key = secret\n")
    result, out = await drive([ENTER] * 8 + ["n", ENTER, ENTER])
    assert result is not None
    for region in DEMO_REGIONS:
        assert region in result.profile.regions
    assert "Looking for ECS clusters in" in out
    loads_back(result.path, result.profile)


async def test_expired_sso_session_names_the_login_command(home: Home, demo) -> None:
    home.add_config(
        "[profile corp]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n"
        "region = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = us-east-1\n"
        "[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 111122223333\nsso_role_name = ReadOnly\nregion = us-east-1\n"
    )
    home.expired_sso_token("corp", "https://corp.awsapps.com/start", session=True)
    legacy = "https://legacy.awsapps.com/start"
    home.expired_sso_token(legacy, legacy, session=False)
    keys = [
        ENTER,  # corp (the first profile)
        DOWN,
        ENTER,  # what now? choose another connection
        DOWN,
        ENTER,  # legacy
        ENTER,  # what now? try again (the default after an expired SSO session)
        CTRL_C,  # give up
    ]
    result, out = await drive(keys)
    assert result is None
    assert "run `aws sso login --profile corp`" in out
    assert "run `aws sso login --profile legacy`" in out
    assert out.count("aws sso login --profile legacy") == 2, "the retry checks again"
    assert home.written() == []


async def test_ctrl_c_midway_writes_nothing(home: Home, demo) -> None:
    keys = [ENTER, ENTER, CTRL_C]  # demo, regions, then Ctrl-C at the clusters
    result, out = await drive(keys, demo_starter=demo_starter(demo.endpoint))
    assert result is None
    assert "nothing was written" in out
    assert home.written() == []
    assert not home.config_dir.exists() or not any(home.config_dir.rglob("*.toml*"))


async def test_rerun_edits_the_existing_profile(home: Home, world) -> None:
    demo = world
    flags = SetupFlags(
        timeout=SLOW_MACHINE_S,
        name="local",
        endpoint_url=demo.endpoint,
        regions=("us-east-1", "ap-south-1"),
        clusters=("wwhd-cluster", "asharvi-backend-cluster"),
    )
    first = await build_noninteractive(flags, out=_Sink())
    keys = [
        ENTER,  # which profile: local (the only one, default)
        ENTER,  # connect: endpoint (its current choice)
        ENTER,  # endpoint URL: unchanged
        ENTER,  # regions: unchanged
        ENTER,  # clusters: the two chosen before stay chosen
        ENTER,  # services: all
        ENTER,  # queues
        ENTER,  # log groups
        ENTER,  # no .env files
        "y",  # now read-only
        ENTER,  # name: local
    ]
    result, out = await drive(keys)
    assert result is not None
    assert "Editing profile local" in out
    assert result.path == first.path
    assert result.profile == replace(first.profile, read_only=True)
    assert home.written() == [first.path]
    loads_back(result.path, result.profile)


async def test_non_interactive_builds_the_same_profile(home: Home, world, tmp_path: Path) -> None:
    demo = world
    env = tmp_path / "w.env"
    env.write_text("A=1\n")
    flags = SetupFlags(
        timeout=SLOW_MACHINE_S,
        name="ci",
        endpoint_url=demo.endpoint,
        regions=("us-east-1",),
        clusters=("wwhd-cluster",),
        env_files=(f"wwhd-cluster/wwhd-backend={env}",),
        read_only=True,
    )
    sink = _Sink()
    result = await build_noninteractive(flags, out=sink)
    assert "account 123456789012" in sink.text
    assert find_profile("ci") == result.profile
    assert result.profile.rules_for("wwhd-cluster", "wwhd-backend").env_file == str(env.resolve())
    keys = [
        DOWN,
        ENTER,  # a new profile
        DOWN,
        ENTER,  # connect: endpoint (after demo)
        CLEAR,
        demo.endpoint,
        ENTER,
        CLEAR,
        "us-east-1",
        ENTER,
    ]
    # The wizard's answers for the same choices give the same file.
    clusters = await _cluster_order(demo.endpoint, "us-east-1")
    toggles = [SPACE if name != "wwhd-cluster" else "" for name in clusters]
    keys += [k for t in toggles for k in (t, DOWN)] + [ENTER]
    keys += [ENTER, ENTER]  # services, log groups: all (the seeded us-east-1 has no queue)
    keys += ["y", SPACE, ENTER, str(env), ENTER]  # .env for its one service
    keys += ["y", CLEAR, "ci2", ENTER]
    wizard_result, _ = await drive(keys)
    assert wizard_result is not None
    assert wizard_result.profile == replace(result.profile, name="ci2", path=wizard_result.path)


async def test_non_interactive_refuses_bad_answers(home: Home, demo) -> None:
    from console.errors import BadInput

    with pytest.raises(BadInput, match="not an AWS region"):
        await build_noninteractive(slow_flags(endpoint_url=demo.endpoint, regions=("mars-1",)), out=_Sink())
    with pytest.raises(BadInput, match="cannot read"):
        await build_noninteractive(
            slow_flags(endpoint_url=demo.endpoint, regions=("us-east-1",), env_files=("a/b=/nowhere/.env",)),
            out=_Sink(),
        )
    assert home.written() == []


async def _cluster_order(endpoint: str, region: str) -> list[str]:
    from console.aws.session import AwsContext
    from console.setup.discovery import scan_regions

    async with AwsContext(endpoint_url=endpoint) as aws:
        return (await scan_regions(aws, [region])).clusters[region]


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


async def test_a_profile_without_credentials_says_so(home: Home, demo) -> None:
    home.add_config(f"[profile empty]\nregion = us-east-1\nendpoint_url = {demo.endpoint}\n")
    keys = [ENTER, ENTER, CTRL_C]  # empty · what now? (choose another connection, the default) · stop
    result, out = await drive(keys)
    assert result is None
    assert "no AWS credentials found in profile empty (run `aws configure --profile empty`)" in out
    assert home.written() == []


def test_failures_are_explained_in_one_line() -> None:
    from botocore.exceptions import ClientError, NoCredentialsError, UnauthorizedSSOTokenError

    from console.setup.discovery import explain_credentials_error

    denied = ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "explicit deny in a service control policy"}},
        "GetCallerIdentity",
    )
    kind, line = explain_credentials_error(denied, "prod")
    assert kind == "access-denied" and "explicit deny in a service control policy" in line
    assert explain_credentials_error(NoCredentialsError(), None)[0] == "no-credentials"
    kind, line = explain_credentials_error(UnauthorizedSSOTokenError(), "prod")
    assert kind == "sso-expired" and "`aws sso login --profile prod`" in line


async def test_a_new_profile_does_not_silently_replace_one_of_the_same_name(home: Home, world) -> None:
    first = await build_noninteractive(slow_flags(demo=True, read_only=True), out=_Sink())
    keys = [DOWN, ENTER]  # set up: a new profile
    keys += [ENTER] * 6  # demo, regions, clusters, services, queues, log groups
    keys += ["n", "n"]  # no .env files, not read-only
    keys += [ENTER, "n"]  # name: demo exists -> do not replace
    keys += [CLEAR, "demo2", ENTER]
    result, _ = await drive(keys, demo_starter=demo_starter(world.endpoint))
    assert result is not None and result.profile.name == "demo2"
    assert load_profile_file(first.path).read_only, "the first demo profile is untouched"
    assert home.written() == [first.path, home.profiles / "demo2.toml"]


async def test_continuing_without_a_valid_session_still_writes_a_usable_profile(home: Home) -> None:
    home.add_config(
        "[profile corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
        "sso_account_id = 111122223333\nsso_role_name = ReadOnly\nregion = eu-west-1\n"
    )
    home.expired_sso_token("https://corp.awsapps.com/start", "https://corp.awsapps.com/start", session=False)
    keys = [ENTER, DOWN, DOWN, ENTER]  # corp · what now? continue without checking
    keys += [ENTER, ENTER, ENTER]  # regions (its eu-west-1) · not read-only · name corp
    result, out = await drive(keys)
    assert result is not None
    assert "aws sso login --profile corp" in out
    profile = result.profile
    assert (profile.name, profile.aws_profile, profile.regions) == ("corp", "corp", ("eu-west-1",))
    loads_back(result.path, profile)
