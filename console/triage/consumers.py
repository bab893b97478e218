"""Who reads a queue: the Lambda functions behind its event source mappings, and the ECS services
whose task definition names it (an SQS URL or ARN in a container's environment).

A DLQ message's consumer is its source queue's: ``l`` on a message opens that consumer's logs
around the message's first receive. A redrive's plan warns when the destination has an enabled
consumer, because the messages are retried the moment they arrive. The matching is pure; the
reads (``find_consumers``) are bounded: one ListEventSourceMappings, then the clusters of the
queue's region, their services and each deployed task definition (cached by the gateway).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from console.aws.context import Gateways
from console.aws.lambda_sources import event_source_mappings
from console.model import Queue, Service, TaskDefinition
from console.triage.gather import queue_refs

CLUSTERS_READ = 20


@dataclass(frozen=True, slots=True)
class Consumer:
    kind: str  # "lambda" | "service"
    name: str
    region: str
    account: str
    enabled: bool
    log_group: str = ""  # a Lambda's log group; a service's groups come from its task definition
    service: Service | None = None

    def describe(self) -> str:
        if self.kind == "lambda":
            return f"Lambda {self.name} ({'enabled' if self.enabled else 'disabled'} event source mapping)"
        running = self.service.running if self.service is not None else 0
        return f"ECS service {self.name} ({running} running)"


def account_of(queue: Queue) -> str:
    parts = queue.arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def names_queue(td: TaskDefinition, queue: Queue) -> bool:
    """Whether the task definition's environment names ``queue`` (by URL or ARN)."""
    account = account_of(queue)
    return any(
        name == queue.name and region == queue.region and (not account or acct == account)
        for region, acct, name in queue_refs([td])
    )


def service_consumers(queue: Queue, services: Iterable[tuple[Service, TaskDefinition]]) -> list[Consumer]:
    return [
        Consumer("service", s.name, s.region, account_of(queue), s.desired > 0, service=s)
        for s, td in services
        if names_queue(td, queue)
    ]


def retry_warning(destination: Queue, consumers: Sequence[Consumer]) -> str:
    """The plan's warning when the destination is consumed now; "" when nothing reads it."""
    live = [c for c in consumers if c.enabled]
    if not live:
        return ""
    who = ", ".join(c.describe() for c in live)
    return (
        f"{destination.name} is consumed now by {who}: the messages are retried at once "
        "(fix the consumer first, or pause it)"
    )


async def find_consumers(gw: Gateways, queue: Queue) -> list[Consumer]:
    """The Lambda functions and ECS services reading ``queue`` (its region, its account)."""
    account = account_of(queue)
    found: list[Consumer] = []
    if queue.arn:
        try:
            mappings = await event_source_mappings(gw.aws, gw.budget, queue.region, queue.arn)
        except Exception:  # an endpoint without Lambda, or no permission: the services still count
            mappings = []
        found += [
            Consumer(
                "lambda", m.function_name, queue.region, account, m.enabled, f"/aws/lambda/{m.function_name}"
            )
            for m in mappings
        ]
    clusters = (await gw.ecs.clusters([queue.region]))[:CLUSTERS_READ]
    lists = await asyncio.gather(
        *(gw.ecs.services(queue.region, c.arn) for c in clusters), return_exceptions=True
    )
    services = [s for batch in lists if isinstance(batch, list) for s in batch]
    tds = await asyncio.gather(
        *(gw.ecs.task_definition(queue.region, s.task_definition) for s in services), return_exceptions=True
    )
    pairs = [(s, td) for s, td in zip(services, tds, strict=True) if isinstance(td, TaskDefinition)]
    return found + service_consumers(queue, pairs)
