"""The status line's word on a world still being made (a demo seeding behind its first screen).

The App asks the facade (``api.world``) every second until the world is whole and puts the line
on every status line of the stack; a status line mounted later takes it from the App. When the
facade has nothing more to say the line goes and the asking stops.
"""

from __future__ import annotations

import asyncio
from typing import Any

from console.api.world import POLL_S
from screens.widgets.bars import StatusLine


async def watch_world(app: Any) -> None:
    """Run on the App (a worker): ``app.api.world`` is asked until it says nothing."""
    while True:
        try:
            notice = await app.api.world.notice()
        except Exception:  # the notice is a courtesy: never an error of its own
            notice = ""
        if notice != getattr(app, "world_notice", ""):
            app.world_notice = notice
            for screen in app.screen_stack:
                for line in screen.query(StatusLine):
                    line.set_world(notice)
        if not notice:
            return
        await asyncio.sleep(POLL_S)
