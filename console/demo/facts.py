"""What the world is made of: its systems' facts (for tests and the UI) and the shapes AWS takes.

The regions, the clusters as the teams made them, the helpers that write task-definition parts
(image URIs, awslogs, env, secrets, health checks) and the image annotations that make a build
behave as its team's write-up says (console.demo.apps).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from console.demo.organisation import REGIONS, acting

LABEL = "demo world (moto + opsconsole scheduler)"
SCALE_CLUSTER = "scale-cluster"
SCALE_REGION = "us-east-1"


@dataclass(frozen=True)
class ServiceFacts:
    region: str
    cluster: str
    service: str
    family: str
    desired: int
    log_group: str
    containers: tuple[str, ...]
    deployed_revision: int
    revisions: int
    broken_revision: int | None = None
    target_group: str | None = None
    account: str = field(default_factory=acting)  # the account the system was seeded in


@dataclass
class WorldInfo:
    label: str = LABEL
    regions: tuple[str, ...] = REGIONS
    services: dict[str, ServiceFacts] = field(default_factory=dict)
    clusters: dict[str, str] = field(default_factory=dict)  # cluster → region
    queues: dict[str, str] = field(default_factory=dict)  # queue name → URL
    secrets: dict[str, str] = field(default_factory=dict)  # secret name → ARN
    log_groups: dict[str, str] = field(default_factory=dict)  # log group → region
    scale: int = 0
    scale_cluster: str | None = None
    dlq_seeded: int = 0
    alarms: dict[str, str] = field(default_factory=dict)  # alarm name → state as evaluated at seed
    ready: threading.Event | None = None  # set once the history (metrics, alarms) is written

    def firing(self) -> list[str]:
        if self.ready is not None:
            self.ready.wait(60)
        return sorted(name for name, state in self.alarms.items() if state == "ALARM")

    def service(self, name: str) -> ServiceFacts:
        return self.services[name]


# cluster → (region, Container Insights, tags), as the teams made them
CLUSTERS: dict[str, tuple[str, bool, dict[str, str]]] = {
    "docu-cr-backend-cluster": ("us-east-1", False, {"Project": "docu-cr", "Environment": "production"}),
    "document-verification-cluster": (
        "ap-south-1",
        False,
        {"Project": "document-verification", "Environment": "dev"},
    ),
    "asharvi-backend-cluster": ("ap-south-1", True, {"Project": "asharvi", "Owner": "backend"}),
    "frameratr-dev-cluster": ("us-east-2", False, {"Project": "frameratr", "Environment": "dev"}),
    "wwhd-cluster": ("us-east-1", False, {"Project": "wwhd", "Environment": "production"}),
}


def image_uri(region: str, repo: str, tag: str, account: str | None = None) -> str:
    """An image in the system's own registry (the acting account's, unless told)."""
    return f"{account or acting()}.dkr.ecr.{region}.amazonaws.com/{repo}:{tag}"


# The docu-cr image deployed 20 h ago leaks slowly (a cache that never evicts): its memory has
# climbed past the team's 55 % alarm since, and would reach the 512 MiB limit in about two days.
DOCU_CR_LEAK = {"opsconsole.demo/memory-leak-mb-per-min": "0.135"}
# asharvi v1.8.0 was built without dist/config: the Node process exits at start-up.
ASHARVI_MISSING_MODULE = {"opsconsole.demo/exit": "1:Cannot find module '/app/dist/config/env.js'"}


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def role(name: str) -> str:
    return f"arn:aws:iam::{acting()}:role/{name}"


def awslogs(group: str, region: str, prefix: str) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {"awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": prefix},
    }


def env(**values: str) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in values.items()]


def secret_refs(arn: str, *keys: str) -> list[dict[str, str]]:
    return [{"name": k, "valueFrom": f"{arn}:{k}::"} for k in keys]


def tags(**values: str) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in values.items()]


def curl_check(port: int, path: str) -> dict[str, Any]:
    return {
        "command": ["CMD-SHELL", f"curl -f http://localhost:{port}{path} || exit 1"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 60,
    }
