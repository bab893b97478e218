"""``opsconsole scale|redeploy|rollback|stop-task|audit``: the operations, from a shell.

Every command prints its plan, asks y/N on a terminal (``--yes`` skips it; no
terminal and no ``--yes`` is a refusal, so a script never hangs on a prompt),
applies, and with ``--wait`` follows the rollout, printing a line per change.
Exit codes: 0 done (and verified, with ``--wait``), 1 failed or timed out,
2 bad input, refused, or cancelled.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import fields
from typing import Any

from console.aws.context import Gateways, open_gateways
from console.commands.arguments import (
    add_command,
    cluster_arg,
    json_flag,
    op_options,
    service_args,
    stop_first_flag,
)
from console.commands.flow import (
    before_any_change,
    drive,
    early_refusal,
    on_service,
    operate,
    out,
    pacing_of,
    service_of,
)
from console.config import Settings
from console.errors import BadInput
from console.literal import literal_text as inert
from console.ops import audit
from console.ops.redeploy import prepare_redeploy
from console.ops.resolve import resolve_task
from console.ops.rollback import prepare_rollback, revision_choices
from console.ops.rollout import breaker_notes
from console.ops.scale import prepare_scale
from console.ops.set_guards import GuardChange, prepare_guard
from console.ops.stoptask import prepare_stop_task


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    ops = op_options()

    p = add_command(
        sub,
        "scale",
        common,
        run_scale,
        ops,
        help="set a service's desired count",
        description="Set desiredCount (and only desiredCount), within the profile's bounds.",
    )
    service_args(p)
    p.add_argument("count", metavar="N", help="the new desired count (a whole number)")

    p = add_command(
        sub,
        "redeploy",
        common,
        run_redeploy,
        ops,
        help="force a new deployment",
        description="Force a new deployment of the service's current revision.",
    )
    service_args(p)
    stop_first_flag(
        p, "scale to 0, wait until no task runs, deploy, scale back (default for single-writer services)"
    )

    p = add_command(
        sub,
        "rollback",
        common,
        run_rollback,
        ops,
        help="deploy an earlier revision",
        description="Deploy another revision (default: the previous ACTIVE one). Never deregisters.",
    )
    service_args(p)
    p.add_argument("--to", metavar="REV", help="revision number, family:revision or task-definition ARN")
    p.add_argument("--list", action="store_true", help="list the revisions to choose from, with their diffs")
    stop_first_flag(p)

    p = add_command(
        sub,
        "stop-task",
        common,
        run_stop_task,
        ops,
        help="stop one task, with a reason",
        description="Stop a task; the reason is recorded in ECS and in the audit log.",
    )
    cluster_arg(p, help=None)
    p.add_argument("task", metavar="TASK", help="task ARN, id or unique id prefix")
    p.add_argument("--reason", required=True, help="why (recorded as the task's stoppedReason)")

    p = add_command(
        sub,
        "guard",
        common,
        run_guard,
        ops,
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

    p = add_command(
        sub,
        "audit",
        common,
        run_audit,
        help="show the audit log of applied operations",
        description=f"The local audit log ({audit.audit_path()}).",
        needs_settings=False,
    )
    json_flag(p, "a JSON array of the entries")
    p.add_argument("-n", type=int, default=20, metavar="N", help="the last N entries (default 20; 0: all)")


# --- commands ------------------------------------------------------------------------------


def whole_count(text: str) -> int:
    """The N of ``scale``: a whole number, said so in one line (not argparse's usage and "invalid int")."""
    stripped = text.strip()
    if not stripped.isdigit():
        shown = inert(stripped[:20]) + ("…" if len(stripped) > 20 else "")
        raise BadInput(f"scale: N must be a whole number of tasks (0 or more), not '{shown}'")
    return int(stripped)


async def run_scale(args: argparse.Namespace, settings: Settings | None) -> int:
    count = whole_count(args.count)
    return await operate(
        args,
        settings,
        "scale",
        lambda gw, settings, service, pacing: prepare_scale(gw.ecs, settings, service, count, pacing=pacing),
    )


async def run_redeploy(args: argparse.Namespace, settings: Settings | None) -> int:
    return await operate(
        args,
        settings,
        "redeploy",
        lambda gw, settings, service, pacing: prepare_redeploy(
            gw.ecs, settings, service, stop_first=args.stop_first, pacing=pacing
        ),
    )


async def run_rollback(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    if not args.list:
        early_refusal(args, settings, "rollback")
    pacing = pacing_of(args, settings)
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await service_of(gw, settings, args)
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
    pacing = pacing_of(args, settings)
    async with open_gateways(settings) as gw:
        with before_any_change():
            task = await resolve_task(gw.ecs, settings.regions, args.cluster, args.task)
            op = await prepare_stop_task(gw.ecs, settings, task, args.reason, pacing=pacing)
        return await drive(args, settings, gw, op)


async def run_guard(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "guard")
    # The flags' dests are the change's fields (register names them so).
    change = GuardChange(**{f.name: getattr(args, f.name) for f in fields(GuardChange)})
    return await on_service(
        args,
        settings,
        lambda gw, service: prepare_guard(gw.ecs, settings, service, change),
        wait=True,  # verify reads the tags back
    )


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
