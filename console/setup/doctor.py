"""``opsconsole doctor``: will this profile work, and if not, which permission is missing?

Each check is one read call the console itself makes, so a pass here means
the pane that needs it will load.  Mutating permissions cannot be tested
the same way: ECS, SQS and CloudWatch Logs have no ``DryRun`` (that is an
EC2 feature), and trying them for real would change the account.  Doctor
says so, naming them, instead of guessing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from console.accounts import Account, account_of, accounts_in
from console.aws.session import AwsContext
from console.config import Settings
from console.errors import describe_aws_error
from console.literal import literal_text as inert
from console.setup.discovery import check_identity, quick_client_settings, short_name

CALL_TIMEOUT = 8.0

MUTATING = (
    "ecs:UpdateService",
    "ecs:RegisterTaskDefinition",
    "ecs:StopTask",
    "sqs:SendMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:PurgeQueue",
    "sqs:StartMessageMoveTask",
    "sqs:CancelMessageMoveTask",
)


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok", "fail", "skip" (not applicable) or "?" (cannot be checked)
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def line(self, width: int = 34) -> str:
        return f"{self.status:<4}  {self.name:<{width}}  {inert(self.detail)}".rstrip()


@dataclass
class _Samples:
    """The first resource of each kind doctor found, to aim the next read at."""

    cluster: str | None = None
    service: str | None = None
    task: str | None = None
    task_definition: str | None = None
    queue_url: str | None = None
    log_group: str | None = None


class Doctor:
    def __init__(
        self, settings: Settings, aws: AwsContext | None = None, timeout: float = CALL_TIMEOUT
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.aws = aws or AwsContext(
            profile=settings.aws_profile,
            endpoint_url=settings.endpoint_url,
            settings=quick_client_settings(timeout),
        )
        self.results: dict[str, dict[str, str | None]] = {}  # op -> region -> error (None = ok, "" = skipped)
        self.notes: dict[str, dict[str, str]] = {}

    async def _try(self, op: str, region: str, call: Callable[[], Awaitable[Any]]) -> Any:
        try:
            result = await asyncio.wait_for(call(), self.timeout)
        except TimeoutError:
            self.results.setdefault(op, {})[region] = "timed out"
            return None
        except Exception as exc:
            self.results.setdefault(op, {})[region] = describe_aws_error(exc)
            return None
        self.results.setdefault(op, {})[region] = None
        return result

    def _skip(self, op: str, region: str, why: str) -> None:
        self.results.setdefault(op, {}).setdefault(region, "")
        self.notes.setdefault(op, {})[region] = why

    async def _region(self, region: str) -> Check:
        ecs = await self.aws.client("ecs", region)
        started = time.monotonic()
        resp = await self._try("ecs:ListClusters", region, lambda: ecs.list_clusters(maxResults=100))
        name = f"region {getattr(region, 'where', region)}"  # and its account, in a fleet
        if resp is None:
            return Check(name, "fail", self.results["ecs:ListClusters"][region] or "")
        elapsed = (time.monotonic() - started) * 1000
        arns = resp.get("clusterArns", [])
        watched = self.settings.profile.clusters
        if watched:
            arns = [a for a in arns if short_name(a) in watched] or arns
        sample = _Samples(cluster=arns[0] if arns else None)
        await self._ecs_reads(ecs, region, sample)
        await asyncio.gather(
            self._sqs_reads(region, sample), self._logs_reads(region, sample), self._other_reads(region)
        )
        return Check(
            name,
            "ok",
            f"reachable in {elapsed:.0f} ms, {len(arns)} cluster{'' if len(arns) == 1 else 's'}",
        )

    async def _ecs_reads(self, ecs: Any, region: str, s: _Samples) -> None:
        if s.cluster is None:
            for op in ("ecs:DescribeClusters", "ecs:ListServices", "ecs:DescribeServices", "ecs:ListTasks"):
                self._skip(op, region, "no cluster to try it on")
        else:
            await self._try(
                "ecs:DescribeClusters", region, lambda: ecs.describe_clusters(clusters=[s.cluster])
            )
            services = await self._try(
                "ecs:ListServices", region, lambda: ecs.list_services(cluster=s.cluster, maxResults=10)
            )
            arns = (services or {}).get("serviceArns", [])
            s.service = arns[0] if arns else None
            if s.service:
                described = await self._try(
                    "ecs:DescribeServices",
                    region,
                    lambda: ecs.describe_services(cluster=s.cluster, services=[s.service]),
                )
                for svc in (described or {}).get("services", []):
                    s.task_definition = svc.get("taskDefinition")
            else:
                self._skip("ecs:DescribeServices", region, "no service to try it on")
            tasks = await self._try(
                "ecs:ListTasks", region, lambda: ecs.list_tasks(cluster=s.cluster, maxResults=10)
            )
            task_arns = (tasks or {}).get("taskArns", [])
            s.task = task_arns[0] if task_arns else None
        if s.task:
            await self._try(
                "ecs:DescribeTasks", region, lambda: ecs.describe_tasks(cluster=s.cluster, tasks=[s.task])
            )
        else:
            self._skip("ecs:DescribeTasks", region, "no task to try it on")
        if s.task_definition:
            await self._try(
                "ecs:DescribeTaskDefinition",
                region,
                lambda: ecs.describe_task_definition(taskDefinition=s.task_definition),
            )
            family = short_name(s.task_definition).split(":", 1)[0]
            await self._try(
                "ecs:ListTaskDefinitions",
                region,
                lambda: ecs.list_task_definitions(familyPrefix=family, maxResults=1),
            )
        else:
            self._skip("ecs:DescribeTaskDefinition", region, "no service to try it on")
            self._skip("ecs:ListTaskDefinitions", region, "no service to try it on")

    async def _sqs_reads(self, region: str, s: _Samples) -> None:
        sqs = await self.aws.client("sqs", region)
        resp = await self._try("sqs:ListQueues", region, lambda: sqs.list_queues(MaxResults=10))
        urls = (resp or {}).get("QueueUrls", [])
        if not urls:
            self._skip("sqs:GetQueueAttributes", region, "no queue to try it on")
            return
        s.queue_url = urls[0]
        await self._try(
            "sqs:GetQueueAttributes",
            region,
            lambda: sqs.get_queue_attributes(
                QueueUrl=s.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
            ),
        )
        await self._try(
            "sqs:ListDeadLetterSourceQueues",
            region,
            lambda: sqs.list_dead_letter_source_queues(QueueUrl=s.queue_url, MaxResults=1),
        )

    async def _logs_reads(self, region: str, s: _Samples) -> None:
        logs = await self.aws.client("logs", region)
        resp = await self._try("logs:DescribeLogGroups", region, lambda: logs.describe_log_groups(limit=5))
        groups = [g["logGroupName"] for g in (resp or {}).get("logGroups", [])]
        watched = [g for g in self.settings.profile.log_groups if g in groups]
        s.log_group = (watched or groups or [None])[0]
        if s.log_group is None:
            self._skip("logs:FilterLogEvents", region, "no log group to try it on")
            return
        since = int((datetime.now(UTC) - timedelta(minutes=5)).timestamp() * 1000)
        await self._try(
            "logs:FilterLogEvents",
            region,
            lambda: logs.filter_log_events(logGroupName=s.log_group, startTime=since, limit=1),
        )

    async def _other_reads(self, region: str) -> None:
        cloudwatch = await self.aws.client("cloudwatch", region)
        now = datetime.now(UTC)
        query = {
            "Id": "cpu",
            "MetricStat": {
                "Metric": {"Namespace": "AWS/ECS", "MetricName": "CPUUtilization"},
                "Period": 60,
                "Stat": "Average",
            },
        }
        await self._try(
            "cloudwatch:GetMetricData",
            region,
            lambda: cloudwatch.get_metric_data(
                MetricDataQueries=[query], StartTime=now - timedelta(minutes=5), EndTime=now
            ),
        )
        elb = await self.aws.client("elbv2", region)
        await self._try(
            "elasticloadbalancing:DescribeTargetGroups",
            region,
            lambda: elb.describe_target_groups(PageSize=1),
        )

    def _permission_checks(self) -> list[Check]:
        out: list[Check] = []
        for op, by_region in self.results.items():
            if op == "ecs:ListClusters":
                continue
            failed = {r: e for r, e in by_region.items() if e}
            passed = [r for r in self.settings.regions if r in by_region and by_region[r] is None]
            if failed:
                region, error = next(iter(failed.items()))
                more = f" (and {len(failed) - 1} more regions)" if len(failed) > 1 else ""
                out.append(Check(op, "fail", f"{region}: {error}{more}"))
            elif passed:
                out.append(Check(op, "ok", ", ".join(passed)))
            else:
                why = next(iter(self.notes.get(op, {}).values()), "nothing to try it on")
                out.append(Check(op, "skip", why))
        listing = self.results.get("ecs:ListClusters", {})
        if listing and all(e is None for e in listing.values()):
            out.insert(
                0,
                Check("ecs:ListClusters", "ok", ", ".join(r for r in self.settings.regions if r in listing)),
            )
        return out

    async def run(self) -> list[Check]:
        region0 = str(self.settings.regions[0])  # the profile's own credentials (a fleet's base)
        fleet = accounts_in(self.settings.regions)
        needs_base = not fleet or any(a.role_arn for a in fleet)
        checks: list[Check] = []
        if needs_base:
            who = await check_identity(self.aws, region0, self.settings.aws_profile, self.timeout)
            if not who.ok:
                return [Check("credentials", "fail", who.problem)]
            checks.append(Check("credentials", "ok", f"account {who.account} as {who.arn}"))
        places = list(self.settings.regions)
        if fleet:  # each account on its own: one that fails is its line, the others are checked
            found = await asyncio.gather(*(self._account(a) for a in fleet))
            checks += [check for check, _ok in found]
            reached = {a.key for a, (_check, ok) in zip(fleet, found, strict=True) if ok}
            places = [p for p in places if (a := account_of(p)) is None or a.key in reached]
        checks += list(await asyncio.gather(*(self._region(r) for r in places)))
        checks += self._permission_checks()
        checks.append(self._mutating())
        return checks

    async def _account(self, account: Account) -> tuple[Check, bool]:
        """One account of a fleet: reached (its role assumed, its profile's session valid) and as whom."""
        place = next(p for p in self.settings.regions if account_of(p) == account)
        who = await check_identity(self.aws, place, account.aws_profile, self.timeout)
        if not who.ok:
            return Check(f"account {account.label}", "fail", who.problem), False
        return Check(f"account {account.label}", "ok", f"as {who.arn}"), True

    def _mutating(self) -> Check:
        if self.settings.read_only:
            return Check("mutating permissions", "skip", "not needed: the profile is read-only")
        return Check(
            "mutating permissions",
            "?",
            "cannot be checked without acting (ECS, SQS and Logs have no DryRun): " + ", ".join(MUTATING),
        )


async def run_doctor(
    settings: Settings, aws: AwsContext | None = None, timeout: float = CALL_TIMEOUT
) -> list[Check]:
    doctor = Doctor(settings, aws, timeout)
    try:
        return await doctor.run()
    finally:
        if aws is None:
            await doctor.aws.close()


def render(checks: Sequence[Check]) -> str:
    width = max((len(c.name) for c in checks), default=10)
    return "\n".join(c.line(width) for c in checks)
