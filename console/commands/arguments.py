"""The arguments the commands share, each stated once: a command module adds only its own.

``add_command`` is one subcommand (its parser and the function it runs); the rest are the
groups several commands take alike (CLUSTER SERVICE, ``--json``, ``--container``, the
operation options of every change).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from console.ops.rollout import DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT

STOP_THEN_START = "stop-then-start (default for single-writer services)"


def add_command(
    sub: Any,
    name: str,
    common: argparse.ArgumentParser,
    func: Callable[..., Any],
    *parents: argparse.ArgumentParser,
    help: str,
    description: str | None = None,
    **defaults: Any,
) -> argparse.ArgumentParser:
    """A subcommand's parser: the global options, then ``parents``; set to run ``func``.

    ``defaults``: more of the command's defaults (e.g. ``needs_settings=False``).
    """
    parser: argparse.ArgumentParser = sub.add_parser(
        name, parents=[common, *parents], help=help, description=description
    )
    parser.set_defaults(func=func, **defaults)
    return parser


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


def cluster_arg(p: argparse.ArgumentParser, help: str | None = "cluster name or ARN") -> None:
    p.add_argument("cluster", metavar="CLUSTER", help=help)


def service_args(p: argparse.ArgumentParser) -> None:
    """CLUSTER SERVICE, the target of every service command (names or ARNs)."""
    cluster_arg(p)
    p.add_argument("service", metavar="SERVICE", help="service name or ARN")


def cluster_and_service(p: argparse.ArgumentParser, service_help: str) -> None:
    """CLUSTER [SERVICE]: a cluster, or one of its services."""
    cluster_arg(p)
    p.add_argument("service", metavar="SERVICE", nargs="?", help=service_help)


def json_flag(p: argparse.ArgumentParser, help: str = "JSON output") -> None:
    p.add_argument("--json", action="store_true", help=help)


def container_arg(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument("--container", metavar="NAME", help=help)


def stop_first_flag(p: argparse.ArgumentParser, help: str = STOP_THEN_START) -> None:
    p.add_argument("--stop-first", action="store_true", help=help)


def call_timeout(p: argparse.ArgumentParser) -> None:
    """``--timeout`` of the commands that ask AWS once per check (setup, doctor)."""
    p.add_argument("--timeout", type=float, default=8.0, metavar="SECONDS", help="per AWS call (default 8)")
