"""The one place that names moto's backends, typed, so the rest of the demo reads them without guesses.

moto keeps each service's state in ``<service>_backends[account][region]``. The demo world reads
and writes that state in-process (fast, and never counted as an API call). Going through these
getters keeps the account explicit (an account of None is the acting one, see organisation) and
gives mypy real types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.demo.organisation import BASE_ACCOUNT as DEFAULT_ACCOUNT  # noqa: F401  (re-exported)
from console.demo.organisation import acting

if TYPE_CHECKING:
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.ec2.models import EC2Backend
    from moto.ecr.models import ECRBackend
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.elbv2.models import ELBv2Backend
    from moto.logs.models import LogsBackend
    from moto.secretsmanager.models import SecretsManagerBackend
    from moto.sqs.models import SQSBackend


def ecs(region: str, account: str | None = None) -> EC2ContainerServiceBackend:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account or acting()][region]


def ecr(region: str, account: str | None = None) -> ECRBackend:
    from moto.ecr.models import ecr_backends

    return ecr_backends[account or acting()][region]


def secrets(region: str, account: str | None = None) -> SecretsManagerBackend:
    from moto.secretsmanager.models import secretsmanager_backends

    return secretsmanager_backends[account or acting()][region]


def elbv2(region: str, account: str | None = None) -> ELBv2Backend:
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[account or acting()][region]


def cloudwatch(region: str, account: str | None = None) -> CloudWatchBackend:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[account or acting()][region]


def logs(region: str, account: str | None = None) -> LogsBackend:
    from moto.logs.models import logs_backends

    return logs_backends[account or acting()][region]


def sqs(region: str, account: str | None = None) -> SQSBackend:
    from moto.sqs.models import sqs_backends

    return sqs_backends[account or acting()][region]


def ec2(region: str, account: str | None = None) -> EC2Backend:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account or acting()][region]
