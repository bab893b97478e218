"""One time axis of a service's changes and failures, built from its signals (no I/O here).

Each entry says what happened in one line (AWS's words where AWS has them), where it came from
(``source``: the API or the audit log) and where its evidence is (``ref``: the revision diff, the
task, the alarm, or the logs at that minute).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from console.model import Deployment, Task, short_name
from console.ops.revision_diff import diff_revisions
from console.triage.model import CRITICAL, INFO, WARNING, Ref, TimelineEntry, iso, utc
from console.triage.signals import Signals


def headline(message: str) -> str:
    from console.triage.evidence import headline as one_line

    return one_line(message)


DEPLOYMENT_ID = re.compile(r"ecs-svc/\d+")
BAD_EVENT = re.compile(r"fail|unhealthy|unable|rolling back|error|stopped \d+ running", re.IGNORECASE)
MAX_DLQ_ENTRIES = 48


def _in(s: Signals, at: datetime | None) -> bool:
    return at is not None and s.start <= utc(at) <= s.end


def _ref(s: Signals, type_: str, **fields: object) -> Ref:
    return s.ref(type_, **fields)


def revision_number(ref: str) -> int | None:
    tail = short_name(ref).rsplit(":", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else None


def previous_revision(s: Signals, revision: str) -> str:
    """The family:revision registered before ``revision`` among those read."""
    family, _, number = revision.rpartition(":")
    if not number.isdigit():
        return ""
    older = [td for td in s.task_definitions.values() if td.family == family and td.revision < int(number)]
    return max(older, key=lambda td: td.revision).family_revision if older else ""


def diff_lines(s: Signals, old: str, new: str) -> tuple[str, ...]:
    a, b = s.task_definition(old), s.task_definition(new)
    if a is None or b is None:
        return ()
    return tuple(line.strip() for line in diff_revisions(a, b).lines()[1:])


def diff_summary(s: Signals, old: str, new: str) -> str:
    a, b = s.task_definition(old), s.task_definition(new)
    if a is None or b is None:
        return ""
    return diff_revisions(a, b).summary()


def task_line(task: Task) -> str:
    parts = [f"task {task.id[:8]} ({short_name(task.task_definition)}) stopped"]
    if task.stopped_reason:
        parts.append(f": {task.stopped_reason}")
    exits = [
        f"{c.name} exit {c.exit_code}" + (f" ({c.reason})" if c.reason else "")
        for c in task.containers
        if c.exit_code is not None or c.reason
    ]
    if exits:
        parts.append("; " + ", ".join(exits))
    return "".join(parts)


def task_failed(task: Task) -> bool:
    return task.stop_code in ("EssentialContainerExited", "TaskFailedToStart") or any(
        (c.exit_code or 0) != 0 for c in task.containers
    )


def _deployment_entries(s: Signals) -> Iterable[TimelineEntry]:
    if s.deployments:  # ListServiceDeployments: the whole history of the window
        ordered = sorted(s.deployments, key=lambda r: r.created_at or s.start)
        previous = ""
        for rec in ordered:
            revision = short_name(rec.task_definition or rec.target_revision)
            base = previous or previous_revision(s, revision)
            summary = f"deployment {rec.id} of {revision}"
            if base and base != revision:
                summary += f" (from {base}: {diff_summary(s, base, revision) or 'changed'})"
            ref = _ref(s, "revision", revision=revision, previous=base, deployment=rec.id)
            if _in(s, rec.created_at):
                assert rec.created_at is not None
                yield TimelineEntry(
                    utc(rec.created_at),
                    "deployment",
                    "ecs.ListServiceDeployments",
                    summary + " started",
                    ref,
                    diff_lines(s, base, revision) if base else (),
                )
            if _in(s, rec.finished_at) and rec.status:
                assert rec.finished_at is not None
                bad = "ROLLBACK" in rec.status or rec.status in ("STOPPED", "FAILED")
                why = rec.status_reason or rec.rollback_reason
                yield TimelineEntry(
                    utc(rec.finished_at),
                    "deployment",
                    "ecs.DescribeServiceDeployments",
                    f"deployment {rec.id} of {revision} {rec.status}" + (f": {why}" if why else ""),
                    ref,
                    severity=CRITICAL if bad else INFO,
                )
            if rec.status in ("SUCCESSFUL", "IN_PROGRESS", "PENDING"):
                previous = revision
        return
    ordered_deps: list[Deployment] = sorted(s.service.deployments, key=lambda d: d.created_at or s.start)
    for i, dep in enumerate(ordered_deps):
        base = ordered_deps[i - 1].revision if i else previous_revision(s, dep.revision)
        ref = _ref(s, "revision", revision=dep.revision, previous=base, deployment=dep.id)
        if _in(s, dep.created_at):
            assert dep.created_at is not None
            summary = f"deployment {dep.id} of {dep.revision} started ({dep.status})"
            if base and base != dep.revision:
                summary += f", from {base}: {diff_summary(s, base, dep.revision) or 'changed'}"
            yield TimelineEntry(
                utc(dep.created_at),
                "deployment",
                "ecs.DescribeServices",
                summary,
                ref,
                diff_lines(s, base, dep.revision) if base else (),
            )
        if (
            dep.rollout_state in ("COMPLETED", "FAILED")
            and _in(s, dep.updated_at)
            and dep.updated_at != dep.created_at
        ):
            assert dep.updated_at is not None
            yield TimelineEntry(
                utc(dep.updated_at),
                "deployment",
                "ecs.DescribeServices",
                f"deployment {dep.id} of {dep.revision} {dep.rollout_state}"
                + (f": {dep.rollout_reason}" if dep.rollout_reason else ""),
                ref,
                severity=CRITICAL if dep.rollout_state == "FAILED" else INFO,
            )


def _event_entries(s: Signals) -> Iterable[TimelineEntry]:
    for event in s.service.events:
        if not _in(s, event.created_at):
            continue
        assert event.created_at is not None
        dep = DEPLOYMENT_ID.search(event.message)
        yield TimelineEntry(
            utc(event.created_at),
            "service-event",
            "ecs.DescribeServices",
            event.message,
            _ref(s, "event", deployment=dep.group(0) if dep else ""),
            severity=WARNING if BAD_EVENT.search(event.message) else INFO,
        )


def _task_entries(s: Signals) -> Iterable[TimelineEntry]:
    for task in s.stopped():
        at = task.stopped_at or task.created_at
        if not _in(s, at):
            continue
        assert at is not None
        td = s.task_definition(task.task_definition)
        container = next((c for c in task.containers if (c.exit_code or 0) != 0), None) or (
            task.containers[0] if task.containers else None
        )
        group = stream = ""
        if td is not None and container is not None:
            cdef = td.container(container.name)
            if cdef is not None and cdef.log_option("awslogs-group"):
                group = cdef.log_option("awslogs-group")
                stream = f"{cdef.log_option('awslogs-stream-prefix')}/{cdef.name}/{task.id}"
        yield TimelineEntry(
            utc(at),
            "task-stopped",
            "ecs.DescribeTasks",
            task_line(task),
            _ref(
                s,
                "task",
                task=task.arn,
                revision=short_name(task.task_definition),
                group=group,
                stream=stream,
                container=container.name if container else "",
                at_ms=int(utc(at).timestamp() * 1000),
            ),
            severity=CRITICAL if task_failed(task) else INFO,
        )


def _alarm_entries(s: Signals) -> Iterable[TimelineEntry]:
    for change in s.alarm_changes:
        if not _in(s, change.at):
            continue
        text = f"alarm {change.alarm}: {change.old_state or '?'} -> {change.new_state or '?'}"
        text += f": {change.reason}" if change.reason else (f" ({change.summary})" if change.summary else "")
        yield TimelineEntry(
            utc(change.at),
            "alarm",
            "cloudwatch.DescribeAlarmHistory",
            text,
            _ref(s, "alarm", alarm=change.alarm),
            severity=WARNING if change.new_state == "ALARM" else INFO,
        )
    if s.alarm_history_available:
        return
    for detail in s.alarms:  # no history on this endpoint: the current state, once, at its time
        a = detail.alarm
        if a.state != "ALARM":
            continue
        at = detail.updated_at or a.since or s.now
        yield TimelineEntry(
            utc(at) if _in(s, at) else s.end,
            "alarm",
            "cloudwatch.DescribeAlarms",
            f"alarm {a.name} is ALARM (history not available): {a.reason}",
            _ref(s, "alarm", alarm=a.name),
            severity=WARNING,
        )


def _revision_entries(s: Signals) -> Iterable[TimelineEntry]:
    for td in sorted(s.task_definitions.values(), key=lambda t: t.revision):
        if not _in(s, td.registered_at):
            continue
        assert td.registered_at is not None
        base = previous_revision(s, td.family_revision)
        summary = f"revision {td.family_revision} registered"
        if base:
            summary += f": {diff_summary(s, base, td.family_revision)} (from {base})"
        yield TimelineEntry(
            utc(td.registered_at),
            "revision",
            "ecs.DescribeTaskDefinition",
            summary,
            _ref(s, "revision", revision=td.family_revision, previous=base),
            diff_lines(s, base, td.family_revision) if base else (),
        )


def _audit_entries(s: Signals) -> Iterable[TimelineEntry]:
    for entry in s.audit:
        try:
            at = datetime.fromisoformat(str(entry.get("time", "")))
        except ValueError:
            continue
        if not _in(s, at):
            continue
        before, after = entry.get("before") or {}, entry.get("after") or {}
        change = ", ".join(f"{k} {before.get(k)} -> {after.get(k)}" for k in dict.fromkeys([*before, *after]))
        text = f"opsconsole {entry.get('action', '?')} {entry.get('result', '?')}"
        text += f" ({change})" if change else ""
        text += f" by {entry.get('caller', '?')}"
        if entry.get("message"):
            text += f": {entry['message']}"
        yield TimelineEntry(
            utc(at),
            "audit",
            "opsconsole audit log",
            text,
            _ref(s, "audit"),
            severity=INFO
            if entry.get("result") in ("applied", "sent", "ok", "done", "verified", "completed")
            else WARNING,
        )


def _error_entries(s: Signals) -> Iterable[TimelineEntry]:
    """Runs of consecutive minutes with error lines: one entry per run, at its first minute."""
    runs: list[list[tuple[int, int]]] = []
    for minute, count in s.errors.per_minute:
        if runs and minute - runs[-1][-1][0] <= 60_000:
            runs[-1].append((minute, count))
        else:
            runs.append([(minute, count)])
    for run in runs:
        first, last = run[0][0], run[-1][0]
        total = sum(n for _, n in run)
        peak_minute, peak = max(run, key=lambda p: p[1])
        sample = next((e for e in s.errors.samples if first <= e.timestamp < last + 60_000), None)
        at = datetime.fromtimestamp(first / 1000, UTC)
        span = (last - first) // 60_000 + 1
        summary = f"{total} error line{'s' if total != 1 else ''} in {span} min"
        if span > 1:
            summary += f" (peak {peak}/min at {iso(datetime.fromtimestamp(peak_minute / 1000, UTC))})"
        if sample is not None:
            summary += f": {headline(sample.message)[:160]}"
        yield TimelineEntry(
            at,
            "errors",
            "logs.FilterLogEvents",
            summary,
            _ref(
                s,
                "logs",
                group=sample.group if sample else "",
                stream=sample.stream if sample else "",
                at_ms=first,
            ),
            severity=WARNING,
        )


def _dlq_entries(s: Signals) -> Iterable[TimelineEntry]:
    for q in s.queues:
        if q.dlq is None:
            continue
        series = q.dlq_depth
        if series is not None and series.values:
            out: list[TimelineEntry] = []
            prev: float | None = None
            for at, value in zip(series.timestamps, series.values, strict=False):
                if prev is not None and value != prev:
                    out.append(
                        TimelineEntry(
                            utc(at),
                            "dlq",
                            "cloudwatch.GetMetricData",
                            f"DLQ {q.dlq.name} depth {prev:g} -> {value:g}",
                            _ref(s, "queue", queue=q.dlq.name),
                            severity=WARNING if value > prev else INFO,
                        )
                    )
                prev = value
            yield from out[-MAX_DLQ_ENTRIES:]
        elif q.dlq.visible:
            yield TimelineEntry(
                s.end,
                "dlq",
                "sqs.GetQueueAttributes",
                f"DLQ {q.dlq.name} holds {q.dlq.visible} messages (no depth history)",
                _ref(s, "queue", queue=q.dlq.name),
                severity=WARNING,
            )


def _scaling_entries(s: Signals) -> Iterable[TimelineEntry]:
    for act in s.scaling:
        if _in(s, act.at):
            yield TimelineEntry(
                utc(act.at),
                "scaling",
                "application-autoscaling.DescribeScalingActivities",
                f"{act.description} ({act.status})" + (f": {act.cause}" if act.cause else ""),
                _ref(s, "service"),
            )


def build(s: Signals) -> list[TimelineEntry]:
    """Every entry of the window, oldest first (ties keep changes before failures)."""
    entries = [
        *_revision_entries(s),
        *_deployment_entries(s),
        *_audit_entries(s),
        *_event_entries(s),
        *_scaling_entries(s),
        *_task_entries(s),
        *_alarm_entries(s),
        *_error_entries(s),
        *_dlq_entries(s),
    ]
    seen: set[str] = set()
    unique = []
    for e in entries:
        if e.key not in seen:
            seen.add(e.key)
            unique.append(e)
    order = {k: i for i, k in enumerate(["revision", "deployment", "audit", "scaling", "service-event"])}
    unique.sort(key=lambda e: (e.at, order.get(e.kind, 9)))
    return unique


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '6h', '3d' (or a bare number of minutes) -> a timedelta; ValueError names the text."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text or "")
    if not m:
        raise ValueError(f"not a duration: '{text}' (use e.g. 90s, 15m, 6h, 3d)")
    value, unit = float(m.group(1)), m.group(2) or "m"
    return timedelta(seconds=value * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit])


def parse_when(text: str, now: datetime) -> datetime:
    """An ISO 8601 time (UTC unless it says) or a duration ago ('1h')."""
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"not a time: '{text}' (use ISO 8601 like 2026-12-02T03:00Z, or a duration like 1h)"
        ) from None
    return utc(at)
