"""Pick the revision to roll back to: registration time and the diff against the running one.

The highlighted row's full diff shows below the list, so one can read what a
rollback undoes before choosing it.  The default (the previous ACTIVE
revision) is highlighted first; where AWS's circuit breaker already rolled the
service back, that is shown above the list.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.model import Service
from console.ops.rollback import RevisionChoice, when
from screens.format import aws


def choice_prompt(choice: RevisionChoice) -> Text:
    out = Text(end="")
    out.append_text(aws(choice.family_revision, "bold" if choice.current or choice.default else ""))
    out.append(f"  {when(choice.registered_at)}  ", style="dim")
    out.append_text(aws(choice.diff.summary()))
    if choice.current:
        out.append("  (running)", style="green")
    elif choice.default:
        out.append("  (default: previous ACTIVE)", style="cyan")
    return out


def diff_text(choice: RevisionChoice) -> Text:
    out = Text(end="")
    if choice.current:
        out.append("the running revision", style="dim")
        return out
    for i, line in enumerate(choice.diff.lines()):
        if i:
            out.append("\n")
        out.append_text(aws(line))
    return out


class RevisionPickerScreen(ModalScreen[str | None]):
    """Dismisses with the chosen revision's ARN, or None."""

    DEFAULT_CSS = """
    RevisionPickerScreen { align: center middle; background: $background 60%; }
    RevisionPickerScreen > Vertical { width: 90%; max-width: 120; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    RevisionPickerScreen OptionList { height: auto; max-height: 12; }
    RevisionPickerScreen #revision-diff { height: auto; max-height: 14; }
    RevisionPickerScreen #revision-notes { color: $warning; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="revisions.cancel")]

    def __init__(
        self, service: Service, choices: Sequence[RevisionChoice], notes: Sequence[str] = ()
    ) -> None:
        super().__init__()
        self.service = service
        self.choices = list(choices)
        self.notes = list(notes)

    def compose(self) -> ComposeResult:
        head = Text(end="")
        head.append("Roll back ", style="bold")
        head.append_text(aws(f"{self.service.cluster_name}/{self.service.name}", "bold"))
        head.append("  (enter: plan, esc: cancel; revisions are never deregistered)", style="dim")
        with Vertical():
            yield Static(head, id="revision-head")
            if self.notes:
                notes = Text("AWS's circuit breaker acted on this service:", end="")
                for note in self.notes:
                    notes.append("\n  ")
                    notes.append_text(aws(note))
                yield Static(notes, id="revision-notes")
            yield OptionList(*(Option(choice_prompt(c), id=c.arn) for c in self.choices), id="revision-list")
            with VerticalScroll(id="revision-diff"):
                yield Static("", id="revision-diff-text")

    def on_mount(self) -> None:
        options = self.query_one("#revision-list", OptionList)
        start = next((i for i, c in enumerate(self.choices) if c.default), 0)
        if self.choices:
            options.highlighted = start
            self._show(start)
        options.focus()

    def _show(self, index: int | None) -> None:
        if index is None or not (0 <= index < len(self.choices)):
            return
        self.query_one("#revision-diff-text", Static).update(diff_text(self.choices[index]))

    @on(OptionList.OptionHighlighted, "#revision-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_index)

    @on(OptionList.OptionSelected, "#revision-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        choice = self.choices[event.option_index]
        if choice.current:
            self.app.notify(f"{choice.family_revision} is already running", timeout=3)
            return
        self.dismiss(choice.arn)

    def action_cancel(self) -> None:
        self.dismiss(None)
