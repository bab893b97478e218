"""The base of every pane: a poll that never overlaps, pauses when hidden, and backs off.

dolphie's WorkerManager schedules the next poll with ``set_timer`` only after
the last one finished; that is the loop here.  A pane polls only while it is
the active screen: a modal on top or a pane pushed over it suspends it, and
resuming it polls at once if a poll came due meanwhile.  Errors go to the
status line as one line and double the delay (up to a minute); the rows
already shown stay.
"""

from __future__ import annotations

import asyncio
import time
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from console.api import ConsoleApi
from console.errors import describe_aws_error
from console.logs.filter import matches as text_matches
from screens.copy_open import COPY_OPEN_BINDINGS, CopyOpen
from screens.format import Presenter
from screens.heap import freeze_startup_heap
from screens.host import Host, Navigation, Notifier, host_of
from screens.widgets.bars import StatusLine, TopBar
from screens.widgets.key_bar import KeyBar
from screens.widgets.keyed_table import KeyedTable

MAX_BACKOFF_S = 60.0
WAITING_TICK_S = 1.0  # a first load slower than this shows what it waits for


class FilterInput(Input):
    DEFAULT_CSS = """
    FilterInput { display: none; height: 1; border: none; padding: 0 1; }
    FilterInput.-shown { display: block; }
    """


def matches(text: str, query: str) -> bool:
    """The filter language of every ``/`` (console.logs.filter): terms, ``!term``, "phrases", /re/, ``|``."""
    return text_matches(text, query)


class PaneScreen(CopyOpen, Screen[None]):
    """A screen that shows one noun and keeps it fresh."""

    crumb: str = ""
    poll_interval: float = 5.0
    filterable: bool = True

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "back", "Back", id="pane.back"),
        Binding("slash", "filter", "Filter", id="pane.filter", key_display="/"),
        Binding("ctrl+r", "refresh", "Refresh", id="pane.refresh", show=False),
        *COPY_OPEN_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self._errors = 0
        self._due = True
        self._polling = False
        self.last_ok: float | None = None
        self.filter_text = ""
        self.polls = 0
        self.held = False

    # --- what the pane gets from its host (screens.host), never the App itself ----------
    @property
    def host(self) -> Host:
        return host_of(self.app)

    @property
    def api(self) -> ConsoleApi:
        return self.host.api

    @property
    def navigation(self) -> Navigation:
        return self.host.navigation

    @property
    def notifier(self) -> Notifier:
        return self.host.notifier

    @property
    def presenter(self) -> Presenter:
        return self.host.presenter

    # --- layout ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        yield from self.compose_body()
        with Vertical(id="bottom"):
            yield FilterInput(
                placeholder="filter: text, !text to exclude (Enter keeps, Esc clears)", id="filter"
            )
            yield StatusLine(id="status")
            yield KeyBar()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def on_mount(self) -> None:
        if not self.held:
            self._schedule(0)

    def hold(self) -> None:
        """No poll until :meth:`release` or until the pane is covered and shown again.

        The clusters pane under ``opsconsole --cluster X`` is covered at once by X's
        services: its poll (every region's clusters, and their services for the
        deployment counts) would compete with the first screenful the user waits for.
        """
        self.held = True
        self._due = True

    def release(self) -> None:
        if self.held:
            self.held = False
            if self.is_attached and self._due and not self._polling:
                self._schedule(0)

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        self.held = False  # covered: the next resume polls as usual

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        self.refresh_top_bar()
        if self._due and not self._polling and not self.held:
            self._schedule(0)

    def refresh_top_bar(self) -> None:
        self.host.show_top_bar(self.query_one("#topbar", TopBar))

    # --- the poll loop -----------------------------------------------------------
    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(delay, self._kick) if delay > 0 else None
        if delay <= 0:
            self.call_later(self._kick)

    def _kick(self) -> None:
        self._timer = None
        if self._polling:
            return
        if not self.is_active or self.host.paused:
            self._due = True  # polled again on resume
            return
        self._due = False
        self._polling = True
        self.run_worker(self._poll(), group="poll", exclusive=True, exit_on_error=False)

    async def _poll(self) -> None:
        started = time.monotonic()
        # Nothing read yet: the status line says what the pane waits for, second by second,
        # so an account that does not answer is never an empty table with no sign of work.
        waiting = (
            self.set_interval(WAITING_TICK_S, lambda: self._show_waiting(started))
            if self.last_ok is None
            else None
        )
        try:
            await self.load()
        except asyncio.CancelledError:
            self._polling = False
            raise
        except Exception as exc:  # every failure becomes one status line, the rows stay
            self._errors += 1
            self.status.set_error(describe_aws_error(exc))
            self.notifier.note_error(exc)
        else:
            self._errors = 0
            self.last_ok = time.monotonic()
            self.status.set_error("")
            freeze_startup_heap()  # once per process: the clients and models exist by now
        finally:
            self.polls += 1
            if waiting is not None:
                waiting.stop()
                if self.is_attached:
                    self.status.set_waiting("")
        self._polling = False
        self.log(f"{self.crumb}: poll {time.monotonic() - started:.3f}s")
        if self.is_attached:
            self._schedule(self.next_delay())

    def _show_waiting(self, started: float) -> None:
        if self.status.info:  # the pane shows what came (a first page): it is no longer waiting
            self.status.set_waiting("")
            return
        where = self.api.reads.target(self.host.regions)
        self.status.set_waiting(f"connecting to {where} ({time.monotonic() - started:.0f} s)")

    def next_delay(self) -> float:
        interval = self.host.poll_interval_for(self.poll_interval)
        if not self._errors:
            return interval
        return max(interval, min(MAX_BACKOFF_S, interval * 2**self._errors))

    async def load(self) -> None:
        """Fetch and show; runs in a worker, never twice at once."""

    def action_refresh(self) -> None:
        self._errors = 0
        self._schedule(0)

    # --- navigation, filter ------------------------------------------------------
    def action_back(self) -> None:
        box = self.query("#filter")
        if box and (self.focused is box.first() or self.filter_text):
            self._set_filter("")
            return
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_filter(self) -> None:
        if not self.filterable:
            return
        box = self.query_one("#filter", FilterInput)
        box.add_class("-shown")
        box.value = self.filter_text
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.apply_filter()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, _event: Input.Submitted) -> None:
        box = self.query_one("#filter", FilterInput)
        if not box.value.strip():
            box.remove_class("-shown")
        self.focus_table()

    def _set_filter(self, value: str) -> None:
        box = self.query_one("#filter", FilterInput)
        box.value = value
        self.filter_text = value
        if not value:
            box.remove_class("-shown")
        self.apply_filter()
        self.focus_table()

    def apply_filter(self) -> None:
        """Re-show the rows with the current filter (panes override)."""

    def focus_table(self) -> None:
        tables = self.query(KeyedTable)
        if tables:
            tables.first().focus()

    @on(KeyedTable.RowSelected)
    async def _row_selected(self, event: KeyedTable.RowSelected) -> None:
        event.stop()
        await self.run_action("open")

    # --- read-only ---------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.host.refusal(self, action):
            return None  # shown disabled; pressed, it says why (OpsConsoleApp.run_action)
        return True
