"""``opsconsole setup``, ``opsconsole profiles`` and ``opsconsole doctor``: getting to a working profile."""

from __future__ import annotations

import argparse
import asyncio
import sys

from console.commands.arguments import add_command, call_timeout
from console.config import Settings, list_profiles, load_profile_file, split_regions
from console.errors import OpsError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    setup = add_command(
        sub,
        "setup",
        common,
        run_setup_command,
        help="create or edit a profile (guided)",
        description=(
            "Guided setup of a profile: AWS profile (or the demo, or an endpoint), credentials check, "
            "regions, what to watch, .env files, read-only. `--profile NAME` edits that profile. "
            "With --non-interactive the flags give the answers (unnamed lists = watch all)."
        ),
        needs_settings=False,
    )
    setup.add_argument(
        "--non-interactive", action="store_true", help="ask nothing: build the profile from flags"
    )
    setup.add_argument("--name", help="the profile's name (default: --profile, else the AWS profile's name)")
    source = setup.add_mutually_exclusive_group()
    source.add_argument("--aws-profile", help="the AWS profile to use (from ~/.aws/config or credentials)")
    source.add_argument("--demo", action="store_true", help="the embedded AWS, no account needed")
    setup.add_argument("--cluster", action="append", default=[], help="a cluster to watch (repeatable)")
    setup.add_argument("--service", action="append", default=[], help="CLUSTER/SERVICE to watch (repeatable)")
    setup.add_argument("--queue", action="append", default=[], help="a queue name to watch (repeatable)")
    setup.add_argument("--log-group", action="append", default=[], help="a log group to watch (repeatable)")
    setup.add_argument(
        "--env-file",
        action="append",
        default=[],
        metavar="CLUSTER/SERVICE=PATH",
        help="a service's .env file",
    )
    setup.add_argument("--read-write", action="store_true", help="turn read-only off when editing a profile")
    setup.add_argument("--no-check", action="store_true", help="do not check the credentials with STS")
    setup.add_argument("--no-open", action="store_true", help="do not offer to open the console at the end")
    call_timeout(setup)

    add_command(
        sub,
        "profiles",
        common,
        run_profiles,
        help="list profiles",
        description="Every profile: yours, then the built-in ones.",
        needs_settings=False,
    )

    doctor = add_command(
        sub,
        "doctor",
        common,
        run_doctor_command,
        help="check a profile: credentials, regions, permissions",
        description=(
            "Checks the profile's credentials, that each region answers, and each read permission the "
            "console uses (one read call each). Mutating permissions cannot be checked without acting: "
            "doctor names them. Exit status 1 when a check fails."
        ),
        needs_settings=False,
    )
    call_timeout(doctor)


def run_setup_command(args: argparse.Namespace, settings: Settings | None) -> int:
    from console.setup import noninteractive
    from console.setup import wizard as setup_wizard

    edit = getattr(args, "profile", None)
    if args.non_interactive:
        flags = noninteractive.SetupFlags(
            name=args.name or edit,
            aws_profile=args.aws_profile,
            demo=args.demo,
            endpoint_url=getattr(args, "endpoint_url", None),
            regions=split_regions(getattr(args, "region", None)),
            clusters=tuple(args.cluster),
            services=tuple(args.service),
            queues=tuple(args.queue),
            log_groups=tuple(args.log_group),
            env_files=tuple(args.env_file),
            read_only=True if getattr(args, "read_only", False) else False if args.read_write else None,
            check=not args.no_check,
            timeout=args.timeout,
        )
        asyncio.run(noninteractive.build_noninteractive(flags))
        return 0
    result = setup_wizard.run_setup(edit=edit, offer_open=not args.no_open, timeout=args.timeout)
    if result is None:
        return 130
    if result.open_console:
        from console.commands._default import open_profile

        return open_profile(result)
    return 0


def run_profiles(args: argparse.Namespace, settings: Settings | None) -> int:
    rows = [("NAME", "AWS PROFILE", "REGIONS", "READ-ONLY", "PATH")]
    problems: list[str] = []
    for name, path in list_profiles().items():
        try:
            profile = load_profile_file(path)
        except OpsError as exc:
            problems.append(str(exc))
            continue
        connects = (
            profile.aws_profile
            or (profile.endpoint_url and f"endpoint {profile.endpoint_url}")
            or "(default)"
        )
        rows.append(
            (
                name,
                connects,
                ",".join(profile.regions) or "-",
                "yes" if profile.read_only else "no",
                str(path),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    for problem in problems:
        print(f"unreadable: {problem}", file=sys.stderr)
    if len(rows) == 1:
        print("no profiles yet: run `opsconsole setup`")
    return 0


def run_doctor_command(args: argparse.Namespace, settings: Settings | None) -> int:
    from console.cli import embedded_demo, settings_from_args
    from console.setup.doctor import render, run_doctor

    with embedded_demo(settings_from_args(args), "the checks") as settings:
        print(f"profile {settings.profile.name}: {', '.join(settings.regions)}")
        checks = asyncio.run(run_doctor(settings, timeout=args.timeout))
    print(render(checks))
    return 1 if any(c.failed for c in checks) else 0
