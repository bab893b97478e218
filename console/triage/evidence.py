"""Evidence shared by the rules: a stopped task's reason and exits, its last log lines, refs.

Each piece keeps its time and a :class:`Ref` to where it can be seen (the task, the logs at that
moment), so a finding can be checked, not only believed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from console.model import Task, short_name
from console.triage.model import (
    Evidence,
    Finding,
    Ref,
    utc,
)
from console.triage.signals import Signals

PULL = re.compile(
    r"CannotPullContainerError|CannotPullImageManifestError|pull image manifest|failed to resolve ref", re.I
)
SECRET_INIT = re.compile(r"ResourceInitializationError.*(secret|asm|ssm|parameter)", re.I | re.S)
SECRET_ARN = re.compile(r"arn:aws:(?:secretsmanager|ssm):[a-z0-9-]+:\d+:(?:secret:|parameter/)[^\s,'\"]+")
OOM = re.compile(r"OutOfMemory|out of memory|OOMKilled|Container killed due to memory", re.I)
ELB_STOP = re.compile(r"failed (ELB|container) health checks", re.I)
UNHEALTHY_EVENT = re.compile(r"is unhealthy in", re.I)
ESSENTIAL = "Essential container in task exited"
UNABLE = re.compile(r"unable to consistently start tasks|unable to place a task", re.I)
ROLLING_BACK = re.compile(r"rolling back|circuit breaker|deployment failed", re.I)
LOCK = re.compile(r"\block\b|locked|lock file|already in use|resource busy", re.I)
IMAGE_IN_REASON = re.compile(r"([\w.-]+(?:\.[\w.-]+)*(?::\d+)?/[\w./-]+:[\w.-]+)")
STUCK_AFTER = timedelta(minutes=15)
SPIKE_FACTOR = 3.0
SPIKE_MIN_LINES = 10
MAX_EVIDENCE = 8
# Lines a runner prints around the real error (npm's epilogue, stack frames): not the headline.
NOISE = re.compile(r"\s*(npm ERR!|at |File \"|Traceback \(most recent call last\))")

Rule = Callable[[Signals], list[Finding]]


def _task_ref(s: Signals, task: Task, container: str = "") -> Ref:
    at = task.stopped_at or task.created_at
    td = s.task_definition(task.task_definition)
    group = stream = ""
    name = container or (task.containers[0].name if task.containers else "")
    cdef = td.container(name) if td is not None else None
    if cdef is not None and cdef.log_option("awslogs-group"):
        group = cdef.log_option("awslogs-group")
        stream = f"{cdef.log_option('awslogs-stream-prefix')}/{name}/{task.id}"
    return s.ref(
        "task",
        task=task.arn,
        revision=short_name(task.task_definition),
        group=group,
        stream=stream,
        container=name,
        at_ms=int(utc(at).timestamp() * 1000) if at else None,
    )


def _stop_evidence(s: Signals, task: Task) -> list[Evidence]:
    at = task.stopped_at or task.created_at
    out = [
        Evidence(
            "reason",
            f"task {task.id} ({short_name(task.task_definition)}): {task.stopped_reason or task.stop_code}",
            at,
            _task_ref(s, task),
        )
    ]
    for c in task.containers:
        if c.exit_code is not None or c.reason:
            text = f"container {c.name}: exit code {c.exit_code}" + (f", {c.reason}" if c.reason else "")
            out.append(Evidence("exit-code", text, at, _task_ref(s, task, c.name)))
    return out


def _tail_evidence(
    s: Signals, task: Task, pattern: re.Pattern[str] | None = None, n: int = 2
) -> list[Evidence]:
    from console.triage.gather import is_error_line

    out: list[Evidence] = []
    for tail in s.tail_of(task.arn):
        lines = [
            e for e in tail.lines if (pattern.search(e.message) if pattern else is_error_line(e.message))
        ]
        telling = [e for e in lines if not NOISE.match(e.message)] or lines
        for event in telling[-n:]:
            ref = s.ref(
                "logs",
                task=task.arn,
                group=tail.group,
                stream=tail.stream,
                container=tail.container,
                at_ms=event.timestamp,
            )
            out.append(
                Evidence(
                    "log",
                    f"{tail.container}: {headline(event.message)}",
                    datetime.fromtimestamp(event.timestamp / 1000, UTC),
                    ref,
                )
            )
    return out


def headline(message: str) -> str:
    """A log line as one readable line: a JSON line's message and error message, else its text."""
    from console.logs.loglevel import parse_json

    data = parse_json(message)
    if isinstance(data, dict):
        msg = str(data.get("msg") or data.get("message") or "")
        err = data.get("err") or data.get("error") or data.get("exc_info") or {}
        detail = str(err.get("message", "")) if isinstance(err, dict) else str(err)
        text = ": ".join(p for p in (msg, detail) if p)
        if text:
            return text[:300]
    return message.strip()[:300]


def _recent_failed(s: Signals, match: Callable[[Task], bool]) -> list[Task]:
    return [
        t for t in s.stopped() if match(t) and t.stopped_at is not None and utc(t.stopped_at) >= s.start
    ] or [t for t in s.stopped() if match(t)]


def _texts(task: Task) -> str:
    return " | ".join([task.stopped_reason, *(c.reason for c in task.containers)])


def _by_revision(tasks: list[Task]) -> dict[str, list[Task]]:
    out: dict[str, list[Task]] = {}
    for t in tasks:
        out.setdefault(short_name(t.task_definition), []).append(t)
    return out


def _first_at(tasks: Iterable[Task]) -> datetime | None:
    stamps = [utc(at) for t in tasks if (at := t.stopped_at or t.created_at) is not None]
    return min(stamps) if stamps else None
