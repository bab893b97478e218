"""What an account has, for the setup wizard and doctor: who am I, where are clusters, what to watch.

Every call here is a short read with a short timeout: setup must answer in
seconds even when a region is slow or not enabled, so one region's failure
is reported for that region and never stops the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from console.aws.ecs import EcsGateway
from console.aws.session import AwsContext, ClientSettings
from console.aws.sts import caller_identity
from console.errors import CREDENTIAL_CODES, aws_error_code, aws_error_message, describe_aws_error

T = TypeVar("T")

PROBE_TIMEOUT = 8.0
LOG_GROUP_LIMIT = 500


def quick_client_settings(timeout: float = PROBE_TIMEOUT) -> ClientSettings:
    """Fail in seconds, not after botocore's full retry ladder."""
    return ClientSettings(
        connect_timeout=max(3.0, timeout / 2), read_timeout=timeout, max_attempts=2, retry_mode="standard"
    )


def probe_regions_for(endpoint_url: str | None) -> tuple[str, ...]:
    """The regions to look for clusters in: every commercial ECS region."""
    import botocore.session

    regions = botocore.session.get_session().get_available_regions("ecs", partition_name="aws")
    return tuple(sorted(regions))


@dataclass(frozen=True)
class IdentityCheck:
    """The answer of STS GetCallerIdentity, or the one-line reason it failed."""

    account: str = ""
    arn: str = ""
    problem: str = ""
    kind: str = ""  # "", "sso-expired", "no-credentials", "access-denied", "unreachable", "other"

    @property
    def ok(self) -> bool:
        return not self.problem


def explain_credentials_error(exc: BaseException, aws_profile: str | None) -> tuple[str, str]:
    """(kind, one line) for a failed identity check, with the command that fixes it where there is one."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        ProfileNotFound,
        SSOError,
        SSOTokenLoadError,
        TokenRetrievalError,
        UnauthorizedSSOTokenError,
    )

    named = f" --profile {aws_profile}" if aws_profile else ""
    if isinstance(exc, (UnauthorizedSSOTokenError, SSOTokenLoadError, TokenRetrievalError, SSOError)):
        return (
            "sso-expired",
            f"the SSO session has expired or was never started: run `aws sso login{named}` and try again",
        )
    if isinstance(exc, NoCredentialsError):
        where = f"profile {aws_profile}" if aws_profile else "the environment or ~/.aws"
        return "no-credentials", f"no AWS credentials found in {where} (run `aws configure{named}`)"
    if isinstance(exc, ProfileNotFound):
        return "no-credentials", f"AWS profile not found: {aws_profile}"
    if isinstance(exc, ClientError):
        code = aws_error_code(exc)
        message = aws_error_message(exc)
        if code in {"AccessDenied", "AccessDeniedException"}:
            return (
                "access-denied",
                f"access denied ({message}): ask your AWS admin for read access to ECS, or choose "
                "another profile (`opsconsole doctor` lists what each operation needs)",
            )
        if code in {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}:
            fix = f" (for SSO: `aws sso login{named}`)" if named else ""
            return "sso-expired", f"the credentials have expired ({code}): refresh them{fix}"
        if code in CREDENTIAL_CODES:
            where = f"profile {aws_profile} in ~/.aws/credentials" if aws_profile else "AWS_ACCESS_KEY_ID"
            return (
                "bad-keys",
                f"AWS rejected the access key ({code}): check {where}, or set it again with "
                f"`aws configure{named}`",
            )
        return "other", describe_aws_error(exc)
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError, asyncio.TimeoutError, OSError)):
        fix = "check the network, VPN or proxy (HTTPS_PROXY) and try again"
        if isinstance(exc, asyncio.TimeoutError):
            return "unreachable", f"AWS did not answer in time: {fix}"
        return "unreachable", f"{describe_aws_error(exc)}: {fix}"
    return "other", describe_aws_error(exc)


async def check_identity(
    aws: AwsContext, region: str, aws_profile: str | None, timeout: float = PROBE_TIMEOUT
) -> IdentityCheck:
    try:
        who = await asyncio.wait_for(caller_identity(aws, region), timeout)
    except Exception as exc:  # every failure is explained, none is a traceback
        kind, line = explain_credentials_error(exc, aws_profile)
        return IdentityCheck(problem=line, kind=kind)
    return IdentityCheck(account=who.account, arn=who.arn)


@dataclass
class RegionScan:
    """Cluster names per region where ECS answered, the error line where it did not."""

    clusters: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def with_clusters(self) -> list[str]:
        return [r for r, names in self.clusters.items() if names]


def short_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


async def _bounded(call: Callable[[], Awaitable[T]], timeout: float) -> T:
    return await asyncio.wait_for(call(), timeout)


async def scan_regions(aws: AwsContext, regions: Iterable[str], timeout: float = PROBE_TIMEOUT) -> RegionScan:
    """ListClusters in every region at once; a region that fails or is slow is noted, not fatal."""
    ecs = EcsGateway(aws)
    scan = RegionScan()
    regions = list(regions)

    async def one(region: str) -> None:
        try:
            arns = await _bounded(lambda: ecs.list_cluster_arns(region), timeout)
        except Exception as exc:
            timed_out = isinstance(exc, asyncio.TimeoutError)
            scan.errors[region] = "timed out" if timed_out else describe_aws_error(exc)
            return
        scan.clusters[region] = sorted(short_name(a) for a in arns)

    await asyncio.gather(*(one(r) for r in regions))
    scan.clusters = {r: scan.clusters[r] for r in regions if r in scan.clusters}
    return scan


async def list_services(
    aws: AwsContext, clusters: Sequence[tuple[str, str]], timeout: float = PROBE_TIMEOUT
) -> dict[tuple[str, str], list[str]]:
    """(region, cluster) -> service names; a cluster that fails lists none."""
    ecs = EcsGateway(aws)

    async def one(region: str, cluster: str) -> list[str]:
        try:
            arns = await _bounded(lambda: ecs.list_service_arns(region, cluster), timeout)
        except Exception:
            return []
        return sorted(short_name(a) for a in arns)

    found = await asyncio.gather(*(one(r, c) for r, c in clusters))
    return dict(zip(clusters, found, strict=True))


async def _all_pages(client: Any, op: str, key: str, **kwargs: Any) -> list[Any]:
    out: list[Any] = []
    async for page in client.get_paginator(op).paginate(**kwargs):
        out += page.get(key, [])
    return out


async def list_queues(
    aws: AwsContext, regions: Sequence[str], timeout: float = PROBE_TIMEOUT
) -> dict[str, list[str]]:
    """Region -> queue names."""

    async def one(region: str) -> list[str]:
        client = await aws.client("sqs", region)
        try:
            urls = await _bounded(
                lambda: _all_pages(client, "list_queues", "QueueUrls", MaxResults=1000), timeout
            )
        except Exception:
            return []
        return sorted(str(u).rstrip("/").rsplit("/", 1)[-1] for u in urls)

    found = await asyncio.gather(*(one(r) for r in regions))
    return dict(zip(regions, found, strict=True))


async def list_log_groups(
    aws: AwsContext, regions: Sequence[str], timeout: float = PROBE_TIMEOUT, limit: int = LOG_GROUP_LIMIT
) -> dict[str, list[str]]:
    """Region -> log group names (the first ``limit`` of each region)."""

    async def one(region: str) -> list[str]:
        client = await aws.client("logs", region)
        names: list[str] = []

        async def collect() -> None:
            async for page in client.get_paginator("describe_log_groups").paginate():
                names.extend(g["logGroupName"] for g in page.get("logGroups", []))
                if len(names) >= limit:
                    return

        try:
            await _bounded(collect, timeout)
        except Exception:
            pass
        return sorted(names[:limit])

    found = await asyncio.gather(*(one(r) for r in regions))
    return dict(zip(regions, found, strict=True))
