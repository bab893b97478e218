"""The logs pane: follow log groups, a service's or a task's streams, filter, travel in time.

Opened by ``OpsConsoleApp.open_logs(group=..., service=..., task=..., container=...)``
(``:logs``, ``:logs GROUP…``, ``l`` on a service, task or container).

* **Following** is :class:`console.logs.follow.Follower` (no gaps, no duplicates,
  backoff on throttling, one poll at a time, ranges read in concurrent parts) on a
  loop of its own in a thread (:class:`console.logs.threaded.ThreadedFollower`: a
  page is never parsed on the UI's loop), consumed by an *app-level* worker:
  a screen's workers are cancelled with the screen, and a follow must not die
  because a modal or another pane was pushed over it.  So this screen cancels
  its own worker (and stops the follower) when it is removed, and the loop
  checks ``is_cancelled`` as textual #4889 asks.
* **Bounded memory**: :class:`screens.widgets.log_view.LogView` keeps at most
  the profile's ``log_max_lines`` and renders only the rows on screen.
* **Filters** (``/``) are applied to the lines kept, at once, without a fetch;
  a CloudWatch filter pattern (``F``) is sent to the server and restarts the
  follow from the range's start, because it changes what is fetched.
* **Time travel**: ``t`` jumps to a range (``15m``, ``1h``, ``START END``),
  ``b`` pages back in history while the follow goes on, ``p`` pauses the view
  (the follow keeps polling; what arrives is counted and shown on resume).
* Every message is shown literally (``console.literal``), in the view, in the
  JSON modal, in the clipboard and in saved files.
"""

from __future__ import annotations

import asyncio
import os
import re
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

from console import memory
from console.api.logs import Logs, ThreadedFollower
from console.errors import BadInput, OpsError, describe_aws_error
from console.literal import literal_text
from console.logs.follow import FollowStats
from console.logs.loglevel import pretty_json
from console.logs.sources import LogSource
from console.logs.timespec import format_ms, now_ms, parse_range_ms, parse_time_ms
from console.model import LogEvent, Service, Task
from screens.heap import freeze_startup_heap
from screens.pane import PaneScreen
from screens.widgets.log_line import ViewFilter
from screens.widgets.log_view import LogView
from screens.widgets.prompt import Prompt

DEFAULT_SINCE = "10m"  # as aws logs tail
HISTORY_PAGE = 500  # lines per "older" page
UI_SLICE = 250  # lines handed to the view at a time (each slice is a short turn of the UI loop)
# Between slices the worker sleeps this long: a key is several hops through the message queues, and
# sleep(0) would let a slice run between each two of them.
SLICE_PAUSE = 0.002
JSON_MAX_CHARS = 200_000  # a modal never lays out more than this
FILTER_HELP = 'filter: words (all), !word excludes, /regex/, "a phrase"; Enter keeps, Esc clears'


def literal_lines(text: str, *, max_len: int | None = None) -> str:
    """Multi-line text with each line made inert (newlines kept, everything else pictured)."""
    return "\n".join(literal_text(part, max_len=max_len) for part in text.split("\n"))


def event_line(event: LogEvent) -> str:
    """One line of a saved file: time, group:stream, message, all literal."""
    where = literal_text(f"{event.group}:{event.stream}", max_len=None)
    return f"{format_ms(event.timestamp)} {where} {literal_text(event.message, max_len=None)}"


class JsonScreen(ModalScreen[None]):
    """A line's JSON, indented, shown literally (a value may hold escapes or markup)."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="logs_json.close"),
        Binding("q", "dismiss", "Close", show=False, id="logs_json.close_q"),
        Binding("enter,j", "dismiss", "Close", show=False, id="logs_json.close_enter"),
        Binding("c", "copy", "Copy", id="logs_json.copy"),
    ]

    def __init__(self, event: LogEvent) -> None:
        super().__init__()
        self.event = event
        pretty = pretty_json(event.message)
        self.is_json = pretty is not None
        self.body = pretty if pretty is not None else event.message

    def compose(self) -> ComposeResult:
        title = "JSON" if self.is_json else "not JSON: the line as it is"
        head = Text(f"{title} · {format_ms(self.event.timestamp)} · ", style="bold", end="")
        head.append(literal_text(self.event.stream, max_len=120), style="")
        body = literal_lines(self.body[:JSON_MAX_CHARS])
        if len(self.body) > JSON_MAX_CHARS:
            body += f"\n… [+{len(self.body) - JSON_MAX_CHARS:,} chars]"
        with VerticalScroll(id="logs-json-box", classes="modal-body"):
            yield Static(head, classes="heading")
            yield Static(Text(body, end=""), id="logs-json")

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(literal_lines(self.body))
        self.notify("copied", timeout=2)


class LogsScreen(PaneScreen):
    CSS_PATH = "logs.tcss"
    filterable = True
    poll_interval = 3600.0  # load() resolves what to follow once; the follow runs on its own
    follow_interval = 1.0  # seconds between polls (tests and the benchmark shorten it)
    # Events per FilterLogEvents page.  The follow reads in a thread of its own (ThreadedFollower),
    # so it takes AWS's full pages (10,000): 50,000 lines/s at FilterLogEvents' 5 calls/s.
    page_size: int | None = None
    # Paging back (b) reads on the UI's loop, where a page is parsed in one go (~10 us an event):
    # 2,000 keeps that turn short.
    history_page_size: int | None = 2_000
    default_since = DEFAULT_SINCE

    BINDINGS = [
        Binding("enter", "json", "JSON", id="logs.json"),
        Binding("j", "json", "JSON", show=False, id="logs.json_j"),
        Binding("e", "errors", "Errors only", id="logs.errors"),
        Binding("p,space", "pause", "Pause", id="logs.pause"),
        Binding("w", "wrap", "Wrap", id="logs.wrap"),
        Binding("t", "time", "Time range", id="logs.time"),
        Binding("b", "older", "Older", id="logs.older"),
        Binding("f", "live", "Live", show=False, id="logs.live"),
        Binding("F", "pattern", "Server filter", show=False, id="logs.pattern"),
        Binding("c", "copy", "Copy", id="logs.copy"),
        Binding("s", "save", "Save", id="logs.save"),
    ]

    def __init__(
        self,
        *,
        group: str | None = None,
        service: Service | None = None,
        task: Task | None = None,
        container: str | None = None,
    ) -> None:
        super().__init__()
        self.group = group
        self.service = service
        self.task_ = task
        self.container = container
        target = group or (service.name if service else None) or (task.id[:12] if task else None) or "all"
        if container:
            target = f"{target}/{container}"
        self.crumb = f"logs {target}"
        self.sources: list[LogSource] | None = None
        self.pattern = ""  # CloudWatch filter pattern, applied by the server
        self.since: int | None = None
        self.until: int | None = None
        self.state = "starting"
        self.follower: ThreadedFollower | None = None
        self.worker: Worker[None] | None = None
        self._generation = 0
        self._errors_only = False
        self._filter_error = ""
        self._history_exhausted = False
        self._trimmer = memory.Trimmer()
        memory.tune()

    # --- layout ----------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        profile = self.host.settings.profile
        yield LogView(profile.log_max_lines, max_bytes=profile.log_max_bytes, id="log-view")

    @property
    def view(self) -> LogView:
        return self.query_one("#log-view", LogView)

    @property
    def prompt_bar(self) -> Prompt:
        return self.query_one("#logs-prompt", Prompt)

    @property
    def prompt(self) -> Input:
        return self.prompt_bar.input

    def on_mount(self) -> None:
        # In the bottom stack above the status line, where the / filter is: never under the key bar.
        self.query_one("#bottom").mount(Prompt(id="logs-prompt"), before=self.status)
        # PaneScreen.on_mount (called by Textual too: handlers run for each class) starts load().
        self.set_interval(0.25, self.refresh_status)
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        for box in self.query("#filter").results(Input):
            box.placeholder = FILTER_HELP
        self.view.focus()

    def on_unmount(self) -> None:
        self.stop_follow()

    def focus_table(self) -> None:
        self.view.focus()

    # --- what to follow ----------------------------------------------------------------
    async def load(self) -> None:
        """Resolve the sources once, then start the follow (again only if it is not running)."""
        if self.sources is None:
            self.state = "finding log groups"
            self.sources = await self.resolve_sources()
            self.view.set_groups(s.group for s in self.sources)
            self.since = parse_time_ms(self.default_since)
            self.start_follow()
        elif self.worker is None or self.worker.is_finished:
            if self.until is None:
                self.start_follow()

    @property
    def logs_api(self) -> Logs:
        """The facade's logs part (the host's api: a :profile switch replaces it)."""
        return self.api.logs

    async def resolve_sources(self) -> list[LogSource]:
        """What this pane follows, by the resolver the CLI uses too (close matches, each source once)."""
        groups = re.split(r"[\s,]+", self.group.strip()) if self.group else []
        if not (groups or self.service or self.task_):
            groups = list(self.host.settings.profile.log_groups)
        if not (groups or self.service or self.task_):
            raise BadInput("nothing to follow: :logs GROUP, or l on a service, task or container")
        return await self.logs_api.sources(
            list(self.host.regions) or ["us-east-1"],
            groups=[g for g in groups if g],
            service=self.service,
            task=self.task_,
            container=self.container,
        )

    # --- the follow ----------------------------------------------------------------------
    def start_follow(self, *, clear: bool = False) -> None:
        """(Re)start the follow of ``self.sources`` from ``self.since`` (to ``self.until`` if set)."""
        if not self.sources:
            return
        self.stop_follow()
        if clear:
            self.view.clear()
        self.view.set_range_start(self.since)
        self._history_exhausted = False
        self._generation += 1
        follower = self.logs_api.follow_in_thread(
            self.sources,
            since=self.since,
            until=self.until,
            pattern=self.pattern,
            interval=self.follow_interval,
            page_size=self.page_size,
        )
        self.follower = follower
        self.state = "loading range" if self.until is not None else "following"
        # On the App: a screen's workers die with it, and this one must outlive modals on top.
        self.worker = self.app.run_worker(
            self._follow(follower, self._generation),
            name=f"logs follow {self.crumb}",
            group=f"logs-follow-{id(self)}",
            exclusive=True,
            exit_on_error=False,
        )

    def stop_follow(self) -> None:
        if self.follower is not None:
            self.follower.stop()
        if self.worker is not None and not self.worker.is_finished:
            self.worker.cancel()
        self.worker = None

    async def _follow(self, follower: ThreadedFollower, generation: int) -> None:
        worker = get_current_worker()
        try:
            async for batch in follower:
                freeze_startup_heap()
                if worker.is_cancelled or generation != self._generation or not self.is_attached:
                    break
                for more in follower.ready():  # behind: what the bound drops at once is never built
                    batch.extend(more)
                events = self.view.skip_unkept(batch)
                for offset in range(0, len(events), UI_SLICE):  # a turn for keys between slices
                    if offset:
                        await asyncio.sleep(SLICE_PAUSE)
                    if worker.is_cancelled or generation != self._generation:
                        return
                    self.view.add(events[offset : offset + UI_SLICE])
                if self._trimmer.due(self.view.buffer.dropped_bytes):  # the bound in bytes, in RSS too
                    await asyncio.to_thread(memory.trim)
        except OpsError as exc:
            if generation == self._generation:
                self.state = "stopped"
                self.status.set_error(str(exc))
            return
        finally:
            follower.stop()
        if generation == self._generation and not worker.is_cancelled:
            self.state = "range loaded" if self.until is not None else "stopped"

    # --- status ----------------------------------------------------------------------------
    def status_text(self) -> str:
        view = self.view
        buffer = view.buffer
        parts: list[str] = []
        state = self.state
        if view.paused:
            state = f"⏸ paused · {view.arrived_paused:,} new"
        elif state == "following":
            state = "● following" if view.tail else "● following (scrolled: End to tail)"
        parts.append(state)
        if self.sources:
            groups = sorted({s.group for s in self.sources})
            streams = sum(len(s.streams) for s in self.sources)
            where = groups[0] if len(groups) == 1 else f"{len(groups)} groups"
            parts.append(where + (f" ({streams} streams)" if streams else ""))
        if self.since is not None:
            span = f"since {format_ms(self.since)}"
            if self.until is not None:
                span += f" until {format_ms(self.until)}"
            parts.append(span)
        kept = f"{len(buffer):,}/{buffer.max_lines:,} kept"
        if buffer.max_bytes and buffer.bytes * 2 > buffer.max_bytes:  # the byte bound is the nearer one
            kept += f" ({buffer.bytes / 2**20:.0f}/{buffer.max_bytes / 2**20:.0f} MB)"
        parts.append(kept)
        if buffer.dropped:
            parts.append(f"{buffer.dropped:,} dropped")
        if view.view_filter:
            what = []
            if view.view_filter.text:
                what.append(view.view_filter.text)
            if view.view_filter.errors_only:
                what.append("errors only")
            parts.append(f"showing {view.shown:,} ({'; '.join(what)})")
        if self.pattern:
            parts.append(f"server filter {self.pattern}")
        if view.wrap:
            parts.append("wrap")
        stats: FollowStats | None = self.follower.stats if self.follower else None
        if stats is not None:
            if stats.throttled:
                parts.append(f"throttled ×{stats.throttled}")
            if stats.last_error and stats.retry_in:
                parts.append(f"backing off {stats.retry_in:.0f}s")
        return " · ".join(parts)

    def refresh_status(self) -> None:
        if not self.is_attached:
            return
        self.status.set_info(literal_text(self.status_text(), max_len=400))
        stats = self.follower.stats if self.follower else None
        if self._filter_error:
            self.status.set_error(self._filter_error)
        elif stats is not None and self.state != "stopped":
            self.status.set_error(stats.last_error)

    # --- filters ---------------------------------------------------------------------------
    def apply_filter(self) -> None:
        try:
            view_filter = ViewFilter.parse(self.filter_text, errors_only=self._errors_only)
        except BadInput as exc:
            self._filter_error = str(exc)
            self.status.set_error(self._filter_error)
            return
        if self._filter_error:
            self._filter_error = ""
            self.status.set_error("")
        self.view.set_filter(view_filter)
        self.refresh_status()

    def action_errors(self) -> None:
        self._errors_only = not self._errors_only
        self.apply_filter()

    # --- the prompt (time range, server filter, save path) -----------------------------------
    def _ask(self, mode: str, label: str, placeholder: str, value: str = "") -> None:
        self.prompt_bar.ask(mode, label, placeholder, value)

    def _close_prompt(self) -> None:
        self.prompt_bar.close()
        self.view.focus()

    def action_back(self) -> None:
        if self.prompt_bar.shown:
            self._close_prompt()
            return
        super().action_back()

    @on(Input.Submitted, "#logs-prompt-input")
    def _prompt_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        mode, value = self.prompt_bar.mode, event.value.strip()
        self._close_prompt()
        try:
            if mode == "time":
                self.jump(value)
            elif mode == "pattern":
                self.set_pattern(value)
            elif mode == "save":
                self.save(value)
        except OpsError as exc:
            self.notify(str(exc), severity="error", timeout=6)

    def action_time(self) -> None:
        self._ask(
            "time",
            "time range:",
            "15m · 1h · 2d · START END (ISO-8601 or epoch ms) · empty = live · Esc cancels",
        )

    def jump(self, spec: str) -> None:
        """Show a range: ``15m`` follows from 15 minutes ago; ``START END`` loads that range only."""
        words = [w for w in re.split(r"\s+(?:to\s+)?|\.\.", spec.strip()) if w]
        if not words:
            self.action_live()
            return
        if len(words) > 2:
            raise BadInput("a range is START or START END")
        self.since, self.until = parse_range_ms(words[0], words[1] if len(words) > 1 else None)
        self.start_follow(clear=True)

    def action_live(self) -> None:
        """Follow live again (after a range): from the default look-back."""
        self.since, self.until = parse_time_ms(self.default_since), None
        self.start_follow(clear=True)

    def action_pattern(self) -> None:
        self._ask(
            "pattern",
            "server filter:",
            'CloudWatch filter pattern (sent to AWS), e.g. ERROR or "user 42" · empty = none',
            self.pattern,
        )

    def set_pattern(self, pattern: str) -> None:
        self.pattern = pattern
        self.start_follow(clear=True)

    def action_save(self) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self._ask("save", "save the lines shown to:", "a file path", f"opsconsole-logs-{stamp}.log")

    def save(self, path: str) -> Path:
        if not path:
            raise BadInput("give a file name to save to")
        target = Path(os.path.expanduser(path))
        lines = [event_line(line.event) for line in self.view.lines()]
        try:
            target.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8", errors="replace")
        except OSError as exc:
            raise OpsError(f"cannot save to {path}: {exc.strerror or exc}") from None
        self.notify(f"saved {len(lines):,} lines to {literal_text(str(target))}", timeout=4)
        return target

    # --- the selected line -----------------------------------------------------------------
    def action_open(self) -> None:
        self.action_json()

    def action_json(self) -> None:
        line = self.view.selected
        if line is None:
            return
        self.app.push_screen(JsonScreen(line.event))

    def action_copy(self) -> None:
        line = self.view.selected
        if line is None:
            return
        # The clipboard gets the inert text too: a pasted ESC or CR acts in whatever terminal it lands.
        self.app.copy_to_clipboard(literal_lines(line.event.message))
        self.notify("line copied", timeout=2)

    # --- pause, wrap, history --------------------------------------------------------------
    def action_pause(self) -> None:
        view = self.view
        if view.paused:
            arrived = view.resume()
            self.notify(f"{arrived:,} lines arrived while paused", timeout=3)
        else:
            view.pause()
        self.refresh_status()

    def action_wrap(self) -> None:
        self.view.set_wrap(not self.view.wrap)
        self.refresh_status()

    def action_older(self) -> None:
        view = self.view
        if not self.sources:
            return
        if view.buffer.full:
            self.notify(
                f"{len(view.buffer):,} lines kept already (the bound): jump to a range (t) to read further back",
                severity="warning",
                timeout=5,
            )
            return
        if self._history_exhausted:
            self.notify("no older lines", timeout=3)
            return
        self._page_back()

    @work(group="logs-history", exclusive=True, exit_on_error=False)
    async def _page_back(self) -> None:
        """The page before the oldest line kept, fetched beside the follow (which goes on)."""
        assert self.sources
        view = self.view
        oldest = view.oldest
        anchor = oldest.event.timestamp if oldest is not None else (self.since or now_ms())
        reader = self.logs_api.follower(self.sources, pattern=self.pattern, page_size=self.history_page_size)
        try:
            older = await reader.fetch_before(
                anchor, limit=min(HISTORY_PAGE, view.max_lines - len(view.buffer))
            )
        except OpsError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        except Exception as exc:
            self.notify(describe_aws_error(exc), severity="error", timeout=6)
            return
        if not older:
            self._history_exhausted = True
            self.notify("no older lines", timeout=3)
            return
        added = view.prepend(older)
        if self.since is None or older[0].timestamp < self.since:
            self.since = older[0].timestamp
            view.set_range_start(self.since)
        self.notify(f"{added:,} older lines", timeout=2)


__all__ = ["JsonScreen", "LogsScreen", "event_line", "literal_lines"]
