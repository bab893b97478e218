"""What the ECS agent meets when it fetches a container's ``secrets`` before the task starts.

Every ``valueFrom`` that names Secrets Manager must resolve at that moment: the secret must exist
and not be marked for deletion, and a ``:json-key::`` reference needs that key in its JSON value.
Otherwise the task stops with ``ResourceInitializationError`` worded as Fargate words it, naming
the secret. SSM parameters are not modelled (they resolve).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from console.demo import moto_access

_PREFIX = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): "


def split_value_from(value_from: str, region: str) -> tuple[str, str, str | None]:
    """(region, secret id, json key) of a Secrets Manager ``valueFrom`` (an ARN, optionally with a key)."""
    if not value_from.startswith("arn:"):
        return region, value_from, None
    parts = value_from.split(":")
    if len(parts) < 7 or parts[2] != "secretsmanager":
        return region, "", None  # not Secrets Manager
    arn = ":".join(parts[:7])
    key = parts[7] if len(parts) > 7 and parts[7] else None
    return parts[3], arn, key


def _request_id() -> str:
    return str(uuid.uuid4())


def check(containers: list[dict[str, Any]], region: str, account: str) -> str | None:
    """None when every secret resolves; else the task's stoppedReason."""
    for container in containers:
        for ref in container.get("secrets") or []:
            value_from = str(ref.get("valueFrom", ""))
            secret_region, secret_id, key = split_value_from(value_from, region)
            if not secret_id:
                continue
            backend = moto_access.secrets(secret_region, account)
            secret = backend.secrets.get(secret_id)
            shown = secret_id
            if secret is None:
                return (
                    f"{_PREFIX}failed to fetch secret {shown} from secrets manager: ResourceNotFoundException: "
                    f"Secrets Manager can't find the specified secret. status code: 400, request id: {_request_id()}"
                )
            if secret.is_deleted():
                return (
                    f"{_PREFIX}failed to fetch secret {shown} from secrets manager: InvalidRequestException: "
                    "You can't perform this operation on the secret because it was marked for deletion. "
                    f"status code: 400, request id: {_request_id()}"
                )
            if key is None:
                continue
            version = secret.versions.get(secret.default_version_id or "") or {}
            try:
                value = json.loads(str(version.get("secret_string", "")))
            except ValueError:
                value = None
            if not isinstance(value, dict) or key not in value:
                return f"{_PREFIX}retrieved secret from Secrets Manager did not contain json key {key}"
    return None
