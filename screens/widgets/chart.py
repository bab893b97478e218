"""A metric over time with its threshold: time and value axes drawn by plotext (textual-plotext).

The x axis is minutes before the window's end, labelled with the UTC clock time; the threshold is
a horizontal line and the datapoints that crossed it are drawn on their own, so "why is it red"
is visible at a glance. Frozen mode (snapshot tests) draws the same data with fixed labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual_plotext import PlotextPlot

from console.literal import literal_text

TICKS = 6


def clock(at: datetime) -> str:
    return at.strftime("%H:%M")


class MetricChart(PlotextPlot):
    """Call :meth:`show` with the series; the widget redraws on resize by itself."""

    DEFAULT_CSS = """
    MetricChart { height: 1fr; min-height: 12; }
    """

    def _axes(self, start: datetime, end: datetime, title: str, unit: str) -> float:
        """A fresh figure with the time axis of the window; the window's span in minutes."""
        plt = self.plt
        plt.clear_figure()
        span = max(1.0, (end - start).total_seconds() / 60)
        plt.title(literal_text(title, max_len=120) if title else "")
        plt.xlabel("UTC")
        plt.ylabel(unit)
        plt.xlim(-span, 0)
        ticks = [-span + i * span / (TICKS - 1) for i in range(TICKS)]
        labels = [clock(datetime.fromtimestamp(end.timestamp() + t * 60, end.tzinfo)) for t in ticks]
        plt.xticks(ticks, labels)
        return span

    def _limit(self, threshold: float | None, values: Sequence[float]) -> None:
        """The threshold as a red line, with the value axis wide enough to show it and the data."""
        if threshold is None:
            return
        self.plt.hline(threshold, "red")
        top = max([threshold, *values]) if values else threshold
        low = min([threshold, *values]) if values else 0.0
        pad = max(1.0, (top - low) * 0.1)
        self.plt.ylim(min(0.0, low - pad), top + pad)

    def show(
        self,
        stamps: Sequence[datetime],
        values: Sequence[float],
        *,
        start: datetime,
        end: datetime,
        threshold: float | None = None,
        crossing: Sequence[bool] = (),
        title: str = "",
        unit: str = "",
    ) -> None:
        plt = self.plt
        span = self._axes(start, end, title, unit)
        xs = [(t - end).total_seconds() / 60 for t in stamps]
        if xs:
            plt.plot(xs, list(values), marker="braille", label="value")
            crossed = [(x, v) for x, v, c in zip(xs, values, crossing, strict=False) if c]
            if crossed:
                plt.scatter(
                    [x for x, _ in crossed], [v for _, v in crossed], marker="●", color="red", label="crossed"
                )
        self._limit(threshold, values)
        if not xs:
            plt.text("no datapoints in this window", x=-span / 2, y=threshold or 0.5, alignment="center")
        self.refresh()

    def show_lines(
        self,
        lines: Sequence[tuple[str, Sequence[datetime], Sequence[float]]],
        *,
        start: datetime,
        end: datetime,
        limit: float | None = None,
        title: str = "",
        unit: str = "",
    ) -> None:
        """Several series on one time axis (one per task), each labelled, and a limit line."""
        plt = self.plt
        span = self._axes(start, end, title, unit)
        every: list[float] = []
        for label, stamps, values in lines:
            if not stamps:
                continue
            xs = [(t - end).total_seconds() / 60 for t in stamps]
            plt.plot(xs, list(values), marker="braille", label=literal_text(label, max_len=40))
            every += values
        self._limit(limit, every)
        if not every:
            plt.text("no datapoints in this window", x=-span / 2, y=limit or 0.5, alignment="center")
        self.refresh()
