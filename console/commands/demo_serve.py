"""``opsconsole demo`` and ``opsconsole demo serve``: the embedded demo AWS.

``demo serve`` prints ``endpoint: http://127.0.0.1:PORT`` on one line and serves the five seed
systems until SIGINT/SIGTERM, then prints the requests it served per API. Plain ``demo`` starts
the same world in-process and opens the console on it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from console.commands.arguments import add_command
from console.config import Settings
from console.errors import BadInput, OpsError


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="delay every request (as against real AWS)"
    )
    parser.add_argument(
        "--faults",
        default=None,
        metavar="SPEC",
        help="inject faults, e.g. throttle=0.1,5xx=0.05,drop=0.02,only=ecs+sqs",
    )
    parser.add_argument("--throttle", action="store_true", help="enforce ECS's documented token buckets")
    parser.add_argument(
        "--no-activity",
        dest="activity",
        action="store_false",
        help="no live log lines, metrics or failing messages",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="add a synthetic cluster with N services (about 2 tasks each)",
    )
    parser.add_argument(
        "--tick",
        type=float,
        default=0.5,
        metavar="SECONDS",
        help="scheduler tick (a rollout takes about 8 ticks)",
    )
    parser.add_argument(
        "--organisation",
        dest="organised",
        action="store_const",
        const=True,
        default=None,
        help="each system in its own AWS account, reached by AssumeRole (see profiles/demo.toml)",
    )
    parser.add_argument(
        "--accounts",
        type=int,
        default=0,
        metavar="K",
        help="a synthetic fleet: K more accounts, each with --scale N services per region",
    )
    parser.add_argument(
        "--deny-account",
        dest="deny_accounts",
        action="append",
        default=[],
        metavar="ID",
        help="this account's ops role refuses AssumeRole (AccessDenied); repeatable",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=None,
        metavar="FACTOR",
        help="ECS's rollout steps (pull, health checks, draining) run FACTOR times faster (default 30)",
    )


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    demo = add_command(
        sub,
        "demo",
        common,
        run_demo_console,
        help="run the embedded demo AWS (and the console on it)",
        description="The five seed systems in an embedded AWS (moto + opsconsole's ECS scheduler).",
        needs_settings=False,
    )
    _server_options(demo)
    demo.add_argument(
        "--cluster", dest="open_cluster", metavar="NAME", help="open the console on this cluster's services"
    )
    actions = demo.add_subparsers(dest="demo_action", metavar="ACTION")
    serve = add_command(
        actions,
        "serve",
        common,
        run_serve,
        help="serve the demo AWS until interrupted",
        description="Print `endpoint: URL`, serve until SIGINT/SIGTERM, then print the requests per API.",
        needs_settings=False,
    )
    _server_options(serve)
    serve.add_argument("--incident", metavar="NAME", help="stage an incident once the world is up")
    incident = add_command(
        actions,
        "incident",
        common,
        run_incident,
        help="stage (or resolve) an incident in a running demo",
        description="`incident --list`, `incident NAME`, `incident resolve NAME`, against --endpoint-url.",
        needs_settings=False,
    )
    incident.add_argument("--list", action="store_true", help="the incidents and what each shows")
    incident.add_argument("words", nargs="*", metavar="[resolve] NAME")


def _faults(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from console.demo.server import FaultSpec

    try:
        return FaultSpec.parse(args.faults)
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def _check(args: argparse.Namespace) -> None:
    if args.scale < 0:
        raise BadInput("--scale: must be 0 or more")
    if args.latency_ms < 0:
        raise BadInput("--latency-ms: must be 0 or more")
    if args.tick <= 0:
        raise BadInput("--tick: must be more than 0")
    if args.time_scale is not None and args.time_scale <= 0:
        raise BadInput("--time-scale: must be more than 0")
    if not 0 <= args.port <= 65535:
        raise BadInput("--port: must be between 0 and 65535")
    if args.accounts < 0:
        raise BadInput("--accounts: must be 0 or more")
    for account in args.deny_accounts:
        if not (len(account) == 12 and account.isdigit()):
            raise BadInput(f"--deny-account: '{account}' is not a 12-digit account id")


def _world_options(args: argparse.Namespace, faults: Any) -> dict[str, Any]:
    """What ``demo`` and ``demo serve`` both hand the embedded AWS: its delays, faults and pace."""
    return {
        "latency_ms": args.latency_ms,
        "faults": faults,
        "throttle": args.throttle,
        "activity": args.activity,
        "scale": args.scale,
        "tick_s": args.tick,
        "time_scale": args.time_scale,
        "organised": args.organised,
        "accounts": args.accounts,
        "deny_accounts": tuple(args.deny_accounts),
    }


def run_serve(args: argparse.Namespace, settings: Settings | None) -> int:
    _check(args)
    if args.incident:
        from console.demo import incidents

        try:
            incidents.describe(args.incident)
        except incidents.IncidentError as exc:
            raise BadInput(f"--incident: {exc}") from None
    faults = _faults(args)
    from console.demo.moto_boot import import_moto

    import_moto()
    from console.demo.runtime import serve_forever

    try:
        return serve_forever(args.port, **_world_options(args, faults), incident=args.incident)
    except OSError as exc:
        raise BadInput(f"--port {args.port}: {exc.strerror or exc}") from None


def run_demo_console(args: argparse.Namespace, settings: Settings | None) -> int:
    """Plain ``opsconsole demo``: the world in a child process started while the console loads,
    the console on it, both gone on exit (console.demo.launcher)."""
    _check(args)
    _faults(args)  # a bad spec is refused here, before anything starts
    from console.demo import launcher

    print("starting the embedded demo AWS…", file=sys.stderr, flush=True)
    runtime = launcher.spawn(
        port=args.port,
        **_world_options(args, args.faults),  # the spec as given: the child parses it
        # The clusters first, the rest of the world behind the first screen; a console opened on
        # one cluster reads its services at once, so that world is made whole first.
        background=not getattr(args, "open_cluster", None),
    )
    with runtime:
        from console.commands._default import import_ui, launch_ui
        from console.config import demo_profile, resolve_settings, with_accounts
        from console.endpoints import demo_accounts

        import_ui()  # while the child imports moto and makes the clusters
        try:
            runtime.wait()
        except launcher.DemoStartError as exc:
            raise OpsError(str(exc)) from None
        profile = demo_profile(runtime.endpoint)
        demo_settings = resolve_settings(
            regions=tuple(runtime.regions),
            endpoint_url=runtime.endpoint,
            read_only=bool(getattr(args, "read_only", False)),
        )
        demo_settings = type(demo_settings)(
            profile=profile,
            regions=demo_settings.regions,
            endpoint_url=runtime.endpoint,
            read_only=demo_settings.read_only or profile.read_only,
        )
        demo_settings = with_accounts(
            demo_settings, demo_accounts(runtime.endpoint)
        )  # organised: its accounts
        cluster = getattr(args, "open_cluster", None)
        return launch_ui(demo_settings, demo_label=runtime.label, **({"cluster": cluster} if cluster else {}))


def run_incident(args: argparse.Namespace, settings: Settings | None) -> int:
    """``demo incident --list | NAME | resolve NAME``: the demo server's process does the work."""
    from console.api.incidents import post_incident
    from console.demo import incidents

    endpoint = getattr(args, "endpoint_url", None)
    words = list(args.words)
    if args.list or not words:
        active: list[str] = []
        if endpoint:
            listed = post_incident(endpoint, None).get("active", [])
            active = [str(a) for a in listed] if isinstance(listed, list) else []
        for name in incidents.names():
            mark = " (under way)" if name in active else ""
            incident = incidents.describe(name)
            print(f"{name:<16} {incident.system}{mark}\n    {incident.summary}")
        return 0
    action = "start"
    if words[0] == "resolve":
        action, words = "resolve", words[1:]
    if len(words) != 1:
        raise BadInput("usage: opsconsole demo incident [--list | NAME | resolve NAME] --endpoint-url EP")
    try:
        incidents.describe(words[0])
    except incidents.IncidentError as exc:
        raise BadInput(str(exc)) from None
    if not endpoint:
        raise BadInput("--endpoint-url: the endpoint of a running `opsconsole demo serve` is needed")
    answer = post_incident(endpoint, {"action": action, "name": words[0]})
    if not answer.get("ok"):
        print(f"incident {words[0]}: {answer.get('error')}", file=sys.stderr)
        return 1
    verb = "resolved" if action == "resolve" else "started"
    print(f"{verb}: {answer.get('name')}\n    {answer.get('summary')}")
    return 0
