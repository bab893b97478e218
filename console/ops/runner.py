"""The one path every mutation takes: refuse in read-only mode, confirm, apply, audit, verify.

The guardrails are in the plan (console/ops/guards.py, read by every ``prepare_*``); the
one the runner holds itself is the protected service's typed name: a confirmation that
did not type it is refused here, whichever front end asked.  The audit gets a line when
the change is sent and, after verify, a second one with the outcome, tied by an id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from console.accounts import account_of
from console.aws.session import AwsContext
from console.aws.sts import caller_identity
from console.config import Settings
from console.errors import OpsError, Refused
from console.model import Queue
from console.ops import audit
from console.ops.plan import ApplyResult, Plan, ProgressCallback, VerifyResult

Apply = Callable[[Plan], Awaitable[ApplyResult]]
Verify = Callable[[Plan, ApplyResult, ProgressCallback], Awaitable[VerifyResult]]
# A confirmation: True/False, or the text a person typed (what a protected service's plan needs).
Confirm = Callable[[Plan], Awaitable[bool | str]]

CANCELLED = "cancelled: nothing was sent"
"""What a declined confirmation says, in the TUI's status line and on the CLI's output alike."""


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    confirmed: bool
    applied: ApplyResult | None = None
    verified: VerifyResult | None = None

    @property
    def ok(self) -> bool:
        if not self.confirmed or self.plan.is_noop:
            return True
        if self.applied is None or not self.applied.ok:
            return False
        return self.verified is None or self.verified.ok

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def refuse_if_read_only(settings: Settings, action: str, at: str | None = None) -> None:
    """Refused in read-only mode, or in an account the profile marks read-only (``at``: the place)."""
    if settings.read_only:
        raise Refused(f"read-only mode: '{action}' is a mutating action and is disabled")
    account = account_of(at)
    if account is not None and account.read_only:
        raise Refused(
            f"read-only account {account.label}: '{action}' is a mutating action and is disabled there"
        )


def refuse_peek_if_read_only(settings: Settings, queue: Queue) -> None:
    """A peek is a receive: it raises each message's receive count, and on a queue with a redrive
    policy that count is what moves a message to the DLQ. Read-only mode changes nothing, so it
    peeks only queues without one (a DLQ, typically)."""
    if settings.read_only_at(queue.region) and queue.dlq_arn:
        dlq = queue.dlq_arn.rsplit(":", 1)[-1]
        raise Refused(
            f"read-only: peek is disabled on {queue.name}: a peek raises each message's receive count"
            f" and can push messages to its DLQ {dlq} (peek {dlq} instead)"
        )


def confirmed(plan: Plan, answer: bool | str) -> bool:
    """Whether ``answer`` confirms ``plan``: a protected service's must be its name, typed."""
    if not plan.type_to_confirm:
        return bool(answer)
    if answer is False or answer == "":
        return False
    if answer is True:
        raise Refused(
            f"{plan.target}: rule {plan.type_reason}; this confirmation did not ask for it: nothing was sent"
        )
    if str(answer).strip() != plan.type_to_confirm:
        raise Refused(f"typed '{answer}', not '{plan.type_to_confirm}': nothing was sent")
    return True


async def execute(
    settings: Settings,
    plan: Plan,
    *,
    apply: Apply,
    confirm: Confirm,
    caller: Callable[[], Awaitable[str]],
    verify: Verify | None = None,
    on_progress: ProgressCallback | None = None,
) -> Outcome:
    refuse_if_read_only(settings, plan.action, plan.target.region)
    if plan.is_noop:
        return Outcome(plan, confirmed=False)
    if not confirmed(plan, await confirm(plan)):
        return Outcome(plan, confirmed=False)
    try:
        who = await caller()
    except Exception:  # the audit line still gets written, with what we know
        who = "unknown"
    try:
        applied = await apply(plan)
    except OpsError as exc:
        audit.record(plan, profile=settings.profile.name, caller=who, result="failed", message=str(exc))
        raise
    except Exception as exc:
        from console.errors import describe_aws_error

        message = describe_aws_error(exc, where=str(plan.target))
        audit.record(plan, profile=settings.profile.name, caller=who, result="failed", message=message)
        raise OpsError(message) from exc
    sent = audit.record(
        plan,
        profile=settings.profile.name,
        caller=who,
        result="applied" if applied.ok else "failed",
        message=applied.message,
        applied=applied.after,
    )
    if not applied.ok or verify is None:
        return Outcome(plan, confirmed=True, applied=applied)
    verified = await verify(plan, applied, on_progress or (lambda _p: None))
    audit.record_outcome(sent, verified)
    return Outcome(plan, confirmed=True, applied=applied, verified=verified)


class Operation(Protocol):
    """A prepared operation: its plan, and how to apply and verify it.

    ``apply`` gets the progress callback too: a stop-then-start deploy waits
    between its writes and reports while it does.
    """

    plan: Plan

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult: ...

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult: ...


async def run_operation(
    settings: Settings,
    op: Operation,
    *,
    confirm: Confirm,
    caller: Callable[[], Awaitable[str]],
    wait: bool = True,
    on_progress: ProgressCallback | None = None,
) -> Outcome:
    """:func:`execute` for an :class:`Operation`: the CLI and the TUI both call this."""
    progress: ProgressCallback = on_progress or (lambda _p: None)

    async def apply(plan: Plan) -> ApplyResult:
        return await op.apply(plan, progress)

    return await execute(
        settings,
        op.plan,
        apply=apply,
        confirm=confirm,
        caller=caller,
        verify=op.verify if wait else None,
        on_progress=progress,
    )


def caller_arn(aws: AwsContext, region: str) -> Callable[[], Awaitable[str]]:
    """The audit line's "who": the STS caller ARN, asked only once a plan is confirmed."""

    async def who() -> str:
        return (await caller_identity(aws, region)).arn or "unknown"

    return who
