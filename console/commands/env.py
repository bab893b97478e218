"""``opsconsole env sync|show|diff|set|unset|export``: a service's environment from a shell.

What ``sync-env-to-ecs.sh ../backend/.env`` and ``update-ecs-config.sh KEY=value``
did, with a diff first and one deployment after: the writes go through the
same plan → confirm → apply → audit → verify as every operation (see
``console/commands/ops.py`` for ``--yes``, ``--dry-run``, ``--wait`` and the
exit codes).  A ``.env`` file is read strictly before anything is asked of
AWS, so a malformed line changes nothing.  ``export`` is the one command that
prints real values: that is what it is asked for.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console.aws.context import open_gateways
from console.commands.arguments import add_command, container_arg, op_options, service_args, stop_first_flag
from console.commands.flow import drive, early_refusal, out, pacing_of, service_of
from console.config import Settings
from console.env.dotenv import format_dotenv, read_dotenv
from console.env.envdiff import shown_value
from console.errors import BadInput
from console.literal import literal_text as inert
from console.model import Service, TaskDefinition
from console.ops.envsync import (
    EditOf,
    check_names,
    choose_container,
    container_view,
    container_views,
    current_task_definition,
    export_items,
    parse_assignments,
    prepare_env_change,
    prepare_env_sync,
    setting,
    syncing,
    unsetting,
)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    env = sub.add_parser(
        "env",
        parents=[common],
        help="show, diff, sync, set or unset a service's environment variables",
        description="A service's container environment: shown masked, changed with a diff, one deployment.",
    )
    env_sub = env.add_subparsers(dest="env_command", metavar="ACTION", required=True)
    ops = op_options()

    def container(p: argparse.ArgumentParser, what: str) -> None:
        container_arg(p, f"the container {what} (default: the profile's, or the only one)")

    def stop_first(p: argparse.ArgumentParser) -> None:
        stop_first_flag(p, "stop-then-start deploy (always for single-writer services)")

    def env_file(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", metavar="FILE", nargs="?", help=".env file (default: the profile's env_file)")

    p = add_command(
        env_sub,
        "sync",
        common,
        run_sync,
        ops,
        help="push a .env file into the task definition",
        description=(
            "Merge a .env file into the container's environment (--prune also removes variables the "
            "file lacks), register one new revision and deploy it. FILE defaults to the profile's "
            "env_file for the service."
        ),
    )
    service_args(p)
    env_file(p)
    container(p, "to change")
    p.add_argument("--prune", action="store_true", help="also remove variables that the file lacks")
    p.add_argument(
        "--allow-secret-override",
        action="store_true",
        help="let the file replace a secret (valueFrom) by a plain value (default: warn and skip)",
    )
    p.add_argument("--expand", action="store_true", help="expand ${VAR} references (off by default)")
    stop_first(p)

    p = add_command(
        env_sub,
        "show",
        common,
        run_show,
        help="list the environment of the service's containers",
        description=(
            "Plain variables (masked when secret-looking), secrets by name and valueFrom, environmentFiles."
        ),
    )
    service_args(p)
    container(p, "to show")
    reveal_flag(p)

    p = add_command(
        env_sub,
        "diff",
        common,
        run_diff,
        help="what syncing a .env file would change",
        description="The changes `env sync` would make, without making them.",
    )
    service_args(p)
    env_file(p)
    container(p, "to compare")
    p.add_argument("--prune", action="store_true", help="count variables that the file lacks as removed")
    p.add_argument("--allow-secret-override", action="store_true", help="as for sync")
    p.add_argument("--expand", action="store_true", help="expand ${VAR} references")
    reveal_flag(p)

    p = add_command(
        env_sub,
        "set",
        common,
        run_set,
        ops,
        help="set variables (KEY=VALUE …)",
        description="Set one or more variables, register one new revision and deploy it.",
    )
    service_args(p)
    p.add_argument("assignments", metavar="KEY=VALUE", nargs="+")
    container(p, "to change")
    p.add_argument(
        "--allow-secret-override", action="store_true", help="replace a secret (valueFrom) by a plain value"
    )
    stop_first(p)

    p = add_command(
        env_sub,
        "unset",
        common,
        run_unset,
        ops,
        help="remove variables (KEY …)",
        description="Remove one or more plain variables, register one new revision and deploy it.",
    )
    service_args(p)
    p.add_argument("names", metavar="KEY", nargs="+")
    container(p, "to change")
    stop_first(p)

    p = add_command(
        env_sub,
        "export",
        common,
        run_export,
        help="print the container's variables as a .env file",
        description=(
            "Print the plain variables as a .env file (real values: redirect it to a file). Secrets "
            "(valueFrom) are listed in a comment, never as values. Syncing the output back changes nothing."
        ),
    )
    service_args(p)
    container(p, "to export")


def reveal_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reveal", action="store_true", help="show secret-looking values too")


# --- helpers -------------------------------------------------------------------------------------


def env_file_of(args: argparse.Namespace, settings: Settings) -> Path:
    if args.file:
        return Path(args.file).expanduser()
    rules = settings.rules_for(args.cluster, args.service)
    if not rules.env_file:
        raise BadInput(
            f"no FILE given and the profile '{settings.profile.name}' maps no env_file to "
            f"{args.cluster}/{args.service}"
        )
    return Path(rules.env_file).expanduser()


def read_file_vars(args: argparse.Namespace, settings: Settings) -> tuple[Path, dict[str, str]]:
    path = env_file_of(args, settings)
    return path, read_dotenv(path, expand=args.expand)


def stderr(text: str) -> None:
    print(f"opsconsole: {inert(text)}", file=sys.stderr, flush=True)


# --- writes ---------------------------------------------------------------------------------------


async def run_sync(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "env-sync")
    path, file_vars = read_file_vars(args, settings)  # before any AWS call: a bad file changes nothing
    change = syncing(file_vars, prune=args.prune, allow_secret_override=args.allow_secret_override)
    described = f"{path} ({len(file_vars)} variables{', pruning' if args.prune else ''})"
    return await run_change(args, settings, "env-sync", change, source=described)


async def run_set(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "env-set")
    change = setting(parse_assignments(args.assignments), allow_secret_override=args.allow_secret_override)
    return await run_change(args, settings, "env-set", change)


async def run_unset(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "env-unset")
    check_names(args.names)
    return await run_change(args, settings, "env-unset", unsetting(args.names))


async def run_change(
    args: argparse.Namespace, settings: Settings, action: str, change: EditOf, *, source: str = ""
) -> int:
    """The writes' one flow: the service, its plan (guards read), then plan → confirm → apply → verify."""
    pacing = pacing_of(args, settings)
    async with open_gateways(settings) as gw:
        service = await service_of(gw, settings, args)
        op = await prepare_env_change(
            gw.ecs,
            settings,
            service,
            change,
            action=action,
            container=args.container,
            stop_first=args.stop_first,
            pacing=pacing,
            source=source,
        )
        return await drive(args, settings, gw, op)


# --- reads ----------------------------------------------------------------------------------------


async def run_diff(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    path, file_vars = read_file_vars(args, settings)
    async with open_gateways(settings) as gw:
        service = await service_of(gw, settings, args)
        op = await prepare_env_sync(
            gw.ecs,
            settings,
            service,
            file_vars,
            container=args.container,
            prune=args.prune,
            allow_secret_override=args.allow_secret_override,
            source=str(path),
        )
    for line in op.plan.lines(reveal=args.reveal):
        out(line)
    if args.reveal:
        edit = op.edits[0]
        out(f"{edit.container} (revealed):")
        for line in edit.diff.render_lines(reveal=True):
            out(f"  {line}")
    return 0


async def run_show(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    async with open_gateways(settings) as gw:
        service = await service_of(gw, settings, args)
        td = await current_task_definition(gw.ecs, service)
    if args.container:
        rules = settings.rules_for(service.cluster_name, service.name)
        views = [container_view(td, choose_container(td, args.container, rules))]
    else:
        views = container_views(td)
    out(f"{service.cluster_name}/{service.name} {td.family_revision} ({service.region})")
    for view in views:
        out(f"container {view.name}: {len(view.environment)} variables, {len(view.secrets)} secrets")
        width = max((len(n) for n, _ in (*view.environment, *view.secrets)), default=0)
        for name, value in view.environment:
            # Whole values: a terminal wraps what a table cell would cut.
            out(f"  {name:<{width}}  {shown_value([name], value, reveal=args.reveal, max_len=None)}")
        if view.secrets:
            out("  secrets (valueFrom):")
            for name, value_from in view.secrets:
                out(f"  {name:<{width}}  {value_from}")
        if view.environment_files:
            out("  environmentFiles:")
            for kind, value in view.environment_files:
                out(f"  {kind}  {value}")
    if not args.reveal:
        out("(secret-looking values masked; --reveal shows them)")
    return 0


async def run_export(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    async with open_gateways(settings) as gw:
        service = await service_of(gw, settings, args)
        td = await current_task_definition(gw.ecs, service)
    rules = settings.rules_for(service.cluster_name, service.name)
    name = choose_container(td, args.container, rules)
    text = export_text(service, td, name)
    if sys.stdout.isatty():
        stderr("warning: printing real values, secrets included, to a terminal; redirect to a file (> .env)")
        # Shown, not stored: control characters a value may hold must not act on the terminal.
        text = "".join(inert(line) + "\n" for line in text.splitlines())
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def export_text(service: Service, td: TaskDefinition, container: str) -> str:
    view = container_view(td, container)
    where = f"{service.cluster_name}/{service.name} {td.family_revision} ({service.region})"
    header = [f"exported by opsconsole from {where}, container {container}"]
    if view.secrets:
        header.append("secrets (valueFrom), not exported: " + ", ".join(n for n, _ in view.secrets))
    return format_dotenv(export_items(td, container), header="\n".join(header))
