"""The local audit log: JSON lines in the user data dir, two per operation.

The first is written when the change is sent: who (the STS caller ARN), where
(profile, region), what (action, target, before, after: with what AWS answered,
e.g. the revision number an env edit registered) and whether the write went
through.  The second, once verify ends, says how it ended (completed, failed,
rolled back by the circuit breaker, timed out) and carries the first one's
``id`` as ``outcome_of``.  Secret values never reach it: env changes are
recorded by key name only (see :meth:`Plan.audit_before_after`).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.accounts import account_name_of
from console.config import data_dir
from console.ops.plan import Plan, VerifyResult
from console.ops.rollout import BREAKER_ROLLED_BACK, TIMEOUT


def audit_path() -> Path:
    return data_dir() / "audit.jsonl"


def record(
    plan: Plan,
    *,
    profile: str,
    caller: str,
    result: str,
    message: str = "",
    extra: dict[str, Any] | None = None,
    applied: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The line of a sent change; ``applied`` (ApplyResult.after) replaces the plan's "after" where
    AWS's answer is more exact (``family:(new revision)`` becomes ``family:7``)."""
    before, after = plan.audit_before_after()
    for key in after:
        if applied and key in applied and not any(c.secret for c in plan.changes if c.field == key):
            after[key] = applied[key]
    entry: dict[str, Any] = {
        "id": uuid.uuid4().hex[:12],
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "caller": caller,
        "profile": profile,
        "region": str(plan.target.region),
        **_account(plan),
        "action": plan.action,
        "target": str(plan.target),
        "before": before,
        "after": after,
        "result": result,
        "message": message,
    }
    if extra:
        entry.update(extra)
    _append(entry)
    return entry


def _account(plan: Plan) -> dict[str, str]:
    """The account the change was made in: its id (the place's, or the ARN's) and fleet name."""
    out = {}
    if plan.target.account:
        out["account"] = plan.target.account
    name = account_name_of(plan.target.region)
    if name:
        out["account_name"] = name
    return out


def outcome_word(verified: VerifyResult) -> str:
    if verified.ok:
        return "completed"
    if verified.state == TIMEOUT:
        return "timed out"
    if BREAKER_ROLLED_BACK in verified.message:
        return "rolled back by the circuit breaker"
    return verified.state.lower() if verified.state else "failed"


def record_outcome(first: Mapping[str, Any], verified: VerifyResult) -> dict[str, Any]:
    """The second line: how the change ``first`` recorded ended, as verify saw it."""
    entry: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "outcome_of": first.get("id", ""),
        **{k: first.get(k) for k in ("caller", "profile", "region", "action", "target")},
        "result": outcome_word(verified),
        "message": verified.message,
    }
    _append(entry)
    return entry


def _append(entry: Mapping[str, Any]) -> None:
    path = audit_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, default=str, ensure_ascii=False) + "\n"
    # One write of one line with O_APPEND: concurrent consoles never interleave within a line.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def entries(path: Path | None = None) -> Iterator[dict[str, Any]]:
    path = path or audit_path()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except ValueError:
                continue  # a torn last line from a crash is skipped, not fatal
