"""Demo time: ECS's rollout steps run ``scale`` times faster than on AWS, everything else in real time.

A rollout on AWS takes minutes (image pull, health check grace, the ELB's healthy threshold, the
target group's deregistration delay of 300 s). The demo follows the same steps with the same
durations divided by one factor, ``demo serve --time-scale`` (default ``DEFAULT_SCALE``; tests use
a much larger one). Log lines, metrics and alarms keep the wall clock, so what they say agrees with
the time on the operator's watch; a memory leak leaks per real minute.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_SCALE = 30.0


class Clock:
    """Wall time, and how many ECS seconds have passed since a moment (real seconds times the scale)."""

    def __init__(self, scale: float = DEFAULT_SCALE) -> None:
        if scale <= 0:
            raise ValueError("time scale must be more than 0")
        self.scale = scale

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    def ecs_seconds_since(self, when: datetime | None, now: datetime | None = None) -> float:
        """ECS seconds elapsed since ``when`` (0 when there is no such moment)."""
        if when is None:
            return 0.0
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, ((now or self.now()) - when).total_seconds() * self.scale)

    def real(self, ecs_seconds: float) -> timedelta:
        """The wall-clock length of an ECS step."""
        return timedelta(seconds=ecs_seconds / self.scale)


CLOCK = Clock()


def set_scale(scale: float) -> None:
    """One process, one demo world: the runtime sets the factor once at start."""
    if scale <= 0:
        raise ValueError("time scale must be more than 0")
    CLOCK.scale = scale
