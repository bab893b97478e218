"""The wizard when things go wrong, and what it leaves behind when they go right.

Each failure of the credential check is one line with the fix (an expired SSO session, no
network, rejected keys, a denied call) and never a traceback; the default credential chain
is offered when the environment holds credentials; the profile written becomes the default,
so plain ``opsconsole`` opens it, and the wizard says so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from console.cli import main
from console.config import resolve_settings
from console.demo.server import DemoApiError
from console.setup.wizard import ENV_CHOICE, SetupWizard
from tests.setup.support import CTRL_C, DEMO_REGIONS, ENTER, Home, demo_starter, drive

STATIC_KEYS = "[static]\naws_access_key_id = AKIAEXAMPLEEXAMPLE\naws_secret_access_key = secret\n"


@pytest.fixture
def sts_answers(demo) -> Iterator[list[DemoApiError]]:
    """STS GetCallerIdentity of the demo answers with the error the test puts in the list."""
    errors: list[DemoApiError] = []

    def answer(region: str, request: dict) -> dict | None:
        if errors:
            raise errors[0]
        return None

    demo.server.register_override("sts", "GetCallerIdentity", answer)
    yield errors
    demo.server.middleware.overrides.pop(("sts", "GetCallerIdentity"), None)


def test_an_expired_sso_session_is_one_line_and_no_traceback(home: Home) -> None:
    """The setup process itself: before the fix, ~45 lines of aiobotocore traceback came first."""
    home.add_config(
        "[profile corp]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n"
        "region = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = us-east-1\n"
    )
    home.expired_sso_token("corp", "https://corp.awsapps.com/start", session=True)
    done = subprocess.run(
        [sys.executable, "-m", "console.cli", "setup", "--non-interactive", "--aws-profile", "corp"],
        capture_output=True,
        text=True,
        env={**os.environ},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == (
        "opsconsole: error: the SSO session has expired or was never started: "
        "run `aws sso login --profile corp` and try again\n"
    )
    assert home.written() == []


async def test_no_network_says_what_to_check(home: Home) -> None:
    home.add_config("[profile static]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\n")
    home.add_credentials(STATIC_KEYS)
    result, out = await drive([ENTER, ENTER, CTRL_C])  # static · what now? another connection · stop
    assert result is None
    [line] = [line for line in out.splitlines() if "✗" in line]
    assert "check the network, VPN or proxy (HTTPS_PROXY) and try again" in line


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        (
            DemoApiError(
                "InvalidClientTokenId", "The security token included in the request is invalid.", 403
            ),
            "AWS rejected the access key (InvalidClientTokenId): check profile static in "
            "~/.aws/credentials, or set it again with `aws configure --profile static`",
        ),
        (
            DemoApiError("AccessDenied", "explicit deny in a service control policy", 403),
            "access denied (explicit deny in a service control policy): ask your AWS admin for read "
            "access to ECS, or choose another profile",
        ),
    ],
)
async def test_rejected_keys_and_a_denied_call_each_get_their_fix(
    home: Home, demo, sts_answers: list[DemoApiError], error: DemoApiError, fix: str
) -> None:
    home.add_config(f"[profile static]\nregion = us-east-1\nendpoint_url = {demo.endpoint}\n")
    home.add_credentials(STATIC_KEYS)
    sts_answers.append(error)
    result, out = await drive([ENTER, ENTER, CTRL_C])
    assert result is None
    [line] = [line for line in out.splitlines() if "✗" in line]
    assert fix in line
    assert "Traceback" not in out


def test_the_default_credential_chain_is_offered_and_preferred(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.add_config("[profile other]\nregion = us-east-1\n")
    wizard = SetupWizard()
    assert ENV_CHOICE not in {v for _, v in wizard._connection_choices([])}
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token")
    choices = wizard._connection_choices([])
    assert (
        "the default credential chain (AWS_WEB_IDENTITY_TOKEN_FILE in the environment)",
        ENV_CHOICE,
    ) in choices
    assert wizard._default_connection(None, [], {v for _, v in choices}) == ENV_CHOICE


async def test_environment_credentials_end_to_end(home: Home, demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", demo.endpoint)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    keys = [ENTER] * 6 + ["n", "n", ENTER]  # chain · regions · 4 lists · no .env · not read-only · name
    result, out = await drive(keys, probe_regions=DEMO_REGIONS)
    assert result is not None, out
    assert "account 123456789012" in out
    assert result.profile.name == "default" and result.profile.aws_profile is None


async def test_the_written_profile_becomes_the_default_and_the_wizard_says_how_to_open_it(
    home: Home, demo, capsys: pytest.CaptureFixture[str]
) -> None:
    result, out = await drive([ENTER] * 11, demo_starter=demo_starter(demo.endpoint))
    assert result is not None
    assert (
        "demo is now the default profile: open it with `opsconsole` (or `opsconsole --profile demo`)" in out
    )
    assert resolve_settings().profile.name == "demo"  # plain `opsconsole`: no "no region given"
    # An endpoint on the command line still says where to connect, over the default.
    assert resolve_settings(endpoint_url=demo.endpoint, regions=("us-east-1",)).profile.name == "default"


def test_non_interactive_setup_too_and_plain_commands_use_it(home: Home, demo, capsys) -> None:
    rc = main(
        [
            "setup",
            "--non-interactive",
            "--endpoint-url",
            demo.endpoint,
            "--region",
            "us-east-2",
            "--name",
            "local",
        ]
    )
    assert rc == 0
    assert "local is now the default profile" in capsys.readouterr().out
    assert main(["inventory"]) == 0
    assert "frameratr-dev-cluster" in capsys.readouterr().out
    (home.profiles / "local.toml").unlink()
    assert main(["inventory"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the default profile" in err and "unknown profile 'local'" in err
