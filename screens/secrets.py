"""Which env values to mask: console.env.secrets_mask when it exists, a local rule until then."""

from __future__ import annotations

import re

try:
    from console.env.secrets_mask import is_secret_key, mask
except ImportError:  # pragma: no cover - until console/secrets_mask.py lands
    _SECRET = re.compile(r"(secret|password|passwd|token|api[_-]?key|private|credential|auth|dsn|conn)", re.I)

    def is_secret_key(name: str, value: str | None = None) -> bool:
        return bool(_SECRET.search(name))

    def mask(value: str) -> str:
        return "••••••" if value else value


__all__ = ["is_secret_key", "mask"]
