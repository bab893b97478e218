"""The rules about the service as a whole: health checks, deployments, alarms, queues, errors, scaling.

They read ELB target-health reason codes (``Target.ResponseCodeMismatch``, ``Target.Timeout``,
``Target.FailedHealthChecks``), service events and deployment states, alarm states and history,
DLQ depths, error counts per minute and Application Auto Scaling's activities.
"""

from __future__ import annotations

from datetime import UTC, datetime

from console.model import short_name
from console.triage.evidence import (
    ELB_STOP,
    MAX_EVIDENCE,
    ROLLING_BACK,
    SPIKE_FACTOR,
    SPIKE_MIN_LINES,
    STUCK_AFTER,
    UNABLE,
    UNHEALTHY_EVENT,
    _first_at,
    _recent_failed,
    _stop_evidence,
)
from console.triage.hints import ago, logs_command, quote, rollback_next
from console.triage.model import (
    CRITICAL,
    INFO,
    WARNING,
    Evidence,
    Finding,
    Next,
    Ref,
    iso,
    utc,
)
from console.triage.signals import Signals
from console.triage.timeline import task_failed


def health_check_failing(s: Signals) -> list[Finding]:
    unhealthy = [t for t in s.targets if t.state == "unhealthy"]
    stopped = _recent_failed(s, lambda t: bool(ELB_STOP.search(t.stopped_reason)))
    events = [
        e
        for e in s.service.events
        if UNHEALTHY_EVENT.search(e.message) and e.created_at and utc(e.created_at) >= s.start
    ]
    if not (unhealthy or stopped or events):
        return []
    paths = [f"{hc.protocol} {hc.port} {hc.path}".strip() for hc in s.health_checks.values() if hc.path]
    path = next((hc.path for hc in s.health_checks.values() if hc.path), "")
    evidence: list[Evidence] = []
    for t in unhealthy[:3]:
        evidence.append(
            Evidence(
                "target-health",
                f"target {t.target_id}:{t.port} unhealthy: {t.reason} {t.description}".strip(),
                s.now,
                s.ref("service"),
            )
        )
    if paths:
        evidence.append(Evidence("target-health", f"health check: {', '.join(paths)}", None))
    for e in events[:2]:
        evidence.append(Evidence("event", e.message, e.created_at))
    for task in stopped[-2:]:
        evidence += _stop_evidence(s, task)[:1]
    reason = unhealthy[0].reason if unhealthy else "tasks failed health checks"
    detail = f" ({unhealthy[0].description})" if unhealthy and unhealthy[0].description else ""
    what = f"health check {path}" if path else "health checks"
    return [
        Finding(
            "health-check-failing",
            CRITICAL,
            f"{what} failing: {len(unhealthy)} target(s) unhealthy, {len(stopped)} task(s) replaced ({reason}{detail})",
            tuple(evidence[:MAX_EVIDENCE]),
            Next(
                f"find why {path or 'the health check'} fails in the logs",
                logs_command(s, since="15m", include=path) if path else logs_command(s, since="15m"),
            ),
            weight=90,
            at=_first_at(stopped) or (events[-1].created_at if events else s.now),
        )
    ]


def circuit_breaker_rolled_back(s: Signals) -> list[Finding]:
    failed = [
        d
        for d in s.service.deployments
        if d.rollout_state == "FAILED" and "circuit breaker" in d.rollout_reason.lower()
    ]
    events = [
        e
        for e in s.service.events
        if ROLLING_BACK.search(e.message) and e.created_at and utc(e.created_at) >= s.start
    ]
    records = [r for r in s.deployments if r.status.startswith("ROLLBACK") or r.rollback_reason]
    if not (failed or events or records):
        return []
    bad = (
        failed[0].revision
        if failed
        else (short_name(records[0].task_definition) if records and records[0].task_definition else "")
    )
    if not bad:
        for e in s.service.events:
            if "deployment failed" in e.message.lower():
                bad = next((d.revision for d in s.service.deployments if d.id in e.message), "")
                break
    primary = s.service.primary
    if not bad:  # the failed deployment has drained away: its tasks still say which revision it was
        running = primary.revision if primary else short_name(s.service.task_definition)
        crashed = [t for t in s.stopped() if task_failed(t) and short_name(t.task_definition) != running]
        bad = short_name(crashed[-1].task_definition) if crashed else ""
    evidence = [
        Evidence("event", e.message, e.created_at)
        for e in sorted(events, key=lambda e: e.created_at or s.start)[-3:]
    ]
    for d in failed:
        evidence.append(
            Evidence(
                "event",
                f"deployment {d.id} ({d.revision}) FAILED: {d.rollout_reason}",
                d.updated_at,
                s.ref(
                    "revision",
                    revision=d.revision,
                    deployment=d.id,
                ),
            )
        )
    for r in records[:2]:
        evidence.append(
            Evidence(
                "event",
                f"service deployment {r.id} {r.status}: {r.rollback_reason or r.status_reason}",
                r.finished_at,
            )
        )
    to = primary.revision if primary else "the last good revision"
    return [
        Finding(
            "circuit-breaker-rolled-back",
            WARNING,
            f"the circuit breaker failed {bad or 'a deployment'} and rolled back to {to}",
            tuple(evidence[:MAX_EVIDENCE]),
            rollback_next(s, bad)
            if bad
            else Next(
                "see the deployment's events", quote("opsconsole", "rollback", s.cluster, s.name, "--list")
            ),
            weight=60,
            at=min((e.created_at for e in events if e.created_at), default=None),
        )
    ]


def deployment_stuck(s: Signals) -> list[Finding]:
    primary = s.service.primary
    if primary is None or primary.rollout_state != "IN_PROGRESS" or primary.created_at is None:
        return []
    age = utc(s.now) - utc(primary.created_at)
    unable = [
        e
        for e in s.service.events
        if UNABLE.search(e.message) and e.created_at and utc(e.created_at) >= utc(primary.created_at)
    ]
    failing = primary.failed_tasks > 0 and not s.service.circuit_breaker
    if age < STUCK_AFTER and not unable and not failing:
        return []
    evidence = [
        Evidence(
            "event",
            f"deployment {primary.id} of {primary.revision} IN_PROGRESS for {ago(primary.created_at, s.now)}: "
            f"{primary.running}/{primary.desired} running, {primary.failed_tasks} failed tasks",
            primary.created_at,
        )
    ]
    evidence += [Evidence("event", e.message, e.created_at) for e in unable[:3]]
    return [
        Finding(
            "deployment-stuck",
            CRITICAL if unable or failing else WARNING,
            f"deployment of {primary.revision} has not finished after {ago(primary.created_at, s.now)} ({primary.running}/{primary.desired} running)",
            tuple(evidence),
            rollback_next(s, primary.revision),
            weight=55,
            at=primary.created_at,
        )
    ]


def alarm_firing(s: Signals) -> list[Finding]:
    out = []
    for detail in s.alarms:
        a = detail.alarm
        if a.state != "ALARM" or a.scaling:
            continue
        since = detail.updated_at or a.since
        crossing = (
            f" (threshold {detail.operator} {detail.threshold:g})" if detail.threshold is not None else ""
        )
        evidence = [
            Evidence(
                "alarm",
                f"{a.name} {a.namespace}/{a.metric}{crossing}: {a.reason}",
                since,
                s.ref(
                    "alarm",
                    alarm=a.name,
                ),
            )
        ]
        evidence += [
            Evidence("alarm", f"{c.old_state} -> {c.new_state}: {c.reason or c.summary}", c.at)
            for c in s.alarm_changes
            if c.alarm == a.name
        ][-3:]
        if a.description:
            evidence.append(Evidence("alarm", f"description: {a.description}", None))
        out.append(
            Finding(
                "alarm-firing",
                WARNING,
                f"alarm {a.name} is firing on {a.metric}{crossing}"
                + (f" since {ago(since, s.now)} ago" if since else ""),
                tuple(evidence),
                Next(
                    "see the metric and open the logs of its window in the alarms pane (:alarms), or",
                    logs_command(s, since="30m"),
                ),
                weight=40,
                at=since,
            )
        )
    return out


def dlq_growing(s: Signals) -> list[Finding]:
    out = []
    for q in s.queues:
        dlq = q.dlq
        if dlq is None or dlq.visible <= 0:
            continue
        series = q.dlq_depth
        grew = ""
        at = None
        if series is not None and len(series.values) >= 2:
            first, last = series.values[0], series.values[-1]
            if last > first:
                grew = f", +{last - first:g} since {iso(series.timestamps[0])}"
            at = next((t for t, v in zip(series.timestamps, series.values, strict=False) if v > first), None)
        evidence = [
            Evidence(
                "queue",
                f"{dlq.name}: {dlq.visible} visible, {dlq.in_flight} in flight"
                + (f", oldest {dlq.oldest_age_s:.0f} s" if dlq.oldest_age_s else ""),
                s.now,
                Ref(type="queue", region=dlq.region, account=s.account, queue=dlq.name),
            )
        ]
        if q.queue.name != dlq.name:
            evidence.append(
                Evidence(
                    "queue",
                    f"{q.queue.name} sends to {dlq.name} after {q.queue.max_receive_count} receives",
                    None,
                )
            )
        for key, n in q.groups[:3]:
            evidence.append(
                Evidence("queue", f"error group '{key}': {n} of {q.sampled} sampled messages", None)
            )
        top = f"; largest group '{q.groups[0][0]}'" if q.groups else ""
        out.append(
            Finding(
                "dlq-growing",
                WARNING,
                f"DLQ {dlq.name} holds {dlq.visible} failed messages{grew}{top}",
                tuple(evidence),
                Next(
                    "peek the failures, fix the consumer, then redrive",
                    quote("opsconsole", "peek", dlq.name, "-n", "5"),
                ),
                weight=50 if grew or q.groups else 45,
                at=at,
            )
        )
    return out


def _primary_started(s: Signals) -> datetime | None:
    primary = s.service.primary
    starts = [utc(r.created_at) for r in s.deployments if r.created_at]
    if primary and primary.created_at:
        starts.append(utc(primary.created_at))
    inside = [t for t in starts if t >= s.start]
    return max(inside) if inside else None


def error_spike_after_deploy(s: Signals) -> list[Finding]:
    deployed = _primary_started(s)
    if deployed is None or not s.errors.per_minute:
        return []
    d_ms = int(deployed.timestamp() * 1000)
    after_span = max(60_000, int(utc(s.end).timestamp() * 1000) - d_ms)
    before_span = max(10 * 60_000, min(after_span, d_ms - int(utc(s.start).timestamp() * 1000)))
    after = s.errors.between(d_ms, d_ms + after_span)
    before = s.errors.between(d_ms - before_span, d_ms)
    rate_after, rate_before = after / (after_span / 60_000), before / (before_span / 60_000)
    if after < SPIKE_MIN_LINES or rate_after < SPIKE_FACTOR * max(rate_before, 0.1):
        return []
    revision = s.service.primary.revision if s.service.primary else short_name(s.service.task_definition)
    samples = [e for e in s.errors.samples if e.timestamp >= d_ms][:3]
    evidence = [
        Evidence(
            "log",
            f"{after} error lines in {after_span // 60_000} min after the deploy ({rate_after:.1f}/min) vs {rate_before:.2f}/min before",
            deployed,
        )
    ]
    evidence += [
        Evidence(
            "log",
            e.message.strip()[:300],
            datetime.fromtimestamp(e.timestamp / 1000, UTC),
            s.ref(
                "logs",
                group=e.group,
                stream=e.stream,
                at_ms=e.timestamp,
            ),
        )
        for e in samples
    ]
    return [
        Finding(
            "error-spike-after-deploy",
            WARNING,
            f"errors rose {rate_after / max(rate_before, 0.1):.0f}x after {revision} was deployed at {iso(deployed)}",
            tuple(evidence),
            rollback_next(s, revision),
            weight=70,
            at=deployed,
        )
    ]


def autoscaling_moved_count(s: Signals) -> list[Finding]:
    moved = [a for a in s.scaling if "desired count" in a.description.lower() and utc(a.at) >= s.start]
    evidence = [Evidence("scaling", f"{a.description} ({a.status}): {a.cause}", a.at) for a in moved[-3:]]
    scaled = [
        e
        for e in s.audit
        if e.get("action") == "scale" and (e.get("after") or {}).get("desiredCount") is not None
    ]
    if scaled and s.scalable is not None:
        asked = int(scaled[-1]["after"]["desiredCount"])
        if asked != s.service.desired:
            evidence.append(
                Evidence(
                    "audit",
                    f"opsconsole scaled to {asked} at {scaled[-1].get('time')}; desired is now {s.service.desired}",
                    None,
                )
            )
    if not evidence:
        return []
    bounds = f" (scalable target {s.scalable.min_capacity}-{s.scalable.max_capacity})" if s.scalable else ""
    return [
        Finding(
            "autoscaling-moved-count",
            INFO,
            f"auto scaling changed the desired count of {s.name}{bounds}; now {s.service.desired}",
            tuple(evidence),
            Next(
                "change the scalable target's bounds instead of desiredCount",
                quote(
                    "aws",
                    "application-autoscaling",
                    "describe-scaling-activities",
                    "--region",
                    s.region,
                    "--service-namespace",
                    "ecs",
                    "--resource-id",
                    f"service/{s.cluster}/{s.name}",
                ),
            ),
            weight=30,
            at=moved[0].at if moved else None,
        )
    ]
