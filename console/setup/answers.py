"""What the setup wizard's answers are, and the small rules over them that setup shares.

The wizard (console/setup/wizard.py) asks the questions; ``setup --non-interactive``
(console/setup/noninteractive.py) takes the same answers from flags. Both build on the types
and helpers here: where the profile connects, what discovery found, which credentials the
environment holds, and how a service is keyed in a profile's rules.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from console.accounts import Account
from console.config import DEMO, Profile, config_dir, set_default_profile
from console.setup.aws_profiles import AwsProfile
from console.setup.prompts import env_file_problem

DEMO_CHOICE = "demo"
ENDPOINT_CHOICE = "endpoint"
ENV_CHOICE = "env"
FLEET_CHOICE = "fleet"
NEW_PROFILE = "\x00new"
DEFAULT_ENDPOINT = "http://localhost:4566"
# The embedded demo or a local endpoint has no region that is "not enabled": a slow answer there
# means a busy machine, so discovery waits for it instead of skipping the region.
LOCAL_TIMEOUT = 60.0

DemoStarter = Callable[[], Awaitable["DemoHandle"]]


# --- answers -------------------------------------------------------------------------
@dataclass(frozen=True)
class Connection:
    """Where the profile connects: an AWS profile, the environment's credentials, the demo or an endpoint."""

    choice: str  # "aws:<name>", FLEET_CHOICE, ENV_CHOICE, DEMO_CHOICE or ENDPOINT_CHOICE
    aws_profile: str | None = None
    endpoint_url: str | None = None
    fleet: tuple[AwsProfile, ...] = ()  # FLEET_CHOICE: the profiles picked, each an account

    @property
    def is_demo(self) -> bool:
        return self.choice == DEMO_CHOICE

    @property
    def suggested_name(self) -> str:
        if self.is_demo:
            return DEMO
        if self.aws_profile:
            return self.aws_profile
        return "local" if self.endpoint_url else "default"


@dataclass
class SetupResult:
    profile: Profile
    path: Path
    open_console: bool
    demo: DemoHandle | None = None  # the wizard's running demo, kept for the console when it opens


@dataclass
class Found:
    """What discovery saw in the chosen regions."""

    clusters: list[tuple[str, str]] = field(default_factory=list)  # (region, cluster)
    services: list[str] = field(default_factory=list)  # cluster/service
    queues: list[str] = field(default_factory=list)
    log_groups: list[str] = field(default_factory=list)


def user_profiles() -> dict[str, Path]:
    """Profiles of the user's config dir (not the built-in ones): these are what setup edits."""
    folder = config_dir() / "profiles"
    if not folder.is_dir():
        return {}
    return {f.stem: f for f in sorted(folder.glob("*.toml"), key=lambda f: f.stat().st_mtime, reverse=True)}


class DemoHandle(Protocol):
    """A running embedded AWS (``console.demo.runtime.DemoRuntime`` or a test's stand-in)."""

    @property
    def endpoint(self) -> str: ...

    def stop(self) -> None: ...


async def default_demo_starter() -> DemoHandle:
    """The demo world to discover in; kept, live, for the console when the person opens it at the end.

    With its activity on (log lines, failing messages): discovery does not mind, and the console
    opened on it right after setup shows a living world, as ``opsconsole demo`` does.
    """
    import asyncio

    from console.demo.runtime import start_demo

    runtime: DemoHandle = await asyncio.to_thread(start_demo)
    return runtime


def demo_available() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("console.demo.runtime") is not None
    except ImportError:
        return False


# Where the default credential chain finds credentials without a profile (env keys, a web
# identity token as in EKS/GitHub Actions, the ECS container credentials endpoint).
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def with_fleet(profile: Profile, conn: Connection) -> Profile:
    """The profile's ``[[accounts]]``: one per AWS profile picked (none: one account, as before)."""
    if not conn.fleet:
        return profile
    accounts = tuple(Account(name=p.name, id=p.account_id or "", aws_profile=p.name) for p in conn.fleet)
    return replace(profile, accounts=accounts)


def environment_credentials() -> str:
    """The variable the default chain would take credentials from; "" when there is none."""
    return next((name for name in CREDENTIAL_VARIABLES if os.environ.get(name)), "")


def identity_region(conn: Connection, base: Profile | None = None) -> str:
    """Where to ask STS who we are: the profile's first region, the environment's, the AWS profile's."""
    if base and base.regions:
        return base.regions[0]
    env = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if env:
        return env
    if conn.aws_profile:
        from console.setup.aws_profiles import find_aws_profile

        found = find_aws_profile(conn.aws_profile)
        if found and found.region:
            return found.region
    return "us-east-1"


def how_to_open(name: str) -> str:
    """Make the written profile the default, and say how to open it (both ways)."""
    set_default_profile(name)
    return f"{name} is now the default profile: open it with `opsconsole` (or `opsconsole --profile {name}`)"


def _is_local(url: str) -> bool:
    from urllib.parse import urlparse

    host = urlparse(url).hostname or ""
    return host in {"localhost", "::1"} or host.startswith("127.")


def _env_check(keep: str | None) -> Callable[[str], str | None]:
    return lambda value: env_file_problem(value, keep)


def _split(service: str) -> tuple[str, str]:
    cluster, _, name = service.rpartition("/")
    return cluster, name


def _rule_key(profile: Profile, service: str) -> str:
    """The profile's key for the service (``cluster/service`` or ``service``), else ``cluster/service``."""
    _, name = _split(service)
    if service in profile.rules:
        return service
    if name in profile.rules:
        return name
    return service


def _service_matches(value: str, wanted: str) -> bool:
    return value == wanted or _split(value)[1] == wanted


def _name_of(value: Any) -> str:
    if isinstance(value, tuple):
        return str(value[1])
    return str(value)
