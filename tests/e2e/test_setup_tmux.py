"""A new user's first minutes, in a real terminal: ``opsconsole setup`` in tmux, demo, every default.

HOME is an empty temporary folder (no ~/.aws, no config), so what the user
sees is what someone who just installed opsconsole sees.  The test waits for
each question to appear on the screen before answering it, with generous
deadlines: a slow machine makes it slower, never red.
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
        return self.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", self.session)

    def wait_for(self, text: str, deadline_s: float = 600) -> str:
        end = time.monotonic() + deadline_s
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")
            time.sleep(0.1)

    def answer(self, question: str, *keys: str) -> None:
        self.wait_for(question)
        self.tmux("send-keys", "-t", self.session, *keys)


@pytest.fixture
def new_user(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    keep = {"PATH", "LANG", "LC_ALL", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(HOME=str(home), TERM="xterm-256color", LANG=os.environ.get("LANG", "C.UTF-8"))
    return env


@pytest.fixture
def terminal(new_user: dict[str, str]) -> Iterator[tuple[Terminal, Path]]:
    socket = f"opsconsole-setup-{uuid.uuid4().hex[:8]}"
    term = Terminal(socket, "setup")
    home = Path(new_user["HOME"])
    yield term, home
    subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True, timeout=30)


def start(term: Terminal, env: dict[str, str], command: str) -> None:
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    script = f"env -i {exports} {command}; echo EXIT=$?; sleep 600"
    term.tmux("new-session", "-d", "-x", "120", "-y", "50", "-s", term.session, script)


def test_new_user_sets_up_the_demo_with_every_default(terminal, new_user) -> None:
    term, home = terminal
    start(term, new_user, f"{shlex.quote(OPSCONSOLE)} setup")
    term.answer("Connect to", "Enter")  # demo: the only choice without ~/.aws, and the default
    term.wait_for("Starting the embedded AWS")
    for question in (
        "Regions to watch",
        "Clusters to watch",
        "Services to watch",
        "Queues to watch",
        "Log groups to watch",
        "Give the .env file",
        "Which services have a .env file",
        ".env file of",
        "Read-only?",
        "Profile name",
    ):
        term.answer(question, "Enter")
    term.answer("Open the console now?", "n")
    screen = term.wait_for("EXIT=")
    assert "EXIT=0" in screen
    written = home / ".config" / "opsconsole" / "profiles" / "demo.toml"
    assert f"Wrote {written}" in screen
    assert written.is_file()
    text = written.read_text()
    assert 'aws_profile = "demo"' in text
    assert 'regions = ["us-east-1", "ap-south-1", "us-east-2"]' in text
    assert "opsconsole --profile demo" in screen


def test_plain_opsconsole_offers_setup_and_ctrl_c_leaves_nothing(terminal, new_user) -> None:
    term, home = terminal
    start(term, new_user, shlex.quote(OPSCONSOLE))
    screen = term.wait_for("Connect to")
    assert "No opsconsole profile yet" in screen
    assert "demo: the embedded AWS, no account needed" in screen
    term.tmux("send-keys", "-t", term.session, "C-c")
    screen = term.wait_for("EXIT=")
    assert "EXIT=130" in screen and "nothing was written" in screen
    assert not (home / ".config" / "opsconsole").exists()


def test_the_demo_profile_setup_wrote_opens_the_console(terminal, new_user) -> None:
    """``aws_profile = "demo"`` in a profile of one's own: ``opsconsole --profile demo`` starts the world."""
    term, home = terminal
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in new_user.items())
    subprocess.run(
        f"env -i {env} {shlex.quote(OPSCONSOLE)} setup --non-interactive --demo --read-only",
        shell=True,
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert (home / ".config" / "opsconsole" / "profiles" / "demo.toml").is_file()
    start(term, new_user, f"{shlex.quote(OPSCONSOLE)} --profile demo")
    term.wait_for("wwhd-cluster")
    term.tmux("send-keys", "-t", term.session, "q")
    assert "EXIT=0" in term.wait_for("EXIT=")
