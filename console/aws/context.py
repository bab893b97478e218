"""Open the AWS gateways for a Settings: the one place a run's clients are created."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from console.aws.ecs import EcsGateway
from console.aws.paging import Budget
from console.aws.session import AwsContext, ClientSettings
from console.aws.sqs import SqsGateway
from console.config import Settings


@dataclass
class Gateways:
    settings: Settings
    aws: AwsContext
    budget: Budget
    ecs: EcsGateway
    sqs: SqsGateway


def make_gateways(settings: Settings, *, client_settings: ClientSettings | None = None) -> Gateways:
    aws = AwsContext(
        profile=settings.aws_profile,
        endpoint_url=settings.endpoint_url,
        settings=client_settings or ClientSettings(),
    )
    budget = Budget()
    return Gateways(
        settings=settings, aws=aws, budget=budget, ecs=EcsGateway(aws, budget), sqs=SqsGateway(aws, budget)
    )


@asynccontextmanager
async def open_gateways(settings: Settings, **kwargs: object) -> AsyncIterator[Gateways]:
    gateways = make_gateways(settings, **kwargs)  # type: ignore[arg-type]
    try:
        yield gateways
    finally:
        await gateways.aws.close()
