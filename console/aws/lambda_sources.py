"""Lambda event source mappings of a queue: which functions SQS hands its messages to.

One ``ListEventSourceMappings`` (filtered by the queue's ARN, at most 3 pages) per queue. A DLQ
message's consumer is the function behind its source queue's mapping, and a redrive's plan warns
when the destination's mapping is enabled (the messages are retried at once).
"""

from __future__ import annotations

from dataclasses import dataclass

from console.aws.paging import Budget
from console.aws.session import AwsContext

PAGES = 3
ENABLED_STATES = frozenset({"Enabled", "Enabling", "Updating", "Creating"})


@dataclass(frozen=True, slots=True)
class EventSourceMapping:
    function_arn: str
    state: str
    queue_arn: str

    @property
    def function_name(self) -> str:
        return self.function_arn.split(":function:", 1)[-1].split(":", 1)[0]

    @property
    def enabled(self) -> bool:
        return self.state in ENABLED_STATES


async def event_source_mappings(
    aws: AwsContext, budget: Budget, region: str, queue_arn: str
) -> list[EventSourceMapping]:
    client = await aws.client("lambda", region)
    found: list[EventSourceMapping] = []
    marker: str | None = None
    for _ in range(PAGES):
        kwargs = {"EventSourceArn": queue_arn, **({"Marker": marker} if marker else {})}
        resp = await budget.call(region, "lambda", client.list_event_source_mappings, **kwargs)
        for raw in resp.get("EventSourceMappings", []):
            found.append(
                EventSourceMapping(str(raw.get("FunctionArn", "")), str(raw.get("State", "")), queue_arn)
            )
        marker = resp.get("NextMarker")
        if not marker:
            break
    return found
