"""How values look in a cell: ages, counts, bars and sparklines, and AWS text made inert.

Every string that came from AWS reaches a widget through :func:`aws` (a Rich
``Text`` built without parsing markup, with control characters pictured), so
a service event or queue name cannot style the screen or move the cursor.
Plain ``str`` is never handed to a DataTable: it would parse it as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rich.text import Text

from console.literal import literal_text
from console.model import Alarm

SPARK = "▁▂▃▄▅▆▇█"

PLACEHOLDER = "…"


def aws(value: object, style: str = "", *, max_len: int = 2_000) -> Text:
    """AWS text as an inert Rich Text: ``[bold]`` stays the characters ``[bold]``."""
    text = "" if value is None else str(value)
    return Text(literal_text(text, max_len=max_len) if text else "", style=style, end="")


def plain(value: object, style: str = "") -> Text:
    """Our own text (numbers, labels) as Text, so a table never parses it as markup."""
    return Text("" if value is None else str(value), style=style, end="")


def age(when: datetime | None, now: datetime | None) -> str:
    """``5s``, ``3m``, ``2h``, ``4d``: how long ago, as k9s shows it."""
    if when is None:
        return "-"
    if now is None:
        return "·"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def seconds_ago(when: datetime | None, now: datetime) -> float:
    if when is None:
        return float("inf")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (now - when).total_seconds()


def sparkline(values: Sequence[float], width: int = 10, *, top: float = 100.0) -> str:
    """The last ``width`` values on a 0..top scale as block characters."""
    if not values:
        return ""
    tail = list(values)[-width:]
    scale = max(top, max(tail)) or 1.0
    return "".join(SPARK[min(len(SPARK) - 1, int(v / scale * (len(SPARK) - 1) + 0.5))] for v in tail)


def bar(done: float, total: float, width: int = 8) -> str:
    """A progress bar ``█████░░░`` for a rolling deployment."""
    if total <= 0:
        return "░" * width
    filled = max(0, min(width, round(done / total * width)))
    return "█" * filled + "░" * (width - filled)


ROLLOUT_STYLE = {"COMPLETED": "green", "IN_PROGRESS": "yellow", "FAILED": "bold red"}
STATUS_STYLE = {
    "RUNNING": "green",
    "ACTIVE": "green",
    "PENDING": "yellow",
    "PROVISIONING": "yellow",
    "ACTIVATING": "yellow",
    "DEACTIVATING": "yellow",
    "STOPPING": "yellow",
    "STOPPED": "dim",
    "DRAINING": "yellow",
    "INACTIVE": "dim",
    "HEALTHY": "green",
    "healthy": "green",
    "UNHEALTHY": "bold red",
    "unhealthy": "bold red",
    "UNKNOWN": "dim",
}


def status(value: str) -> Text:
    return aws(value or "-", STATUS_STYLE.get(value, ""))


def alarm_names(names: Sequence[str] | None, shown: int = 1) -> Text:
    """An ALARMS cell: "?" when the read failed, "-" for none, else the first names in red, "+N"."""
    if names is None:
        return plain("?", "yellow")
    if not names:
        return plain("-", "dim")
    text = ", ".join(names[:shown])
    if len(names) > shown:
        text += f" +{len(names) - shown}"
    return aws(text, "bold red")


def alarm_lines(alarms: Sequence[Alarm] | None) -> Text:
    """A detail pane's alarm lines: each firing alarm with CloudWatch's reason and its description."""
    out = Text(end="")
    if alarms is None:
        out.append("\nalarms ?", style="yellow")
    elif not alarms:
        out.append("\nno alarm firing", style="dim")
    for alarm in alarms or ():
        out.append("\nALARM ", style="bold red")
        out.append_text(aws(alarm.name, "bold red"))
        out.append("  ")
        out.append_text(aws(alarm.reason, "dim", max_len=300))
        if alarm.description:
            out.append("\n      ")
            out.append_text(aws(alarm.description, "italic", max_len=300))
    return out


def now_utc() -> datetime:
    return datetime.now(UTC)


class Presenter:
    """How the panes show what changes from run to run: the clock, ages, sparklines, generated ids.

    The console uses this one. A snapshot test hosts the panes with a presenter of its own
    (tests/screens/still.py) that holds these still, so the panes fetch and render exactly as
    for a user and only the moving parts are drawn as fixed marks.
    """

    def __init__(self, clock: Callable[[], datetime] = now_utc) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock()

    def age(self, when: datetime | None, now: datetime | None = None) -> str:
        return age(when, self.now() if now is None else now)

    def duration(self, seconds: float | None) -> str:
        """How long something has waited (a queue's oldest message): ``45s``, ``12m``, ``71h``."""
        if seconds is None:
            return "-"
        whole = int(seconds)
        if whole < 120:
            return f"{whole}s"
        if whole < 7200:
            return f"{whole // 60}m"
        return f"{whole // 3600}h"

    def spark(self, values: Sequence[float], width: int = 6) -> str:
        """A sparkline with the last value in percent (``▂▃▅ 42%``); ``-`` without data."""
        if not values:
            return "-"
        return f"{sparkline(values, width)} {values[-1]:3.0f}%"

    def ident(self, value: object) -> str:
        """Text that may hold generated ids (task and deployment ids, addresses), as shown."""
        return "" if value is None else str(value)
