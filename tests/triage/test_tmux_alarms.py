"""The real ``opsconsole demo`` in tmux: a click on the status line's alarm count opens the alarms
pane, Enter charts the memory alarm, ``l`` opens the service's logs for the chart's window."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e.test_console_tmux import TMUX, Terminal, start_terminal

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(TMUX).exists(), reason="tmux is not installed"),
]
ROWS = 32  # start_terminal's height


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = start_terminal(tmp_path)
    yield term
    subprocess.run([TMUX, "-L", term.socket, "kill-server"], capture_output=True, timeout=30)


def click(t: Terminal, x: int, y: int) -> None:
    """A left click at column ``x``, row ``y`` (1-based), as the terminal reports it (SGR mouse)."""
    t.tmux("send-keys", "-t", t.session, "-l", f"\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m")


def test_from_the_alarm_count_to_the_logs_of_the_alarm_window(terminal: Terminal) -> None:
    t = terminal
    screen = t.wait_for("alarms firing", 180)
    status_row = next(i for i, line in enumerate(screen.splitlines(), start=1) if "alarms firing" in line)
    click(t, 4, status_row)
    screen = t.wait_for("changed in 24 h", 60)
    assert "docu-cr-backend-memory-high" in screen and "ALARM" in screen
    lines = screen.splitlines()
    rows = [line for line in lines if "ALARM " in line and ("memory-high" in line or "dlq-not-empty" in line)]
    downs = next(i for i, line in enumerate(rows) if "docu-cr-backend-memory-high" in line)
    t.keys(*(["Down"] * downs), "Enter")
    screen = t.wait_for("datapoint(s) crossed", 60)
    assert "over 3 h" in screen and "UTC" in screen  # the chart's time axis
    t.keys("l")
    screen = t.wait_for(lambda s: "/ecs/docu-cr-backend" in s and " until " in s, 60)
    assert "› logs" in screen
    t.keys("q")
    t.wait_for("EXIT=0", 60)
