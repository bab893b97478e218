"""What plain ``opsconsole`` does: open the console on the configured profile.

``console/`` never imports the UI: the Textual app is loaded by name at run
time, so the CLI's other commands work (and stay fast to start) without it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
from typing import Any

from console.config import Settings
from console.errors import OpsError

UI_MODULE = "screens.app"


def import_ui() -> Any:
    """The UI module (imported once; ``opsconsole demo`` imports it while its AWS starts)."""
    return _import_ui()


def _import_ui() -> Any:
    try:
        return importlib.import_module(UI_MODULE)
    except ImportError as exc:
        raise OpsError(f"the console UI is not available ({exc})") from None


def launch_ui(settings: Settings, **options: Any) -> int:
    # No cyclic GC while the UI starts: importing Textual and botocore's models builds
    # hundreds of thousands of long-lived objects, and the full collections that set off
    # (one took 160 ms) only delay the first screenful. The UI freezes that heap and turns
    # the collector back on once its first data is shown (screens.heap).
    gc.disable()
    try:
        if options.get("cluster"):
            return asyncio.run(_launch_on_cluster(settings, options))
        return int(_import_ui().run_console(settings, **options) or 0)
    finally:
        gc.enable()


async def _launch_on_cluster(settings: Settings, options: dict[str, Any]) -> int:
    """Start the cluster's first reads, then load the UI in a thread while they run (console.prefetch)."""
    from console import prefetch
    from console.api import ConsoleApi

    api = ConsoleApi(settings)
    try:
        first_view = prefetch.start(api, settings.regions, str(options["cluster"]))
        ui = await asyncio.to_thread(_import_ui)
        return int(await ui.run_console_async(settings, api=api, first_view=first_view, **options) or 0)
    finally:
        await api.close()


def open_console(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    if settings.profile.is_demo and not settings.endpoint_url:
        return open_demo_profile(settings)
    cluster = getattr(args, "open_cluster", None)
    return launch_ui(settings, **({"cluster": cluster} if cluster else {}))


def open_demo_profile(settings: Settings) -> int:
    """A profile with ``aws_profile = "demo"`` (e.g. written by setup): the console on a fresh demo world."""
    from dataclasses import replace

    from console.config import with_accounts
    from console.demo.runtime import start_demo
    from console.endpoints import demo_accounts

    runtime = start_demo()
    try:
        settings = with_accounts(settings, demo_accounts(runtime.endpoint))  # as the world is organised
        return launch_ui(replace(settings, endpoint_url=runtime.endpoint))
    finally:
        runtime.stop()


# --- first run: no profile and nothing saying where to connect -> the setup wizard ---------
WHERE_TO_CONNECT_OPTIONS = ("profile", "endpoint_url", "config")
WHERE_TO_CONNECT_ENV = ("AWS_PROFILE", "AWS_ACCESS_KEY_ID")


def wants_setup(args: argparse.Namespace) -> bool:
    """True on a first run in a terminal: no profile of one's own, no option or variable naming one."""
    import os
    import sys

    if any(getattr(args, name, None) for name in WHERE_TO_CONNECT_OPTIONS):
        return False
    if any(os.environ.get(name) for name in WHERE_TO_CONNECT_ENV):
        return False
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    from console.setup.wizard import user_profiles

    return not user_profiles()


def setup_then_open(args: argparse.Namespace, settings: Settings | None) -> int:
    from console.setup.wizard import run_setup

    print("No opsconsole profile yet: a few questions make one (Ctrl-C to stop, nothing is written).")
    result = run_setup()
    if result is None:
        return 130
    return open_profile(result) if result.open_console else 0


def open_profile(result: Any) -> int:
    """Open the console on a profile setup just wrote (and on the demo setup started, if any)."""
    from console.config import resolve_settings

    demo = getattr(result, "demo", None)
    try:
        settings = resolve_settings(
            profile_name=result.profile.name, endpoint_url=demo.endpoint if demo is not None else None
        )
        return launch_ui(settings)
    finally:
        if demo is not None:
            demo.stop()
