"""The rules of ``why``: each a small pure function from :class:`Signals` to findings.

They read only what AWS returns, in AWS's own wording: ECS stopped reasons and stop codes
(``CannotPullContainerError``, ``ResourceInitializationError … secret``, ``OutOfMemoryError:
Container killed due to memory usage``, ``Essential container in task exited``, ``Task failed ELB
health checks``), container exit codes, service events and deployment states, ELB target-health
reason codes (``Target.ResponseCodeMismatch``, ``Target.Timeout``, ``Target.FailedHealthChecks``),
alarm states, log lines, DLQ depths, scaling activities. ``weight`` ranks what explains most first:
a root cause (the image that cannot be pulled) above its consequence (the circuit breaker).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from console.triage.model import SEVERITY_ORDER, Finding, utc
from console.triage.rules_service import (
    alarm_firing,
    autoscaling_moved_count,
    circuit_breaker_rolled_back,
    deployment_stuck,
    dlq_growing,
    error_spike_after_deploy,
    health_check_failing,
)
from console.triage.rules_tasks import (
    essential_container_exited,
    image_pull_failed,
    oom_killed,
    secret_missing,
    single_writer_conflict,
)
from console.triage.signals import Signals

Rule = Callable[[Signals], list[Finding]]


RULES: tuple[Rule, ...] = (
    image_pull_failed,
    secret_missing,
    single_writer_conflict,
    oom_killed,
    health_check_failing,
    essential_container_exited,
    error_spike_after_deploy,
    circuit_breaker_rolled_back,
    deployment_stuck,
    dlq_growing,
    alarm_firing,
    autoscaling_moved_count,
)
CODES = (
    "image-pull-failed",
    "secret-missing",
    "oom-killed",
    "health-check-failing",
    "essential-container-exited",
    "circuit-breaker-rolled-back",
    "deployment-stuck",
    "alarm-firing",
    "dlq-growing",
    "error-spike-after-deploy",
    "single-writer-conflict",
    "autoscaling-moved-count",
)


def rank(findings: Iterable[Finding]) -> list[Finding]:
    """Most explaining first; among equals the more severe, then the earlier."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(
        findings, key=lambda f: (-f.weight, SEVERITY_ORDER.get(f.severity, 9), utc(f.at) if f.at else far)
    )


def findings(s: Signals) -> list[Finding]:
    return rank(f for rule in RULES for f in rule(s))
