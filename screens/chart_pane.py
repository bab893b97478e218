"""The base of a pane of charts over a window of hours: an alarm's chart, a service's charts.

Both show the last 3 or the last 24 hours (``w`` toggles and reads again), poll once a minute
(CloudWatch's datapoints come no faster) and have no rows to filter.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from screens.pane import PaneScreen

HOURS = (3, 24)
D = TypeVar("D")


class ChartPane(PaneScreen, Generic[D]):
    """Reads its charts' data for the window (:meth:`read`), then shows it (:meth:`show`)."""

    poll_interval = 60.0
    filterable = False

    def __init__(self) -> None:
        super().__init__()
        self.hours = HOURS[0]

    async def load(self) -> None:
        self.show(await self.read(self.hours))

    async def read(self, hours: int) -> D:
        raise NotImplementedError

    def show(self, data: D) -> None:
        """Draw ``data``, read for the window of ``hours`` (panes override)."""

    @property
    def other_hours(self) -> int:
        """The window ``w`` switches to."""
        return HOURS[1] if self.hours == HOURS[0] else HOURS[0]

    def action_window(self) -> None:
        self.hours = self.other_hours
        self.action_refresh()
