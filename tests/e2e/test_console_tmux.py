"""The real ``opsconsole demo`` in a real terminal (tmux): drill into a service, open its detail,
filter the services table, go back.  The screen is read with ``capture-pane``; every step
waits for what a person would wait for, with generous deadlines (slow machines are slower,
never red).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

TMUX = shutil.which("tmux") or "/usr/bin/tmux"
OPSCONSOLE = str(Path(sys.executable).with_name("opsconsole"))
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(TMUX).exists(), reason="tmux is not installed"),
]


class Terminal:
    def __init__(self, socket: str, session: str) -> None:
        self.socket = socket
        self.session = session

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            [TMUX, "-L", self.socket, *args], check=True, capture_output=True, text=True, timeout=30
        ).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, check: str | object, deadline_s: float = 120) -> str:
        """Until ``check`` (text, or a predicate on the screen) holds."""
        end = time.monotonic() + deadline_s
        while True:
            screen = self.screen()
            ok = check in screen if isinstance(check, str) else check(screen)  # type: ignore[operator]
            if ok:
                return screen
            if time.monotonic() > end:
                raise AssertionError(f"{check!r} never held; the screen was:\n{screen}")
            time.sleep(0.1)


def start_terminal(tmp_path: Path, *demo_args: str, size: tuple[int, int] = (120, 32)) -> Terminal:
    socket = f"opsconsole-tui-{uuid.uuid4().hex[:8]}"
    term = Terminal(socket, "tui")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "LC_ALL", "TMPDIR"}}
    env.update(
        HOME=str(home),
        TERM="xterm-256color",
        LANG=os.environ.get("LANG", "C.UTF-8"),
        OPSCONSOLE_CONFIG_DIR=str(tmp_path / "config"),
        OPSCONSOLE_DATA_DIR=str(tmp_path / "data"),
    )
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    args = " ".join(shlex.quote(a) for a in ("demo", "--no-activity", *demo_args))
    script = f"env -i {exports} {shlex.quote(OPSCONSOLE)} {args}; echo EXIT=$?; sleep 600"
    subprocess.run(
        [
            TMUX,
            "-L",
            socket,
            "new-session",
            "-d",
            "-s",
            "tui",
            "-x",
            str(size[0]),
            "-y",
            str(size[1]),
            "sh",
            "-c",
            script,
        ],
        check=True,
        timeout=30,
    )
    return term


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = start_terminal(tmp_path)
    yield term
    subprocess.run([TMUX, "-L", term.socket, "kill-server"], capture_output=True, timeout=30)


@pytest.fixture
def cluster_terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = start_terminal(tmp_path, "--cluster", "wwhd-cluster")
    yield term
    subprocess.run([TMUX, "-L", term.socket, "kill-server"], capture_output=True, timeout=30)


def row_of(screen: str, name: str) -> str:
    return next((line for line in screen.splitlines() if name in line), "")


def test_drill_detail_filter_back(terminal: Terminal) -> None:
    t = terminal
    screen = t.wait_for("wwhd-cluster", 180)
    assert "DEMO" in screen
    assert all(c in screen for c in ("frameratr-dev-cluster", "asharvi-backend-cluster", "us-east-2"))

    t.keys(":")
    t.wait_for("cluster NAME")  # the command line's hint
    t.keys("cluster asharvi-backend-cluster", "Enter")
    screen = t.wait_for(lambda s: "COMPLETED" in row_of(s, "asharvi-backend-staging"))
    assert "clusters › asharvi-backend-cluster" in screen
    assert "asharvi-backend-prod" in screen

    t.keys("d")  # detail of the service under the cursor (the first: asharvi-backend-prod)
    screen = t.wait_for("Events (newest first)")
    screen = t.wait_for("has reached a steady state")
    assert "PRIMARY" in screen and "asharvi-backend-prod detail" in screen

    t.keys("Escape")
    t.wait_for(lambda s: "detail" not in s and "2 of 2 services" in s)

    t.keys("/")
    t.wait_for("!text to exclude")  # the filter box is open and has the focus
    t.keys("staging")
    screen = t.wait_for("1 of 2 services")
    assert "asharvi-backend-staging" in screen and "asharvi-backend-prod " not in screen
    t.keys("Enter")  # keep the filter
    t.keys("Escape")  # clears it
    t.wait_for("2 of 2 services")
    t.keys("Escape")  # back to the clusters
    screen = t.wait_for(lambda s: "5 of 5 clusters" in s)
    assert "asharvi-backend-cluster ›" not in screen

    t.keys("q")
    t.wait_for("EXIT=0", 60)


def test_open_on_a_cluster_then_back_to_the_clusters(cluster_terminal: Terminal) -> None:
    """``opsconsole demo --cluster NAME``: NAME's services first (read while the UI loaded),
    and the clusters pane, held while covered, loads when the user goes back to it."""
    t = cluster_terminal
    screen = t.wait_for(lambda s: "wwhd-backend" in s and "1 of 1 services" in s, 180)
    assert "clusters › wwhd-cluster" in screen
    t.keys("Escape")
    screen = t.wait_for(lambda s: "5 of 5 clusters" in s)
    assert "frameratr-dev-cluster" in screen
    t.keys("q")
    t.wait_for("EXIT=0", 60)


# --- confirmations and read-only, as the on-call engineer meets them (issue 15) ---------------------


def described(service: str) -> object:
    """The services pane has described every row (an operation acts on the row under the cursor)."""
    return lambda s: service in s and "1 of 1 services" in s and "described" not in s


def quit_console(t: Terminal) -> None:
    t.keys("q")
    t.wait_for("EXIT=0", 60)


def test_plan_modal_shows_both_keys_and_a_cancel_says_nothing_was_sent(tmp_path: Path) -> None:
    # A service with no auto scaling: frameratr's plan warns that its policy may set the count back.
    t = start_terminal(tmp_path, "--cluster", "document-verification-cluster")
    try:
        t.wait_for(described("document-verification-service"), 180)
        t.keys("s")
        t.wait_for("Enter Plan")
        t.keys("End")
        t.keys("BSpace")
        t.wait_for("a whole number, please")  # the count is empty: now type the new one
        t.keys("2")
        t.wait_for(lambda s: "a whole number" not in s)
        t.keys("Enter")
        screen = t.wait_for("desiredCount: 1 -> 2")
        assert "y Apply" in screen and "n Cancel" in screen  # the keys, not eaten as markup
        assert "Enter applies" in screen
        t.keys("n")
        screen = t.wait_for("cancelled: nothing was sent")
        assert "desiredCount: 1 -> 2" not in screen  # the modal closed
        quit_console(t)
    finally:
        subprocess.run([TMUX, "-L", t.socket, "kill-server"], capture_output=True, timeout=30)


def test_enter_on_a_plan_with_warnings_says_so_then_esc_cancels(tmp_path: Path) -> None:
    t = start_terminal(tmp_path, "--cluster", "wwhd-cluster")
    try:
        t.wait_for(described("wwhd-backend"), 180)
        t.keys("R")  # stop-then-start: its plan warns
        screen = t.wait_for("redeploy-stop-first")
        assert "this plan has warnings: Enter does not apply it" in screen
        assert "y Apply" in screen and "n Cancel" in screen
        t.keys("Enter")  # the focus starts on Apply in every plan
        screen = t.wait_for("Enter does nothing on a plan with warnings")
        assert "redeploy-stop-first" in screen  # still the plan: nothing applied, nothing cancelled
        t.keys("Escape")
        screen = t.wait_for("cancelled: nothing was sent")
        assert "redeploy-stop-first" not in screen
        quit_console(t)
    finally:
        subprocess.run([TMUX, "-L", t.socket, "kill-server"], capture_output=True, timeout=30)


def test_read_only_key_says_it_is_disabled(tmp_path: Path) -> None:
    t = start_terminal(tmp_path, "--cluster", "wwhd-cluster", "--read-only")
    try:
        screen = t.wait_for(described("wwhd-backend"), 180)
        assert "READ-ONLY" in screen
        t.keys("s")
        t.wait_for("read-only: scale is disabled")
        t.keys("r")
        t.wait_for("read-only: redeploy is disabled")
        quit_console(t)
    finally:
        subprocess.run([TMUX, "-L", t.socket, "kill-server"], capture_output=True, timeout=30)


def test_logs_time_prompt_shows_what_is_typed_at_80x24(tmp_path: Path) -> None:
    """The logs pane's ``t`` prompt in a small real terminal: its label and the typed text are on screen."""
    t = start_terminal(tmp_path, size=(80, 24))
    try:
        t.wait_for("wwhd-cluster", 180)
        # The demo seeds its clusters first and the rest behind the first screen: until the log
        # group exists the pane says "not found", truthfully; ask again until it follows.
        for _attempt in range(12):
            t.keys(":")
            t.wait_for("logs [GROUP]")  # the command line's hint (cut at 80 columns after it)
            t.keys("logs /ecs/wwhd-backend", "Enter")
            screen = t.wait_for(lambda s: "following" in s or "not found" in s, 60)
            if "following" in screen:
                break
            t.keys("Escape")
            t.wait_for(lambda s: "not found" not in s or "wwhd-cluster" in s, 30)
        else:
            raise AssertionError("the log group never appeared")
        t.keys("t")
        t.wait_for("time range:")
        t.keys("90m")
        screen = t.wait_for(lambda s: any("time range:" in r and "90m" in r for r in s.splitlines()))
        assert "esc" in screen.lower()
        t.keys("Enter")
        screen = t.wait_for(lambda s: "time range:" not in s and "following" in s)
        t.keys("q")
        t.wait_for("EXIT=0", 60)
    finally:
        subprocess.run([TMUX, "-L", t.socket, "kill-server"], capture_output=True, timeout=30)
