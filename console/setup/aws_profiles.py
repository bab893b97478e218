"""The AWS profiles a person already has, for the setup wizard to offer.

Read from ``~/.aws/config`` and ``~/.aws/credentials`` (or the files
``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE`` name) with botocore's
own INI loader, so a profile shown here is one botocore will find.  SSO
profiles are marked because their failure mode differs: an expired SSO
session is fixed by ``aws sso login --profile X``, not by new keys.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.configloader import build_profile_map, raw_config_parse
from botocore.exceptions import ConfigParseError


def config_file() -> Path:
    return Path(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config").expanduser()


def credentials_file() -> Path:
    return Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials").expanduser()


@dataclass(frozen=True)
class AwsProfile:
    name: str
    kind: str  # "sso", "keys", "role", "process", "web-identity" or "config"
    region: str | None = None
    sso_session: str | None = None
    sso_start_url: str | None = None
    account_id: str | None = None  # the account it points at (sso_account_id, or its role_arn's)

    @property
    def is_sso(self) -> bool:
        return self.kind == "sso"

    @property
    def label(self) -> str:
        """One line for a chooser: name, how it signs in, its region (and the account it points at)."""
        details = [self.kind]
        if self.region:
            details.append(self.region)
        if self.account_id:
            details.append(f"account {self.account_id}")
        return f"{self.name}  ({', '.join(details)})"


def _parse(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return dict(raw_config_parse(str(path)))
    except (ConfigParseError, OSError, UnicodeDecodeError):
        return {}


def _kind(values: dict[str, Any]) -> str:
    if values.get("sso_session") or values.get("sso_start_url"):
        return "sso"
    if values.get("role_arn"):
        return "role"
    if values.get("credential_process"):
        return "process"
    if values.get("web_identity_token_file"):
        return "web-identity"
    if values.get("aws_access_key_id"):
        return "keys"
    return "config"


def _account_of(values: dict[str, Any]) -> str | None:
    account = str(values.get("sso_account_id") or "")
    if not account and str(values.get("role_arn", "")).startswith("arn:"):
        account = str(values["role_arn"]).split(":")[4]
    return account if account.isdigit() and len(account) == 12 else None


def list_aws_profiles() -> list[AwsProfile]:
    """Every profile of both files, config-file order first, credentials-only ones after."""
    parsed = build_profile_map(_parse(config_file()))
    config = parsed.get("profiles", {})
    sessions = parsed.get("sso_sessions", {})
    credentials = _parse(credentials_file())
    names = list(dict.fromkeys([*config, *credentials]))
    out: list[AwsProfile] = []
    for name in names:
        values: dict[str, Any] = {**credentials.get(name, {}), **config.get(name, {})}
        sso_session = values.get("sso_session")
        start_url = values.get("sso_start_url")
        if sso_session and not start_url:
            start_url = sessions.get(sso_session, {}).get("sso_start_url")
        out.append(
            AwsProfile(
                name=name,
                kind=_kind(values),
                region=values.get("region") or None,
                sso_session=sso_session or None,
                sso_start_url=start_url or None,
                account_id=_account_of(values),
            )
        )
    return out


def find_aws_profile(name: str) -> AwsProfile | None:
    return next((p for p in list_aws_profiles() if p.name == name), None)
