"""Where the console connects: an endpoint checked before botocore retries, and a demo's regions.

Below both the CLI and the setup wizard, so neither imports the other.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlparse

from console.accounts import Account, parse_accounts
from console.errors import BadInput, OpsError


def demo_info(endpoint_url: str, timeout: float = 2.0) -> dict[str, Any]:
    """What a `demo serve` endpoint says about itself (regions, accounts, still filling); {} elsewhere."""
    try:
        with urllib.request.urlopen(f"{endpoint_url.rstrip('/')}/_opsconsole/info", timeout=timeout) as resp:
            info = json.loads(resp.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def demo_regions(endpoint_url: str, info: dict[str, Any] | None = None) -> tuple[str, ...]:
    """The regions a `demo serve` endpoint announces; () for any other endpoint."""
    info = demo_info(endpoint_url) if info is None else info
    regions = info.get("regions", ())
    return tuple(str(r) for r in regions if isinstance(r, str)) if isinstance(regions, list) else ()


def demo_accounts(endpoint_url: str, info: dict[str, Any] | None = None) -> tuple[Account, ...]:
    """The accounts a demo organised as an organisation announces (none: one account)."""
    info = demo_info(endpoint_url) if info is None else info
    raw = info.get("accounts") or []
    return parse_accounts(raw, f"{endpoint_url}/_opsconsole/info") if isinstance(raw, list) else ()


def check_endpoint(endpoint_url: str, timeout: float = 3.0) -> None:
    """Fail fast on an endpoint nobody listens on, instead of after botocore's retries."""
    parsed = urlparse(endpoint_url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise BadInput(f"--endpoint-url: '{endpoint_url}' is not an http(s) URL")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        socket.create_connection((parsed.hostname, port), timeout=timeout).close()
    except OSError as exc:
        raise OpsError(f"endpoint unreachable: {endpoint_url} ({exc.strerror or exc})") from None
