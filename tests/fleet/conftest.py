"""A fleet on moto's own server: accounts reached by STS AssumeRole, resources made in each.

moto maps the keys AssumeRole returns to the role's account, so a cluster made with them exists
only there (and the base keys, account 123456789012, do not see it). The server is plain moto
(no demo world on it), started once; each test seeds its accounts again after a reset.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "screens"))  # tui_helpers

DOCVERIFY = "177215708218"
FRAMERATR = "451904790164"
STAGING = "222233334444"
PROD = "555566667777"
LAPSED = "999988887777"

# (account name, id, region, cluster, service)
SERVICES = [
    ("docverify", DOCVERIFY, "ap-south-1", "document-verification-cluster", "document-verification-service"),
    ("frameratr", FRAMERATR, "us-east-2", "frameratr-dev-cluster", "frameratr-dev-backend-service"),
    ("shop-staging", STAGING, "us-east-1", "shop-cluster", "shop-api"),
    ("shop-prod", PROD, "us-east-1", "shop-cluster", "shop-api"),
]


def role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/opsconsole-ops"


@dataclass
class Fleet:
    endpoint: str
    profile: Path  # a profile TOML listing the accounts
    home: Path

    def client(self, account: str, service: str, region: str) -> Any:
        """A boto3 client in ``account`` (its role assumed with the base keys), as a test checks."""
        base = dict(endpoint_url=self.endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
        sts = boto3.client("sts", region_name=region, **base)
        creds = sts.assume_role(RoleArn=role(account), RoleSessionName="fleet-test")["Credentials"]
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    def args(self, *extra: str) -> list[str]:
        return [*extra, "--config", str(self.profile), "--endpoint-url", self.endpoint]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A plain moto server in a process of its own.

    moto's state is process-wide: a server started in this process would share the demo's
    backends, and the reset each fleet test makes would wipe the session's demo world under the
    tests that run after these.
    """
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server on port {port} did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def _seed(fleet: Fleet) -> None:
    for _name, account, region, cluster, service in SERVICES:
        ecs = fleet.client(account, "ecs", region)
        ecs.create_cluster(clusterName=cluster)
        td = ecs.register_task_definition(
            family=service, containerDefinitions=[{"name": "web", "image": "nginx:1", "memory": 512}]
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(
            cluster=cluster, serviceName=service, taskDefinition=td, desiredCount=1, launchType="EC2"
        )
        ecs.update_service(cluster=cluster, service=service, desiredCount=1)  # moto: running follows


PROFILE = """\
name = "fleet"
endpoint_url = "{endpoint}"
regions = ["us-east-1"]

[[accounts]]
name = "docverify"
id = "177215708218"
role_arn = "arn:aws:iam::177215708218:role/opsconsole-ops"
regions = ["ap-south-1"]

[[accounts]]
name = "frameratr"
role_arn = "arn:aws:iam::451904790164:role/opsconsole-ops"
regions = ["us-east-2"]

[[accounts]]
name = "shop-staging"
role_arn = "arn:aws:iam::222233334444:role/opsconsole-ops"

[[accounts]]
name = "shop-prod"
role_arn = "arn:aws:iam::555566667777:role/opsconsole-ops"
read_only = true
{extra}"""

LAPSED_ACCOUNT = """
[[accounts]]
name = "lapsed"
id = "999988887777"
aws_profile = "lapsed-sso"
"""

AWS_CONFIG = """\
[profile lapsed-sso]
sso_session = corp
sso_account_id = 999988887777
sso_role_name = Ops
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.example.awsapps.com/start
sso_region = us-east-1
"""


def make_fleet(endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, lapsed: bool) -> Fleet:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", data=b"", method="POST"))
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text(AWS_CONFIG)
    monkeypatch.setenv("HOME", str(home))  # no SSO token cache: the lapsed account's session is expired
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    profile = tmp_path / "fleet.toml"
    profile.write_text(PROFILE.format(endpoint=endpoint, extra=LAPSED_ACCOUNT if lapsed else ""))
    fleet = Fleet(endpoint, profile, home)
    _seed(fleet)
    return fleet


@pytest.fixture
def fleet(moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fleet:
    """Four accounts (shop-prod read-only; shop-cluster/shop-api in staging and prod)."""
    return make_fleet(moto_endpoint, tmp_path, monkeypatch, lapsed=False)


@pytest.fixture
def fleet_lapsed(moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fleet:
    """The same fleet and a fifth account whose SSO session was never started."""
    return make_fleet(moto_endpoint, tmp_path, monkeypatch, lapsed=True)


__all__ = ["DOCVERIFY", "FRAMERATR", "PROD", "SERVICES", "STAGING", "Fleet"]
