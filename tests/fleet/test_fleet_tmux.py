"""The fleet view of the real ``opsconsole`` in a real terminal (tmux): the ACCOUNT column,
``:account`` narrowing to one account and back. The console runs against moto's server of the
fleet fixture (four accounts reached by AssumeRole); the screen is read with ``capture-pane``."""

from __future__ import annotations

import shlex
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_console_tmux import OPSCONSOLE, TMUX, Terminal, row_of

from .conftest import Fleet

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(TMUX).exists(), reason="tmux is not installed"),
]


@pytest.fixture
def fleet_terminal(fleet: Fleet, tmp_path: Path) -> Iterator[Terminal]:
    socket = f"opsconsole-fleet-{uuid.uuid4().hex[:8]}"
    env = {
        "HOME": str(fleet.home),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "PATH": "/usr/bin:/bin",
        "OPSCONSOLE_CONFIG_DIR": str(tmp_path / "config"),
        "OPSCONSOLE_DATA_DIR": str(tmp_path / "data"),
        "AWS_CONFIG_FILE": str(fleet.home / ".aws" / "config"),
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    args = " ".join(shlex.quote(a) for a in fleet.args())
    script = f"env -i {exports} {shlex.quote(OPSCONSOLE)} {args}; echo EXIT=$?; sleep 600"
    subprocess.run(
        [TMUX, "-L", socket, "new-session", "-d", "-s", "tui", "-x", "140", "-y", "30", "sh", "-c", script],
        check=True,
        timeout=30,
    )
    yield Terminal(socket, "tui")
    subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True, timeout=30)


def test_fleet_view_in_a_terminal(fleet_terminal: Terminal) -> None:
    t = fleet_terminal
    screen = t.wait_for(lambda s: "frameratr-dev-cluster" in s and s.count("shop-cluster") == 2, 180)
    assert "ACCOUNT" in screen
    assert "frameratr" in row_of(screen, "frameratr-dev-cluster").split("frameratr-dev-cluster", 1)[1]
    assert "shop-prod" in screen and "shop-staging" in screen
    assert "4 accounts" in screen  # the top bar

    t.keys(":")
    t.wait_for("cluster NAME")
    t.keys("account shop-prod", "Enter")
    screen = t.wait_for(lambda s: "shop-cluster" in s and "frameratr-dev-cluster" not in s)
    assert "shop-staging" not in row_of(screen, "shop-cluster")
    assert "account shop-prod" in screen  # the top bar names the one account in view

    t.keys(":")
    t.wait_for("cluster NAME")
    t.keys("account", "Enter")
    t.wait_for(lambda s: "frameratr-dev-cluster" in s and s.count("shop-cluster") == 2)
