"""The runner's guarantees, with plain apply/verify functions: read-only refusal, confirmation, audit."""

from __future__ import annotations

from dataclasses import replace

import pytest
from botocore.exceptions import ClientError

from console.config import Profile, Settings
from console.errors import OpsError, Refused
from console.ops import audit
from console.ops.plan import ApplyResult, Change, OpTarget, Plan, Progress, ProgressCallback, VerifyResult
from console.ops.runner import execute, run_operation

PLAN = Plan(
    action="scale",
    target=OpTarget(region="us-east-2", kind="service", name="svc", cluster="c"),
    changes=(Change("desiredCount", 1, 2),),
    request={"desiredCount": 2},
)


def settings(read_only: bool = False) -> Settings:
    return Settings(profile=Profile(name="p"), regions=("us-east-2",), endpoint_url=None, read_only=read_only)


async def who() -> str:
    return "arn:aws:iam::1:user/me"


class FakeOp:
    """An Operation whose apply/verify only record that they ran."""

    def __init__(self, plan: Plan = PLAN, *, fail_with: Exception | None = None) -> None:
        self.plan = plan
        self.applied = 0
        self.verified = 0
        self.fail_with = fail_with

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        self.applied += 1
        if self.fail_with:
            raise self.fail_with
        progress(Progress(1, 2, "APPLYING"))
        return ApplyResult(True, "set", after={"desiredCount": 2})

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        self.verified += 1
        progress(Progress(2, 2, "COMPLETED"))
        return VerifyResult(True, "COMPLETED", "steady")


async def yes(_plan: Plan) -> bool:
    return True


async def no(_plan: Plan) -> bool:
    return False


@pytest.mark.parametrize("action", ["scale", "redeploy", "redeploy-stop-first", "rollback", "stop-task"])
async def test_read_only_refuses_before_confirming_or_applying(action: str) -> None:
    op = FakeOp(replace(PLAN, action=action))
    asked: list[Plan] = []

    async def confirm(plan: Plan) -> bool:
        asked.append(plan)
        return True

    with pytest.raises(Refused, match="read-only") as info:
        await run_operation(settings(read_only=True), op, confirm=confirm, caller=who)
    assert info.value.exit_code == 2
    assert (op.applied, asked) == (0, [])
    assert list(audit.entries()) == []


async def test_declined_plan_is_not_applied() -> None:
    op = FakeOp()
    outcome = await run_operation(settings(), op, confirm=no, caller=who)
    assert not outcome.confirmed and op.applied == 0
    assert list(audit.entries()) == []


async def test_applied_and_verified_with_progress_and_an_outcome_line() -> None:
    op = FakeOp()
    seen: list[str] = []
    outcome = await run_operation(
        settings(), op, confirm=yes, caller=who, on_progress=lambda p: seen.append(p.state)
    )
    assert outcome.ok and outcome.exit_code == 0
    assert seen == ["APPLYING", "COMPLETED"]
    entry, verified = list(audit.entries())
    assert entry["caller"] == "arn:aws:iam::1:user/me"
    assert (entry["before"], entry["after"], entry["result"]) == (
        {"desiredCount": 1},
        {"desiredCount": 2},
        "applied",
    )
    assert entry["id"] and verified["outcome_of"] == entry["id"]
    assert (verified["result"], verified["message"], verified["target"]) == (
        "completed",
        "steady",
        entry["target"],
    )


class BreakerOp(FakeOp):
    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        return VerifyResult(
            False, "FAILED", "deployment d2 failed: tasks failed; circuit breaker rolled back to x:4"
        )


async def test_a_rollout_the_circuit_breaker_rolled_back_is_audited_as_such() -> None:
    outcome = await run_operation(settings(), BreakerOp(), confirm=yes, caller=who)
    assert not outcome.ok
    first, second = list(audit.entries())
    assert first["result"] == "applied"
    assert second["result"] == "rolled back by the circuit breaker" and second["outcome_of"] == first["id"]


async def test_the_audit_records_what_aws_answered_instead_of_the_placeholder() -> None:
    plan = replace(PLAN, changes=(Change("taskDefinition", "fam:3", "fam:(new revision)"),))

    class Registers(FakeOp):
        async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
            return ApplyResult(True, "registered", after={"taskDefinition": "fam:4", "desiredCount": 1})

    await run_operation(settings(), Registers(plan), confirm=yes, caller=who, wait=False)
    [entry] = list(audit.entries())
    assert entry["after"] == {"taskDefinition": "fam:4"}


PROTECTED = replace(PLAN, type_to_confirm="svc", type_reason="protected (service tag opsconsole:protected)")


async def test_a_protected_plan_needs_the_name_typed_whatever_the_front_end() -> None:
    op = FakeOp(PROTECTED)
    with pytest.raises(Refused, match=r"protected \(service tag opsconsole:protected\).*did not ask"):
        await run_operation(settings(), op, confirm=yes, caller=who)

    async def typo(_plan: Plan) -> str:
        return "svd"

    with pytest.raises(Refused, match="typed 'svd', not 'svc': nothing was sent"):
        await run_operation(settings(), op, confirm=typo, caller=who)
    assert op.applied == 0 and list(audit.entries()) == []

    async def typed(_plan: Plan) -> str:
        return "svc"

    assert (await run_operation(settings(), op, confirm=typed, caller=who)).ok and op.applied == 1


async def test_without_wait_nothing_is_verified() -> None:
    op = FakeOp()
    outcome = await run_operation(settings(), op, confirm=yes, caller=who, wait=False)
    assert outcome.ok and outcome.verified is None and op.verified == 0


async def test_a_failed_apply_is_audited_and_reported_in_one_line() -> None:
    error = ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "UpdateService"
    )
    op = FakeOp(fail_with=error)

    async def broken_sts() -> str:
        raise RuntimeError("sts down")

    with pytest.raises(OpsError) as info:
        await run_operation(settings(), op, confirm=yes, caller=broken_sts)
    assert "throttled by AWS during UpdateService" in str(info.value)
    [entry] = list(audit.entries())
    assert entry["result"] == "failed" and entry["caller"] == "unknown"
    assert "Rate exceeded" in entry["message"]


async def test_noop_plan_is_neither_confirmed_nor_applied() -> None:
    op = FakeOp(replace(PLAN, noop_reason="already 2"))
    outcome = await execute(settings(), op.plan, apply=lambda p: op.apply(p, print), confirm=no, caller=who)
    assert outcome.ok and not outcome.confirmed and op.applied == 0
