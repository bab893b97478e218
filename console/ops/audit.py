"""The local audit log: one JSON line per applied plan, in the user data dir.

It records who (the STS caller ARN), where (profile, region), what (action,
target, before, after) and how it ended.  Secret values never reach it: env
changes are recorded by key name only (see :meth:`Plan.audit_before_after`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.config import data_dir
from console.ops.plan import Plan


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
) -> dict[str, Any]:
    before, after = plan.audit_before_after()
    entry: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "caller": caller,
        "profile": profile,
        "region": plan.target.region,
        "action": plan.action,
        "target": str(plan.target),
        "before": before,
        "after": after,
        "result": result,
        "message": message,
    }
    if extra:
        entry.update(extra)
    path = audit_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, default=str, ensure_ascii=False) + "\n"
    # One write of one line with O_APPEND: concurrent consoles never interleave within a line.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
    return entry


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
