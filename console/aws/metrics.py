"""CloudWatch metric series for sparklines: one GetMetricData call for many services.

GetMetricData takes up to 500 queries a call, so a screenful of services costs
one request per region, not two per service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from console.aws.paging import Budget, chunks
from console.aws.session import AwsContext
from console.model import MetricSeries

QUERIES_PER_CALL = 500


MetricKey = tuple[str, ...]


@dataclass(frozen=True)
class MetricQuery:
    """One series to read: a metric of a namespace at exact dimensions, and the key it comes back under."""

    key: MetricKey
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str = "Average"


async def metric_series(
    aws: AwsContext,
    budget: Budget,
    region: str,
    wanted: Sequence[MetricQuery],
    *,
    start: datetime,
    end: datetime,
    period: int = 60,
) -> dict[MetricKey, MetricSeries]:
    """Many series in as few GetMetricData calls as the API allows (500 queries a call, paginated)."""
    client = await aws.client("cloudwatch", region)
    queries: list[dict[str, Any]] = []
    index: dict[str, MetricQuery] = {}
    for i, q in enumerate(wanted):
        qid = f"m{i}"
        index[qid] = q
        metric = {
            "Namespace": q.namespace,
            "MetricName": q.metric,
            "Dimensions": [{"Name": n, "Value": v} for n, v in q.dimensions],
        }
        queries.append(
            {
                "Id": qid,
                "MetricStat": {"Metric": metric, "Period": period, "Stat": q.stat},
                "ReturnData": True,
            }
        )
    out: dict[MetricKey, MetricSeries] = {}
    for chunk in chunks(queries, QUERIES_PER_CALL):
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"MetricDataQueries": list(chunk), "StartTime": start, "EndTime": end}
            if token:
                kwargs["NextToken"] = token
            resp = await budget.call(region, "metrics", client.get_metric_data, **kwargs)
            for result in resp.get("MetricDataResults", []):
                asked = index.get(result.get("Id", ""))
                if asked is None:
                    continue
                pairs = sorted(zip(result.get("Timestamps", []), result.get("Values", []), strict=False))
                prev = out.get(asked.key)
                stamps = (prev.timestamps if prev else ()) + tuple(p[0] for p in pairs)
                values = (prev.values if prev else ()) + tuple(float(p[1]) for p in pairs)
                dimension = "/".join(v for _n, v in asked.dimensions)
                out[asked.key] = MetricSeries(
                    name=asked.metric, dimension=dimension, timestamps=stamps, values=values
                )
            token = resp.get("NextToken")
            if not token:
                break
    return out


async def service_metrics(
    aws: AwsContext,
    budget: Budget,
    region: str,
    services: Sequence[tuple[str, str]],
    *,
    metrics: Sequence[str] = ("CPUUtilization", "MemoryUtilization"),
    minutes: int = 60,
    period: int = 60,
) -> dict[tuple[str, str, str], MetricSeries]:
    """(cluster name, service name) pairs -> {(cluster, service, metric): series}, from ``AWS/ECS``."""
    end = datetime.now(UTC)
    wanted = [
        MetricQuery(
            (cluster, service, metric),
            "AWS/ECS",
            metric,
            (("ClusterName", cluster), ("ServiceName", service)),
        )
        for cluster, service in services
        for metric in metrics
    ]
    found = await metric_series(
        aws, budget, region, wanted, start=end - timedelta(minutes=minutes), end=end, period=period
    )
    return {(k[0], k[1], k[2]): v for k, v in found.items()}
