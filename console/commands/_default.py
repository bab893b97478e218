"""What plain ``opsconsole`` does: open the console on the configured profile.

``console/`` never imports the UI: the Textual app is loaded by name at run
time, so the CLI's other commands work (and stay fast to start) without it.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from console.config import Settings
from console.errors import OpsError

UI_MODULE = "screens.app"


def launch_ui(settings: Settings, **options: Any) -> int:
    try:
        ui = importlib.import_module(UI_MODULE)
    except ImportError as exc:
        raise OpsError(f"the console UI is not available ({exc})") from None
    return int(ui.run_console(settings, **options) or 0)


def open_console(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    return launch_ui(settings)
