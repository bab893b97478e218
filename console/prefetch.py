"""The first screen's reads, started before the UI has loaded.

``opsconsole --cluster NAME`` opens on NAME's services. Loading the UI (Textual and the
screens) is a third of a second of CPU; the reads the first screen needs are three round
trips in a row (find the cluster, list the first page of services, describe the first
rows). Done one after the other, the user waits for both. Here the reads start first and
run on the event loop while the UI is imported in a thread, so the waits overlap the
import; the services pane then starts from what was read instead of reading it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from console.api import ConsoleApi
from console.api.reads import FIRST_ROWS
from console.api.views import FirstView


async def read_first_view(
    api: ConsoleApi, regions: Sequence[str], cluster: str, rows: int = FIRST_ROWS
) -> FirstView:
    """:meth:`console.api.reads.Reads.first_view`: the cluster, its first page, the top rows described."""
    return await api.reads.first_view(regions, cluster, rows)


def start(api: ConsoleApi, regions: Sequence[str], cluster: str) -> asyncio.Task[FirstView]:
    """:func:`read_first_view` as a task of the running loop (it must outlive the UI import)."""
    return asyncio.ensure_future(read_first_view(api, regions, cluster))


__all__ = ["FIRST_ROWS", "FirstView", "read_first_view", "start"]
