"""Stop a bad deploy now: StopServiceDeployment with rollback, then verify the previous one is steady.

A failing deployment otherwise waits for the circuit breaker's threshold (half the desired count,
at least 3 failed tasks, each after a back-off), or forever without one (copilot #2041: 30+
minutes). ECS's StopServiceDeployment (stopType ROLLBACK) ends it and puts the last successful
deployment back; its tasks keep serving. The deployment is found among the service deployments
in progress (ListServiceDeployments); an endpoint without them is told in one line, with the
rollback that works everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.aws.context import Gateways
from console.aws.service_deployments import service_deployments, stop_service_deployment
from console.config import Settings
from console.errors import Refused, describe_aws_error, is_missing_api
from console.model import Deployment, Service
from console.ops.deploy import account_of
from console.ops.guards import service_guards
from console.ops.new_revision import service_plan
from console.ops.plan import ApplyResult, Change, Plan, ProgressCallback, VerifyResult
from console.ops.rollout import FAILED, Pacing, RolloutWatch, follow_watch

IN_FLIGHT = ("IN_PROGRESS", "PENDING")


def previous_of(service: Service) -> Deployment | None:
    """The deployment ECS rolls back to: the newest other one that completed, else the newest other."""
    others = [d for d in service.deployments if d.status != "PRIMARY"]
    done = [d for d in others if d.rollout_state == "COMPLETED"]
    pool = done or others
    return max(pool, key=lambda d: d.created_at.timestamp() if d.created_at else 0.0) if pool else None


@dataclass
class AbortOp:
    gateways: Gateways
    service: Service
    plan: Plan
    pacing: Pacing
    arn: str
    previous: str  # family:revision the rollback puts back ("" when ECS decides)

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        svc = self.service
        await stop_service_deployment(self.gateways.aws, self.gateways.budget, svc.region, self.arn)
        back = self.previous or "the last successful revision"
        return ApplyResult(
            ok=True,
            message=f"stopped service deployment {self.arn.rsplit('/', 1)[-1]}; ECS rolls back to {back}",
            after={
                "deployment": "stopped, rolling back",
                **({"taskDefinition": back} if self.previous else {}),
            },
            data={"deployment_id": None},
        )

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        svc = self.service
        watch = RolloutWatch(
            self.gateways.ecs,
            svc.region,
            svc.cluster_arn,
            svc.name,
            known_events=[e.id for e in svc.events],
            pacing=Pacing(self.pacing.timeout, self.pacing.poll_interval, fail_fast=0),
        )
        result = await follow_watch(watch, progress)
        if not result.ok or not self.previous:
            return result
        now = await self.gateways.ecs.service(svc.region, svc.cluster_arn, svc.name)
        if now.revision != self.previous:
            return VerifyResult(
                False, FAILED, f"steady on {now.revision}, not the previous {self.previous}", result.events
            )
        return VerifyResult(True, result.state, f"the previous {result.message}", result.events)


async def prepare_abort(
    gateways: Gateways, settings: Settings, service: Service, *, pacing: Pacing | None = None
) -> AbortOp:
    svc = await gateways.ecs.service(service.region, service.cluster_arn, service.name)
    rules = await service_guards(gateways.ecs, settings, svc)
    where = f"{svc.cluster_name}/{svc.name}"
    primary = svc.primary
    in_progress = primary is not None and primary.rollout_state == "IN_PROGRESS"
    previous = previous_of(svc)
    arn = ""
    if in_progress:
        try:
            records = await service_deployments(
                gateways.aws, gateways.budget, svc.region, svc.cluster_arn, svc.name, max_items=10
            )
        except Exception as exc:
            if is_missing_api(exc, page_means_missing=True):
                raise Refused(
                    f"this endpoint has no ECS service deployments (StopServiceDeployment): roll back with "
                    f"`opsconsole rollback {svc.cluster_name} {svc.name}`"
                ) from None
            raise Refused(
                f"{where}: the deployments could not be read ({describe_aws_error(exc)}); nothing was sent"
            ) from None
        arn = next((r.arn for r in records if r.status in IN_FLIGHT), "")
    assert primary is not None or not in_progress
    noop = ""
    if not in_progress:
        state = f"{primary.revision} {primary.rollout_state or 'steady'}" if primary else "no deployment"
        noop = f"no deployment in progress on {where} ({state}): nothing to abort"
    elif not arn:
        noop = f"ECS lists no service deployment in progress on {where}: nothing to stop"
    elif previous is None:
        raise Refused(
            f"{where}: {primary.revision if primary else '?'} is its first deployment: nothing to roll back to"
        )
    changes: list[Change] = []
    details: list[str] = []
    if primary is not None and in_progress:
        back = previous.revision if previous else "?"
        changes = [
            Change(
                "deployment",
                f"{primary.id} ({primary.revision}) IN_PROGRESS",
                f"stopped, rolled back to {back}",
            )
        ]
        details = [
            f"StopServiceDeployment {arn} (stopType ROLLBACK), account {account_of(svc.arn)}, {svc.region}",
            f"the previous deployment {previous.id if previous else '?'} of {back} runs "
            f"{previous.running if previous else 0} task(s) now; verify waits until it is steady",
        ]
    request = {"serviceDeploymentArn": arn, "stopType": "ROLLBACK"}
    plan = service_plan("abort", svc, rules, (changes, [], details), request, noop)
    return AbortOp(gateways, svc, plan, pacing or Pacing(), arn, previous.revision if previous else "")
