"""The commands' one way to change something: plan printed, y/N (or ``--yes``), apply, verify.

Every operation of the CLI (scale, deploy, env set, redrive, …) goes through :func:`drive`
(console.ops.runner underneath), and every service operation through :func:`operate`: the
read-only refusal, the pacing, the service resolved and its plan read with "nothing was
changed" on a failure, then :func:`drive`.  A command module states only its own plan.
Exit codes: 0 done (and verified, with ``--wait``), 1 failed or timed out, 2 bad input,
refused, or cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Protocol

from console.aws.context import Gateways, open_gateways
from console.commands.output import out
from console.config import Settings
from console.errors import BadInput, OpsError, Refused, describe_aws_error
from console.model import Service
from console.ops.plan import Plan, Progress
from console.ops.resolve import resolve_service
from console.ops.rollout import Pacing
from console.ops.runner import Operation, caller_arn, refuse_if_read_only, run_operation

CANCELLED = 2

Prepare = Callable[[Gateways, Service], Awaitable[Operation]]
"""A command's own part: the operation's plan, read for the resolved service."""


def pacing_of(args: argparse.Namespace, settings: Settings | None = None) -> Pacing:
    """``--timeout``/``--poll-interval``, and the profile's ``fail_fast_stops``."""
    if args.timeout <= 0 or args.poll_interval <= 0:
        raise BadInput("--timeout and --poll-interval must be positive")
    pacing = Pacing(timeout=args.timeout, poll_interval=args.poll_interval)
    return replace(pacing, fail_fast=settings.profile.fail_fast_stops) if settings else pacing


def confirmer(yes: bool, confirm_name: str | None = None) -> Callable[[Plan], Awaitable[bool | str]]:
    """y/N on a terminal, ``--yes`` in scripts; a protected service's plan asks for its name typed
    (``--yes --confirm-name NAME`` in scripts).  The runner checks the name, not this."""

    async def confirm(plan: Plan) -> bool | str:
        name = plan.type_to_confirm
        if yes and not name:
            return True
        if yes and confirm_name is not None:
            return confirm_name
        terminal = bool(sys.stdin) and sys.stdin.isatty()
        if not terminal:
            if name:
                raise Refused(
                    f"{plan.target}: rule {plan.type_reason}: pass --yes --confirm-name {name}, "
                    "or confirm on a terminal"
                )
            raise Refused("no terminal to confirm on: pass --yes to apply without confirmation")
        if name:
            return await asyncio.to_thread(
                input, f"{plan.title}: type the service's name ({name}) to apply: "
            )
        answer = await asyncio.to_thread(input, f"{plan.action} {plan.target}? [y/N] ")
        return answer.strip().lower() in ("y", "yes")

    return confirm


class ProgressPrinter:
    """Prints a progress line when it changed, and every new service event (once)."""

    def __init__(self) -> None:
        self.last = ""
        self.shown: set[str] = set()

    def __call__(self, progress: Progress) -> None:
        line = progress.line()
        if line != self.last:
            out(line)
            self.last = line
        for event in progress.events:
            if event not in self.shown:
                self.shown.add(event)
                out(f"  event: {event}")


@contextlib.contextmanager
def before_any_change() -> Iterator[None]:
    """Errors while reading and planning: say that nothing was changed (it was not)."""
    try:
        yield
    except OpsError:
        raise
    except Exception as exc:
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, (BotoCoreError, ClientError, OSError, asyncio.TimeoutError)):
            raise OpsError(f"{describe_aws_error(exc)}; nothing was changed") from exc
        raise


def early_refusal(args: argparse.Namespace, settings: Settings, action: str) -> None:
    """Read-only mode refuses before anything is read: a dry run is still allowed (it changes nothing)."""
    if not getattr(args, "dry_run", False):
        refuse_if_read_only(settings, action)


async def drive(
    args: argparse.Namespace,
    settings: Settings,
    gw: Gateways,
    op: Operation,
    *,
    wait: bool | None = None,
    progress: Callable[[Progress], None] | None = None,
    say: Callable[[str], None] = out,
    service: bool = True,
) -> int:
    """The CLI's side of the one runner: the plan printed, y/N (or --yes), apply, verify, exit code.

    ``service``: a service operation (the rollout it did not wait for is named, a failed one's
    events and the triage findings are printed); the queue commands drive theirs with False.
    """
    plan = op.plan
    for line in plan.lines():
        say(line)
    if args.dry_run:
        say("dry run: nothing was sent")
        return 0
    if plan.is_noop:
        return 0
    printer = ProgressPrinter()
    outcome = await run_operation(
        settings,
        op,
        confirm=confirmer(args.yes, getattr(args, "confirm_name", None)),
        caller=caller_arn(gw.aws, plan.target.region),
        wait=args.wait if wait is None else wait,
        on_progress=progress or printer,
    )
    if not outcome.confirmed:
        say("cancelled: nothing was sent")
        return CANCELLED
    applied = outcome.applied
    assert applied is not None
    if applied.data.get("duplicates_possible"):
        say("warning: duplicates possible (a send's outcome was unknown or retried)")
    if not applied.ok:
        raise OpsError(f"{plan.title}: {applied.message}")
    say(f"applied: {applied.message}")
    verified = outcome.verified
    if verified is None:
        if service:
            say("not waiting for the rollout (use --wait to follow it)")
        return 0
    if verified.ok:
        say(f"done: {verified.message}")
        return 0
    if not service:
        raise OpsError(f"{plan.title}: {verified.state}: {verified.message}")
    unseen = [e for e in verified.events if e not in printer.shown]  # printed as they came, not twice
    if unseen:
        say("service events since the change:")
        for event in unseen:
            say(f"  {event}")
    from console.commands.why import explain_failure  # triage (issue 17): the findings, right here

    await explain_failure(settings, gw, plan.target)
    raise OpsError(f"{plan.title}: {verified.state}: {verified.message}", exit_code=1)


async def service_of(gw: Gateways, settings: Settings, args: argparse.Namespace) -> Service:
    """CLUSTER SERVICE of the command line, resolved in the profile's regions."""
    return await resolve_service(gw.ecs, settings.regions, args.cluster, args.service)


async def on_service(
    args: argparse.Namespace, settings: Settings, prepare: Prepare, *, wait: bool | None = None
) -> int:
    """The service resolved and its operation prepared (a failure there changed nothing), then driven."""
    async with open_gateways(settings) as gw:
        with before_any_change():
            op = await prepare(gw, await service_of(gw, settings, args))
        return await drive(args, settings, gw, op, wait=wait)


class PrepareWith(Protocol):
    """A service operation's own part, called as ``prepare_abort`` is: its plan, read for the service."""

    def __call__(
        self, gw: Gateways, settings: Settings, service: Service, /, *, pacing: Pacing
    ) -> Awaitable[Operation]: ...


async def operate(
    args: argparse.Namespace, settings: Settings | None, action: str, prepare: PrepareWith
) -> int:
    """A service operation from start to end: refused in read-only mode, paced by the options."""
    assert settings is not None  # a command that needs settings is always given them (console.cli)
    early_refusal(args, settings, action)
    pacing = pacing_of(args, settings)
    return await on_service(args, settings, lambda gw, service: prepare(gw, settings, service, pacing=pacing))
