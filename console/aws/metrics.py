"""CloudWatch metric series for sparklines: one GetMetricData call for many services.

GetMetricData takes up to 500 queries a call, so a screenful of services costs
one request per region, not two per service.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from console.aws.paging import Budget, chunks
from console.aws.session import AwsContext
from console.model import MetricSeries

QUERIES_PER_CALL = 500


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
    """(cluster name, service name) pairs -> {(cluster, service, metric): series}."""
    client = await aws.client("cloudwatch", region)
    end = datetime.now(UTC)
    start = end - timedelta(minutes=minutes)
    queries: list[dict[str, Any]] = []
    index: dict[str, tuple[str, str, str]] = {}
    for i, (cluster, service) in enumerate(services):
        for j, metric in enumerate(metrics):
            qid = f"m{i}_{j}"
            index[qid] = (cluster, service, metric)
            queries.append(
                {
                    "Id": qid,
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/ECS",
                            "MetricName": metric,
                            "Dimensions": [
                                {"Name": "ClusterName", "Value": cluster},
                                {"Name": "ServiceName", "Value": service},
                            ],
                        },
                        "Period": period,
                        "Stat": "Average",
                    },
                    "ReturnData": True,
                }
            )
    out: dict[tuple[str, str, str], MetricSeries] = {}
    for chunk in chunks(queries, QUERIES_PER_CALL):
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"MetricDataQueries": list(chunk), "StartTime": start, "EndTime": end}
            if token:
                kwargs["NextToken"] = token
            resp = await budget.call(region, "metrics", client.get_metric_data, **kwargs)
            for result in resp.get("MetricDataResults", []):
                key = index.get(result.get("Id", ""))
                if key is None:
                    continue
                pairs = sorted(zip(result.get("Timestamps", []), result.get("Values", []), strict=False))
                prev = out.get(key)
                stamps = (prev.timestamps if prev else ()) + tuple(p[0] for p in pairs)
                values = (prev.values if prev else ()) + tuple(float(p[1]) for p in pairs)
                out[key] = MetricSeries(
                    name=key[2], dimension=f"{key[0]}/{key[1]}", timestamps=stamps, values=values
                )
            token = resp.get("NextToken")
            if not token:
                break
    return out
