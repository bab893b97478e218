"""``opsconsole COMMAND [OPTIONS]``: the command-line front of the console.

Subcommands live in ``console/commands/`` (one module per topic, each with a
``register(sub, common)``) so that the CLI grows without one file that every
feature edits.  Global options work before or after the command, as in the
aws CLI: they are defined on a parent parser with suppressed defaults and
given to every subparser.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import inspect
import os
import pkgutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from console import __version__
from console.config import DEMO, Settings, resolve_settings, split_regions
from console.endpoints import check_endpoint, demo_accounts, demo_info, demo_regions
from console.errors import OpsError, describe_aws_error


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("global options")
    sup = argparse.SUPPRESS
    group.add_argument("--profile", default=sup, help="opsconsole profile name (see `opsconsole profiles`)")
    group.add_argument(
        "--region", action="append", default=sup, help="region(s), repeatable or comma-separated"
    )
    group.add_argument("--endpoint-url", default=sup, help="AWS endpoint (LocalStack, moto, `demo serve`)")
    group.add_argument("--read-only", action="store_true", default=sup, help="refuse every mutating action")
    group.add_argument("--config", default=sup, help="a profile TOML file to use")
    group.add_argument(
        "--account", default=sup, metavar="NAME|ID", help="only this account of the profile's [[accounts]]"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="opsconsole",
        description="A terminal operations console for AWS ECS Fargate backends.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"opsconsole {__version__}")
    parser.add_argument(
        "--cluster",
        dest="open_cluster",
        metavar="NAME",
        help="open the console on this cluster's services (a name or ARN, in any region of the profile)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import console.commands as commands_pkg

    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"console.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub, common)
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The command line's settings; an endpoint that is a `demo serve` and no profile: the demo's.

    The demo profile is what the demo's systems are run with (and the demo's services carry
    their guardrails as tags, which every profile reads anyway).
    """
    regions = split_regions(getattr(args, "region", None))
    endpoint = getattr(args, "endpoint_url", None)
    profile_name = getattr(args, "profile", None)
    config_file = getattr(args, "config", None)
    if endpoint:
        check_endpoint(endpoint)
    info = demo_info(endpoint) if endpoint else {}
    discovered: tuple[str, ...] = demo_regions(endpoint, info) if endpoint else ()
    if discovered and not profile_name and not config_file:
        profile_name = DEMO
    return resolve_settings(
        profile_name=profile_name,
        config_file=config_file,
        regions=regions,
        endpoint_url=endpoint,
        read_only=bool(getattr(args, "read_only", False)),
        discovered_regions=discovered,
        discovered_accounts=demo_accounts(endpoint, info) if endpoint and discovered else None,
        account=getattr(args, "account", None),
    )


@contextlib.contextmanager
def embedded_demo(settings: Settings, why: str = "this command") -> Iterator[Settings]:
    """``--profile demo`` with no endpoint: the embedded AWS, started for ``why`` and stopped after."""
    if not settings.profile.is_demo or settings.endpoint_url:
        yield settings
        return
    from console.demo.runtime import start_demo

    print(
        f"demo profile: starting the embedded AWS for {why} (what it changes ends with it)", file=sys.stderr
    )
    runtime = start_demo(activity=False)
    try:
        yield replace(settings, endpoint_url=runtime.endpoint)
    finally:
        runtime.stop()


def run(args: argparse.Namespace) -> int:
    handler = args.func
    if not getattr(args, "needs_settings", True):
        return call(handler, args, None)
    settings = settings_from_args(args)
    from console.commands import _default

    if handler is _default.open_console:  # the console starts a live demo world of its own
        return call(handler, args, settings)
    with embedded_demo(settings) as settings:
        return call(handler, args, settings)


def call(handler: Any, args: argparse.Namespace, settings: Settings | None) -> int:
    result: Any
    if inspect.iscoroutinefunction(handler):
        result = asyncio.run(handler(args, settings))
    else:
        result = handler(args, settings)
    return int(result or 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        default = getattr(args, "default_func", None)
        from console.commands import _default

        args.func = default or _default.open_console
        if default is None and _default.wants_setup(args):
            args.func, args.needs_settings = _default.setup_then_open, False
    try:
        return run(args)
    except OpsError as exc:
        # Names in a message may be the user's own input or AWS's text: shown, never acted on.
        from console.literal import literal_text as inert

        print(f"opsconsole: error: {inert(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("opsconsole: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `opsconsole peek … | head`: the reader left; what it did not read is not an error.
        # stdout goes to /dev/null so the interpreter's last flush has nowhere to fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # as a process killed by SIGPIPE
    except Exception as exc:  # botocore/aiohttp errors: one line, not a traceback
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, (BotoCoreError, ClientError, OSError, asyncio.TimeoutError)):
            from console.literal import literal_text as inert

            print(f"opsconsole: error: {inert(describe_aws_error(exc))}", file=sys.stderr)
            return 1
        raise


def entrypoint() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entrypoint()
