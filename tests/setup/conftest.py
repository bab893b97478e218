"""A new user's machine for the setup tests: empty HOME, ~/.aws and config dir, all temporary."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.setup.support import Home


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    root = tmp_path / "home"
    (root / ".aws").mkdir(parents=True)
    h = Home(root, root / ".aws" / "config", root / ".aws" / "credentials", tmp_path / "config")
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(h.aws_config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(h.aws_credentials))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(h.config_dir))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no credentials means none, at once
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    return h
