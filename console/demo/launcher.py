"""``opsconsole demo``'s embedded AWS in a process of its own, started while the console loads.

Importing moto's models (EC2's alone is about 0.9 s) and making the first clusters is work the
console's own start (Textual, aiobotocore, the first screen) need not wait for: in a second process
it runs beside it, on the other core, instead of before it. The child is ``demo serve`` with the
world seeded behind its first screen; it prints ``endpoint: URL`` once the clusters exist and
lives as long as its stdin is open, so it ends with the console however the console ends (a crash
included). Only this module and the child know the demo runs elsewhere: the console reaches it by
its endpoint, as it reaches any ``demo serve``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import IO, Any

from console.demo.facts import LABEL, REGIONS

START_TIMEOUT_S = 120.0


class DemoStartError(Exception):
    """The embedded AWS did not come up; the message says what it printed."""


@dataclass
class DemoProcess:
    """A running child demo: ``endpoint`` once ``wait()`` returned; ``stop()`` ends it."""

    proc: subprocess.Popen[str]
    errors: IO[str]
    endpoint: str = ""
    label: str = LABEL
    regions: tuple[str, ...] = REGIONS
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, timeout: float = START_TIMEOUT_S) -> str:
        """The endpoint, once the child serves the clusters (reads its first line)."""
        with self._lock:
            if self.endpoint:
                return self.endpoint
            assert self.proc.stdout is not None
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                line = self.proc.stdout.readline()
                if not line:
                    break
                if line.startswith("endpoint: "):
                    self.endpoint = line.split(": ", 1)[1].strip()
                    return self.endpoint
            self.stop()
            raise DemoStartError(f"the embedded AWS did not start: {self._last_error()}")

    def _last_error(self) -> str:
        with contextlib.suppress(OSError):
            self.errors.seek(0)
            lines = [line.strip() for line in self.errors.read().splitlines() if line.strip()]
            if lines:
                return lines[-1]
        return f"it exited with status {self.proc.poll()}"

    def stop(self, timeout: float = 10.0) -> None:
        """Close its stdin (it stops on EOF), then wait; terminate it if it lingers."""
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                if self.proc.stdin is not None:
                    self.proc.stdin.close()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        for stream in (self.proc.stdout, self.errors):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()

    def __enter__(self) -> DemoProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def spawn(**options: Any) -> DemoProcess:
    """Start the child demo with ``serve_forever``'s options (port, latency_ms, faults spec…)."""
    errors = tempfile.TemporaryFile(mode="w+", prefix="opsconsole-demo-")
    proc = subprocess.Popen(
        [sys.executable, "-m", "console.demo.launcher", json.dumps(options)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        start_new_session=True,  # the terminal's signals are the console's; the child ends on EOF
    )
    return DemoProcess(proc, errors)


def _child(options: dict[str, Any]) -> int:
    from console.demo.moto_boot import import_moto

    import_moto()
    from console.demo.runtime import serve_forever
    from console.demo.server import FaultSpec

    stop = threading.Event()

    def watch_stdin() -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stdin.read()
        stop.set()

    threading.Thread(target=watch_stdin, name="demo-parent-watch", daemon=True).start()
    faults = FaultSpec.parse(options.pop("faults", None))
    options["deny_accounts"] = tuple(options.get("deny_accounts", ()))
    try:
        background = bool(options.pop("background", True))
        return serve_forever(faults=faults, stop=stop, background=background, **options)
    except BrokenPipeError:  # the console went first: nobody reads the request counts
        return 0


if __name__ == "__main__":
    sys.exit(_child(json.loads(sys.argv[1])))
