"""Whether the world behind the endpoint is still being made: a demo seeds behind its first screen.

``opsconsole demo`` shows its clusters before the rest of its world (services, tasks, a day of
metrics and logs) exists; until it does, panes may look emptier than they will. The demo endpoint
says so on ``/_opsconsole/info`` (``filling`` and the line to show); this reads it for the status
line, so the screens need not know a demo exists. Any other endpoint (or none) has nothing to say.
"""

from __future__ import annotations

import asyncio

from console.endpoints import demo_info

POLL_S = 1.0  # how often the status line asks while the world fills


class WorldNotice:
    def __init__(self, endpoint_url: str | None) -> None:
        self.endpoint_url = endpoint_url
        self.done = not endpoint_url  # once the world is whole it stays whole: no more asking

    async def notice(self) -> str:
        """The line to show while the world fills; "" once it is whole (or for a real account)."""
        if self.done or not self.endpoint_url:
            return ""
        info = await asyncio.to_thread(demo_info, self.endpoint_url)
        status = info.get("status")
        if info.get("filling") and isinstance(status, str) and status:
            return status
        self.done = True
        return ""
