"""The one place that names moto's backends, typed, so the rest of the demo reads them without guesses.

moto keeps each service's state in ``<service>_backends[account][region]``. The demo world reads
and writes that state in-process (fast, and never counted as an API call). Going through these
getters keeps the account explicit (the fleet issue brings several) and gives mypy real types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

DEFAULT_ACCOUNT = "123456789012"

if TYPE_CHECKING:
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.ec2.models import EC2Backend
    from moto.ecr.models import ECRBackend
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.elbv2.models import ELBv2Backend
    from moto.logs.models import LogsBackend
    from moto.secretsmanager.models import SecretsManagerBackend
    from moto.sqs.models import SQSBackend


def ecs(region: str, account: str = DEFAULT_ACCOUNT) -> EC2ContainerServiceBackend:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account][region]


def ecr(region: str, account: str = DEFAULT_ACCOUNT) -> ECRBackend:
    from moto.ecr.models import ecr_backends

    return ecr_backends[account][region]


def secrets(region: str, account: str = DEFAULT_ACCOUNT) -> SecretsManagerBackend:
    from moto.secretsmanager.models import secretsmanager_backends

    return secretsmanager_backends[account][region]


def elbv2(region: str, account: str = DEFAULT_ACCOUNT) -> ELBv2Backend:
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[account][region]


def cloudwatch(region: str, account: str = DEFAULT_ACCOUNT) -> CloudWatchBackend:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[account][region]


def logs(region: str, account: str = DEFAULT_ACCOUNT) -> LogsBackend:
    from moto.logs.models import logs_backends

    return logs_backends[account][region]


def sqs(region: str, account: str = DEFAULT_ACCOUNT) -> SQSBackend:
    from moto.sqs.models import sqs_backends

    return sqs_backends[account][region]


def ec2(region: str, account: str = DEFAULT_ACCOUNT) -> EC2Backend:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account][region]
