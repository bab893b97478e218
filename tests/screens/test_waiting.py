"""An account that does not answer: the pane says what it waits for, then the one-line error."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from tui_helpers import wait_for

from console.api import ClientSettings, ConsoleApi
from console.config import Settings
from screens.app import OpsConsoleApp
from screens.clusters import ClustersScreen


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TCP endpoint that accepts connections and never answers (a stuck proxy, a black hole)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


async def test_a_silent_account_shows_connecting_then_its_error(
    settings: Settings, silent_endpoint: str
) -> None:
    silent = replace(settings, endpoint_url=silent_endpoint)
    api = ConsoleApi(
        silent, client_settings=ClientSettings(max_attempts=1, connect_timeout=1, read_timeout=3)
    )
    app = OpsConsoleApp(silent, api=api, poll_interval=3600.0)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen))
        pane = app.screen
        assert isinstance(pane, ClustersScreen)
        seen: list[str] = []

        def waiting() -> bool:
            if pane.status.waiting:
                seen.append(pane.status.waiting)
            return len({w for w in seen}) >= 2  # the seconds count up

        await wait_for(pilot, waiting, timeout=10)
        assert seen[0].startswith(f"connecting to {silent_endpoint} (")
        assert seen[-1].endswith(" s)")
        await wait_for(pilot, lambda: pane.status.error and not pane.status.waiting, timeout=30)
        assert "\n" not in pane.status.error
        assert "did not answer" in pane.status.error or "timeout" in pane.status.error.lower()
        assert not pane.table.keys
