"""``opsconsole scale|redeploy|rollback|stop-task|audit``: the operations, from a shell.

Every command prints its plan, asks y/N on a terminal (``--yes`` skips it; no
terminal and no ``--yes`` is a refusal, so a script never hangs on a prompt),
applies, and with ``--wait`` follows the rollout, printing a line per change.
Exit codes: 0 done (and verified, with ``--wait``), 1 failed or timed out,
2 bad input, refused, or cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from console.aws.context import Gateways, open_gateways
from console.config import Settings
from console.errors import BadInput, OpsError, Refused, describe_aws_error
from console.literal import literal_text as inert
from console.ops import audit
from console.ops.plan import Plan, Progress
from console.ops.redeploy import prepare_redeploy
from console.ops.resolve import resolve_service, resolve_task
from console.ops.rollback import prepare_rollback, revision_choices
from console.ops.rollout import DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT, Pacing, breaker_notes
from console.ops.runner import Operation, caller_arn, refuse_if_read_only, run_operation
from console.ops.scale import prepare_scale
from console.ops.set_guards import GuardChange, prepare_guard
from console.ops.stoptask import prepare_stop_task

CANCELLED = 2


def op_options() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("operation options")
    group.add_argument("-y", "--yes", action="store_true", help="apply without asking (for scripts)")
    group.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    group.add_argument(
        "--confirm-name",
        metavar="NAME",
        help="with --yes: the service's name, which a protected service (opsconsole:protected) asks for",
    )
    group.add_argument(
        "--wait", action="store_true", help="follow the rollout until steady, failed or --timeout"
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to follow (default {DEFAULT_TIMEOUT:g})",
    )
    group.add_argument(
        "--poll-interval",
        type=float,
        default=DEFAULT_POLL_INTERVAL,
        help=f"seconds between polls while waiting (default {DEFAULT_POLL_INTERVAL:g})",
    )
    return parser


def service_args(p: argparse.ArgumentParser) -> None:
    """CLUSTER SERVICE, the target of every service command (names or ARNs)."""
    p.add_argument("cluster", metavar="CLUSTER", help="cluster name or ARN")
    p.add_argument("service", metavar="SERVICE", help="service name or ARN")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    ops = op_options()
    parents = [common, ops]

    p = sub.add_parser(
        "scale",
        parents=parents,
        help="set a service's desired count",
        description="Set desiredCount (and only desiredCount), within the profile's bounds.",
    )
    service_args(p)
    p.add_argument("count", metavar="N", help="the new desired count (a whole number)")
    p.set_defaults(func=run_scale)

    p = sub.add_parser(
        "redeploy",
        parents=parents,
        help="force a new deployment",
        description="Force a new deployment of the service's current revision.",
    )
    service_args(p)
    p.add_argument(
        "--stop-first",
        action="store_true",
        help="scale to 0, wait until no task runs, deploy, scale back (default for single-writer services)",
    )
    p.set_defaults(func=run_redeploy)

    p = sub.add_parser(
        "rollback",
        parents=parents,
        help="deploy an earlier revision",
        description="Deploy another revision (default: the previous ACTIVE one). Never deregisters.",
    )
    service_args(p)
    p.add_argument("--to", metavar="REV", help="revision number, family:revision or task-definition ARN")
    p.add_argument("--list", action="store_true", help="list the revisions to choose from, with their diffs")
    p.add_argument(
        "--stop-first", action="store_true", help="stop-then-start (default for single-writer services)"
    )
    p.set_defaults(func=run_rollback)

    p = sub.add_parser(
        "stop-task",
        parents=parents,
        help="stop one task, with a reason",
        description="Stop a task; the reason is recorded in ECS and in the audit log.",
    )
    p.add_argument("cluster", metavar="CLUSTER")
    p.add_argument("task", metavar="TASK", help="task ARN, id or unique id prefix")
    p.add_argument("--reason", required=True, help="why (recorded as the task's stoppedReason)")
    p.set_defaults(func=run_stop_task)

    p = sub.add_parser(
        "guard",
        parents=parents,
        help="set a service's guardrails (tags on the service)",
        description=(
            "Set the rules every profile, the console and the CLI apply to the service, as tags on it: "
            "opsconsole:single-writer, opsconsole:min-count, opsconsole:max-count, opsconsole:protected."
        ),
    )
    service_args(p)
    for flag, what in (
        ("single-writer", "never more than one task; deploys stop-then-start"),
        ("protected", "every change of the service asks for its name to be typed"),
    ):
        p.add_argument(f"--{flag}", action=argparse.BooleanOptionalAction, default=None, help=what)
    for bound, what in (("min", "lowest"), ("max", "highest")):
        group = p.add_mutually_exclusive_group()
        group.add_argument(
            f"--{bound}", dest=f"{bound}_count", type=int, metavar="N", help=f"the {what} count"
        )
        group.add_argument(f"--no-{bound}", action="store_true", help=f"remove the {what} count")
    p.set_defaults(func=run_guard)

    p = sub.add_parser(
        "audit",
        parents=[common],
        help="show the audit log of applied operations",
        description=f"The local audit log ({audit.audit_path()}).",
    )
    p.add_argument("--json", action="store_true", help="a JSON array of the entries")
    p.add_argument("-n", type=int, default=20, metavar="N", help="the last N entries (default 20; 0: all)")
    p.set_defaults(func=run_audit, needs_settings=False)


# --- shared flow ---------------------------------------------------------------------------


def pacing_of(args: argparse.Namespace) -> Pacing:
    if args.timeout <= 0 or args.poll_interval <= 0:
        raise BadInput("--timeout and --poll-interval must be positive")
    return Pacing(timeout=args.timeout, poll_interval=args.poll_interval)


def out(text: str = "") -> None:
    print(inert(text), flush=True)


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


# --- commands ------------------------------------------------------------------------------


def whole_count(text: str) -> int:
    """The N of ``scale``: a whole number, said so in one line (not argparse's usage and "invalid int")."""
    stripped = text.strip()
    if not stripped.isdigit():
        shown = inert(stripped[:20]) + ("…" if len(stripped) > 20 else "")
        raise BadInput(f"scale: N must be a whole number of tasks (0 or more), not '{shown}'")
    return int(stripped)


async def run_scale(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    count = whole_count(args.count)
    early_refusal(args, settings, "scale")
    pacing = pacing_of(args)
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await resolve_service(gw.ecs, settings.regions, args.cluster, args.service)
            op = await prepare_scale(gw.ecs, settings, service, count, pacing=pacing)
        return await drive(args, settings, gw, op)


async def run_redeploy(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "redeploy")
    pacing = pacing_of(args)
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await resolve_service(gw.ecs, settings.regions, args.cluster, args.service)
            op = await prepare_redeploy(gw.ecs, settings, service, stop_first=args.stop_first, pacing=pacing)
        return await drive(args, settings, gw, op)


async def run_rollback(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    if not args.list:
        early_refusal(args, settings, "rollback")
    pacing = pacing_of(args)
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await resolve_service(gw.ecs, settings.regions, args.cluster, args.service)
            if args.list:
                return await list_revisions(gw, service)
            op = await prepare_rollback(
                gw.ecs, settings, service, to=args.to, stop_first=args.stop_first, pacing=pacing
            )
        return await drive(args, settings, gw, op)


async def list_revisions(gw: Gateways, service: Any) -> int:
    choices = await revision_choices(gw.ecs, service)
    out(f"revisions of {service.cluster_name}/{service.name} ({service.region}); * running, > default")
    for choice in choices:
        out(choice.line())
        if not choice.current and not choice.diff.empty:
            for line in choice.diff.lines()[1:]:
                out(f"    {line.strip()}")
    notes = breaker_notes(service)
    if notes:
        out("AWS's circuit breaker acted on this service:")
        for note in notes:
            out(f"  {note}")
    return 0


async def run_stop_task(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "stop-task")
    if not args.reason.strip():
        raise BadInput("--reason must not be empty")
    pacing = pacing_of(args)
    async with open_gateways(settings) as gw:
        with before_any_change():
            task = await resolve_task(gw.ecs, settings.regions, args.cluster, args.task)
            op = await prepare_stop_task(gw.ecs, settings, task, args.reason, pacing=pacing)
        return await drive(args, settings, gw, op)


async def run_guard(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "guard")
    change = GuardChange(
        single_writer=args.single_writer,
        min_count=args.min_count,
        max_count=args.max_count,
        protected=args.protected,
        no_min=args.no_min,
        no_max=args.no_max,
    )
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await resolve_service(gw.ecs, settings.regions, args.cluster, args.service)
            op = await prepare_guard(gw.ecs, settings, service, change)
        return await drive(args, settings, gw, op, wait=True)  # verify reads the tags back


def audit_line(entry: dict[str, Any]) -> str:
    """One entry as a line; an outcome line names the change it ends (``#id``)."""
    head = f"{entry.get('time', '?')}  {entry.get('result', '?'):<8} {entry.get('action', '?'):<20} "
    if entry.get("outcome_of"):
        line = f"{head}{entry.get('target', '?')}  outcome of #{entry['outcome_of']}"
    else:
        before = entry.get("before") or {}
        after = entry.get("after") or {}
        changes = ", ".join(
            f"{k} {json.dumps(before.get(k), default=str)} -> {json.dumps(after.get(k), default=str)}"
            for k in dict.fromkeys([*before, *after])
        )
        line = (
            f"{head}{entry.get('target', '?')}  {changes}  "
            f"by {entry.get('caller', '?')} (profile {entry.get('profile', '?')})"
        )
        if entry.get("id"):
            line += f"  #{entry['id']}"
    if entry.get("message"):
        line += f"  : {entry['message']}"
    return line


def run_audit(args: argparse.Namespace, settings: Settings | None) -> int:
    if args.n < 0:
        raise BadInput("-n must be 0 or more")
    entries = list(audit.entries())
    if args.n:
        entries = entries[-args.n :]
    if args.json:
        print(json.dumps(entries, indent=2, default=str, ensure_ascii=False))
        return 0
    if not entries:
        out(f"no audit entries in {audit.audit_path()}")
        return 0
    for entry in entries:
        out(audit_line(entry))
    return 0
