"""The concrete next step of a finding: which revision to roll back to, and the command to run.

"Roll back" is only useful with a revision known to work: the newest one whose deployment
completed (ListServiceDeployments' SUCCESSFUL, else a COMPLETED deployment of DescribeServices),
with how long it ran steady, so the person at 3 a.m. knows what they are going back to.
"""

from __future__ import annotations

import shlex
from datetime import datetime

from console.model import short_name
from console.triage.model import Next, utc
from console.triage.signals import Signals


def ago(since: datetime, now: datetime) -> str:
    seconds = max(0, int((utc(now) - utc(since)).total_seconds()))
    if seconds >= 2 * 86400:
        return f"{round(seconds / 86400)} d"
    if seconds >= 2 * 3600:
        return f"{round(seconds / 3600)} h"
    if seconds >= 120:
        return f"{round(seconds / 60)} min"
    return f"{seconds} s"


def replaced_at(s: Signals, since: datetime) -> datetime:
    """When the next deployment after ``since`` started (the end of a revision's steady run)."""
    starts = [utc(r.created_at) for r in s.deployments if r.created_at]
    starts += [utc(d.created_at) for d in s.service.deployments if d.created_at]
    later = [t for t in starts if t > utc(since)]
    return min(later) if later else s.now


def good_revision(s: Signals, bad: str) -> tuple[str, datetime | None]:
    """(family:revision, since when it ran) of the newest revision that completed a deployment."""
    for rec in s.deployments:  # newest first
        revision = short_name(rec.task_definition or rec.target_revision)
        if rec.status == "SUCCESSFUL" and revision != bad and ":" in revision:
            return revision, rec.finished_at or rec.created_at
    for dep in sorted(s.service.deployments, key=lambda d: d.created_at or s.start, reverse=True):
        if dep.revision != bad and dep.rollout_state == "COMPLETED":
            return dep.revision, dep.updated_at or dep.created_at
    family, _, number = bad.rpartition(":")
    older = sorted(
        (
            td
            for td in s.task_definitions.values()
            if td.family == family and number.isdigit() and td.revision < int(number)
        ),
        key=lambda td: td.revision,
        reverse=True,
    )
    return (older[0].family_revision, None) if older else ("", None)


def quote(*words: str) -> str:
    return " ".join(shlex.quote(w) for w in words)


def rollback_next(s: Signals, bad: str, why: str = "") -> Next:
    good, since = good_revision(s, bad)
    if not good:
        return Next(
            f"no earlier revision to roll back to; fix {bad}{why}",
            quote("opsconsole", "rollback", s.cluster, s.name, "--list"),
        )
    number = good.rsplit(":", 1)[-1]
    if short_name(s.service.task_definition) == good:
        steady = f", running since {ago(since, s.now)} ago" if since else ""
        return Next(
            f"{good} is running again{steady}; fix {bad} before deploying it again{why}",
            quote("opsconsole", "rollback", s.cluster, s.name, "--list"),
        )
    steady = f", steady for {ago(since, replaced_at(s, since))}" if since else ""
    return Next(
        f"roll back to {good}{steady}{why}",
        quote("opsconsole", "rollback", s.cluster, s.name, "--to", number, "--wait"),
    )


def logs_command(s: Signals, *, container: str = "", since: str = "30m", include: str = "") -> str:
    words = ["opsconsole", "logs", "--service", f"{s.cluster}/{s.name}"]
    if container:
        words += ["--container", container]
    words += ["--since", since]
    if include:
        words += ["--include", include]
    return quote(*words)
