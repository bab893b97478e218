"""The ELB's view of the demo's targets: DescribeTargetHealth answers from the fates module.

moto reports every registered target ``healthy``. Here a target that belongs to a demo task is
``initial`` until the target group's healthy threshold of checks has passed, ``unhealthy`` with
ELB's reason code when the app answers the health check path with a code outside the matcher
(``Target.ResponseCodeMismatch``) or not at all (``Target.FailedHealthChecks``), and ``draining``
(``Target.DeregistrationInProgress``) while its task stops.
"""

from __future__ import annotations

from typing import Any

from console.demo import fates
from console.demo.clock import CLOCK

_STATE = {"installed": False}


def _find(group: str, ip: str) -> tuple[fates.TaskRun, fates.Target] | None:
    for run in list(fates.RUNS.values()):
        if run.ip != ip:
            continue
        for target in run.targets:
            if target.group == group:
                return run, target
    return None


def install() -> None:
    """Patch moto's target groups once per process (demo only)."""
    if _STATE["installed"]:
        return
    _STATE["installed"] = True
    from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

    original = FakeTargetGroup.health_for

    def health_for(self: FakeTargetGroup, target: dict[str, Any], ec2_backend: Any) -> FakeHealthStatus:
        found = _find(self.arn, str(target.get("Id")))
        if found is None:
            return original(self, target, ec2_backend)
        run, demo_target = found
        state, reason, description = fates.target_health(run, demo_target, CLOCK.now())
        return FakeHealthStatus(
            str(target["Id"]), str(demo_target.port), self.health_check_port, state, reason, description
        )

    FakeTargetGroup.health_for = health_for  # type: ignore[method-assign]
