"""Helpers of the setup tests: a temporary home, typed-ahead answers, a borrowed demo.

The wizard's questions are answered through prompt_toolkit's pipe input, so
the real questionary prompts (validation, defaults, Ctrl-C) do the work;
only the terminal is fake.  Keys typed ahead of a prompt are kept by
prompt_toolkit for the next one, so a whole conversation is one string.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from console.setup.wizard import Prompter, SetupResult, SetupWizard

ENTER = "\r"
DOWN = "\x1b[B"
SPACE = " "
CTRL_C = "\x03"
CLEAR = "\x15"  # Ctrl-U: drop the pre-filled default of a text prompt
# Discovery skips a region that does not answer within its timeout; on a loaded CI machine the
# embedded AWS may take long, so the tests give it all the time it needs (never a timing failure).
SLOW_MACHINE_S = 120.0
DEMO_REGIONS = ("us-east-1", "ap-south-1", "us-east-2")


@dataclass
class Home:
    root: Path
    aws_config: Path
    aws_credentials: Path
    config_dir: Path

    @property
    def profiles(self) -> Path:
        return self.config_dir / "profiles"

    def written(self) -> list[Path]:
        return sorted(self.profiles.glob("*")) if self.profiles.is_dir() else []

    def add_config(self, text: str) -> None:
        with self.aws_config.open("a") as f:
            f.write(text)

    def add_credentials(self, text: str) -> None:
        with self.aws_credentials.open("a") as f:
            f.write(text)

    def expired_sso_token(self, cache_key: str, start_url: str, *, session: bool) -> Path:
        """An SSO token in ~/.aws/sso/cache that expired an hour ago (no refresh token)."""
        cache = self.root / ".aws" / "sso" / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        path = cache / f"{hashlib.sha1(cache_key.encode()).hexdigest()}.json"
        expired = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        token: dict[str, Any] = {"accessToken": "expired", "expiresAt": expired, "region": "us-east-1"}
        if not session:
            token["startUrl"] = start_url
        path.write_text(json.dumps(token))
        return path


class BorrowedDemo:
    """The suite's running demo, lent to the wizard: its ``stop`` must not stop the session's server."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


async def drive(
    keys: Sequence[str], *, timeout: float = 600, **options: Any
) -> tuple[SetupResult | None, str]:
    """Run the wizard on typed-ahead ``keys``; returns its result and what it printed."""
    out = io.StringIO()
    options.setdefault("offer_open", False)
    options.setdefault("timeout", SLOW_MACHINE_S)
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        wizard = SetupWizard(Prompter(input=pipe, output=DummyOutput()), out=out, **options)
        try:
            result = await asyncio.wait_for(wizard.run(), timeout)
        except TimeoutError:
            raise AssertionError(f"the wizard waited for more answers; it said:\n{out.getvalue()}") from None
    return result, out.getvalue()


def demo_starter(endpoint: str, lent: list[BorrowedDemo] | None = None) -> Any:
    async def start() -> BorrowedDemo:
        handle = BorrowedDemo(endpoint)
        if lent is not None:
            lent.append(handle)
        return handle

    return start
