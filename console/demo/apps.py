"""What the code in each image does when it runs: memory, CPU, health endpoints, how it exits.

A real task's fate depends on the code inside its image. In the demo an image's behaviour is the
default of its application (by repository, e.g. every ``asharvi-backend-*`` image is the Node app
answering ``/ready``) overridden by the image's own manifest annotations in the demo's ECR, as a
build would label it. So pushing an image with ``ecr put_image`` and deploying it has the effect
its annotations describe, whoever pushes it:

``opsconsole.demo/memory-baseline-mb``   resident memory after start-up (MiB)
``opsconsole.demo/memory-per-rps-mb``    extra MiB per request per second of load
``opsconsole.demo/memory-leak-mb-per-min`` growth per (real) minute of uptime
``opsconsole.demo/health``               ``PATH=CODE[,PATH=CODE]`` answers of its HTTP endpoints
``opsconsole.demo/exit``                 ``CODE:message`` the process exits with after start-up
``opsconsole.demo/cpu-percent``          CPU use at the usual load, in % of the task's CPU
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime

ANNOTATION = "opsconsole.demo/"


@dataclass(frozen=True)
class Exit:
    """The process exits by itself shortly after start-up (a missing module, a bad config)."""

    code: int
    message: str


@dataclass(frozen=True)
class AppModel:
    stack: str  # fastapi | node | flask | qdrant: the log format it writes
    baseline_mb: float = 180.0
    per_rps_mb: float = 2.0
    leak_mb_per_min: float = 0.0
    cpu_percent: float = 20.0
    health: dict[str, int] = field(default_factory=dict)  # path → status; others answer 200
    exit: Exit | None = None
    lock_path: str | None = None  # a file lock on its data volume (Qdrant's storage)

    def answers(self, path: str) -> int:
        """The HTTP status the app returns on ``path`` (a health check's view of it)."""
        if self.exit is not None:
            return 0  # connection refused
        return self.health.get(path, 200)


# Each system's application, by ECR repository (prefix) or public image name.
APPS: dict[str, AppModel] = {
    "docu-cr-backend": AppModel("fastapi", baseline_mb=150, per_rps_mb=1.5, cpu_percent=22),
    "document-verification-backend": AppModel("fastapi", baseline_mb=520, per_rps_mb=6, cpu_percent=18),
    "asharvi-backend": AppModel("node", baseline_mb=210, per_rps_mb=1.2, cpu_percent=14),
    "frameratr-dev-backend": AppModel("flask", baseline_mb=140, per_rps_mb=1.0, cpu_percent=21),
    "wwhd-dev-backend": AppModel("fastapi", baseline_mb=610, per_rps_mb=4, cpu_percent=12),
    "qdrant/qdrant": AppModel(
        "qdrant", baseline_mb=380, per_rps_mb=3, cpu_percent=6, lock_path="/database/.qdrant-lock"
    ),
}
GENERIC = AppModel(
    "fastapi", baseline_mb=30, per_rps_mb=0.2, cpu_percent=5
)  # an image the world does not know


def app_for_repository(repository: str) -> AppModel:
    """The application built from ``repository`` (longest matching prefix), GENERIC if unknown."""
    best = ""
    for name in APPS:
        if repository.startswith(name) and len(name) > len(best):
            best = name
    return APPS[best] if best else GENERIC


def with_annotations(app: AppModel, annotations: dict[str, str]) -> AppModel:
    """The app as one image's build labels describe it (unknown or malformed labels are ignored)."""
    changes: dict[str, object] = {}
    for key, value in annotations.items():
        if not key.startswith(ANNOTATION):
            continue
        name = key[len(ANNOTATION) :]
        try:
            if name == "memory-baseline-mb":
                changes["baseline_mb"] = float(value)
            elif name == "memory-per-rps-mb":
                changes["per_rps_mb"] = float(value)
            elif name == "memory-leak-mb-per-min":
                changes["leak_mb_per_min"] = float(value)
            elif name == "cpu-percent":
                changes["cpu_percent"] = float(value)
            elif name == "health":
                health = dict(app.health)
                for part in value.split(","):
                    path, _, code = part.partition("=")
                    health[path.strip()] = int(code)
                changes["health"] = health
            elif name == "exit":
                code, _, message = value.partition(":")
                changes["exit"] = Exit(int(code), message.strip())
        except ValueError:
            continue
    return replace(app, **changes) if changes else app  # type: ignore[arg-type]


def annotations_of(manifest: str) -> dict[str, str]:
    try:
        parsed = json.loads(manifest)
    except ValueError:
        return {}
    found = parsed.get("annotations") if isinstance(parsed, dict) else None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def load(when: datetime, seed: str) -> float:
    """Requests per second on a service at ``when``: a day's curve (busy afternoons), a little noise.

    Deterministic in (minute, seed), so the metric for a minute and the memory that decided an OOM
    in that minute are the same number however often they are computed.
    """
    hour = when.hour + when.minute / 60
    day = 0.55 + 0.45 * math.sin((hour - 9) / 24 * 2 * math.pi)
    minute = int(when.timestamp() // 60)
    noise = ((zlib.crc32(f"{minute}:{seed}".encode()) % 1000) / 1000 - 0.5) * 0.2
    return max(0.2, 8 * day * (1 + noise))


def memory_mb(app: AppModel, started: datetime, when: datetime, seed: str) -> float:
    """Resident memory of one container at ``when``: baseline + load + leak since it started."""
    uptime_min = max(0.0, (when - started).total_seconds() / 60)
    return app.baseline_mb + app.per_rps_mb * load(when, seed) + app.leak_mb_per_min * uptime_min


def cpu_percent(app: AppModel, when: datetime, seed: str) -> float:
    """CPU use in % of the task's CPU: proportional to load around the app's usual figure."""
    return max(0.3, min(100.0, app.cpu_percent * load(when, seed) / 5.0))
