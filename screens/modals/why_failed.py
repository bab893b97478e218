"""After a deployment's verify ends failed in the console (redeploy, rollback, env sync, scale), the
findings of ``why`` are shown right there, under the progress modal's events, as the CLI prints
them after ``--wait``. A help, never a second failure: a read that fails says so in one line.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.containers import Vertical
from textual.widgets import Static

from console.errors import describe_aws_error
from console.ops.plan import Plan
from console.triage.render import why_lines
from screens.format import aws
from screens.modals.progress import ProgressScreen

EXPLAIN_TIMEOUT_S = 20.0


def _show(progress: ProgressScreen, text: str) -> None:
    if not progress.is_attached:
        return
    found = progress.query("#progress-why")
    if found:
        found.first(Static).update(aws(text))
    else:
        progress.query_one("#progress-box", Vertical).mount(Static(aws(text), id="progress-why"))


async def explain_failure(api: Any, progress: ProgressScreen, plan: Plan) -> None:
    """Read ``why`` for the plan's service (no DLQ sample) and show its findings in ``progress``."""
    target = plan.target
    if target.kind != "service" or not target.cluster:
        return
    _show(progress, "why it failed: reading the service's signals…")
    try:
        service = await api.triage.service_named(target.region, target.cluster, target.name)
        report = await asyncio.wait_for(api.triage.why_of(service, peek=False), EXPLAIN_TIMEOUT_S)
    except Exception as exc:
        _show(progress, f"why: could not read the findings ({describe_aws_error(exc)})")
        return
    _show(progress, "\n".join(["why it failed:", *(f"  {line}" for line in why_lines(report)[1:])]))
