"""``:``: a k9s-style command line at the bottom of the screen.

Tab completes the verb, then the name after it (``:cluster``, ``:svc``, ``:queues``,
``:logs``) from what the console knows and what it reads when the line opens; Tab again
goes to the next candidate.  The line under the input lists the candidates, so what Tab
will do is on screen before it is pressed; a name that is not there is met by the
pane's "unknown … did you mean" line on Enter.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from screens.commands import NAME_KINDS, CommandNames, Completion, complete, kind_of
from screens.format import aws

SHOWN = 6  # candidates listed under the input


class CommandSuggester(Suggester):
    """The grey completion after the cursor: the first candidate when it extends the text."""

    def __init__(self, names: CommandNames) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names = names

    async def get_suggestion(self, value: str) -> str | None:
        first = complete(value, self.names).first
        return first if first and first.lower().startswith(value.lower()) and first != value else None


class CommandLineScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    CommandLineScreen { align: left bottom; }
    CommandLineScreen > Vertical { height: auto; }
    CommandLineScreen #command-hint { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="command_line.cancel"),
        Binding("tab", "complete", "Complete", id="command_line.complete", priority=True),
    ]

    def __init__(self, names: CommandNames | None = None, *, value: str = "", hint: str = "") -> None:
        super().__init__()
        self.names = names or CommandNames(known=lambda _kind: ())
        self.initial = value
        self.initial_hint = hint
        self._cycle: Completion | None = None
        self._index = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Input(
                value=self.initial,
                placeholder="cluster NAME · svc [NAME] · queues [NAME] · logs [GROUP] · tasks · clusters · "
                "region R · profile P  (Tab completes)",
                suggester=CommandSuggester(self.names),
                id="command-input",
            )
            yield Static(self.initial_hint, id="command-hint", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one("#command-input", Input)

    def on_mount(self) -> None:
        self.input.cursor_position = len(self.initial)
        if self.initial:
            self._changed(self.initial)

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._cycle is None or event.value not in self._cycle.lines:
            self._cycle = None
        self._changed(event.value)

    def _changed(self, value: str) -> None:
        word, space, _ = value.lstrip(":").partition(" ")
        kind = kind_of(word) if space else None
        if kind is not None and kind not in self.names.loaded:
            self._load(kind)
        self.show_hint(value)

    @work(group="command-names", exit_on_error=False)
    async def _load(self, kind: str) -> None:
        self.show_hint(self.input.value, loading=kind)
        await self.names.fetch(kind)
        self.input._watch_value(self.input.value)  # the grey suggestion again, with the names read
        self.show_hint(self.input.value)

    def show_hint(self, value: str, *, loading: str | None = None) -> None:
        done = complete(value, self.names)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if done.kind is not None:
            what = NAME_KINDS[done.kind]
            if done.candidates:
                text.append("Tab: ", style="bold")
                text.append_text(aws(" · ".join(done.candidates[:SHOWN])))
                if len(done.candidates) > SHOWN:
                    text.append(f"  (+{len(done.candidates) - SHOWN} more)")
            elif loading == done.kind:
                text.append(f"reading {what} names…")
            elif error := self.names.failed.get(done.kind):
                text.append_text(aws(f"{what} names could not be read: {error}"))
            elif done.term:
                text.append_text(aws(f"no {what} name contains '{done.term}'"))
            else:
                text.append(f"no {what} found here")
        elif done.candidates and value:
            text.append("Tab: ", style="bold")
            text.append(" · ".join(done.candidates[:SHOWN]))
        elif not value:
            text.append(self.initial_hint)
        self.query_one("#command-hint", Static).update(text)

    def action_complete(self) -> None:
        """Tab: the first candidate; Tab again: the next one (the line shows them all)."""
        value = self.input.value
        if self._cycle is not None and value in self._cycle.lines:
            self._index = (self._index + 1) % len(self._cycle.lines)
        else:
            self._cycle = complete(value, self.names)
            self._index = 0
        if not self._cycle.lines:
            self.show_hint(value)
            return
        line = self._cycle.lines[self._index]
        cycle = self._cycle
        self.input.value = line
        self.input.cursor_position = len(line)
        self._cycle = cycle

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
