"""Pick the revision to roll back to: registration time and the diff against the running one.

The highlighted row's full diff shows below the list, so one can read what a
rollback undoes before choosing it.  The default (the previous ACTIVE
revision) is highlighted first; where AWS's circuit breaker already rolled the
service back, that is shown above the list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.model import Service
from console.ops.revision_diff import diff_revisions
from console.ops.revision_outcomes import RevisionOutcome, duration
from console.ops.rollback import RevisionChoice, when
from screens.format import aws
from screens.modals.picker import PickerScreen


def choice_prompt(choice: RevisionChoice, outcome: RevisionOutcome | None = None) -> Text:
    out = Text(end="")
    if outcome is not None and outcome.marked:
        out.append("✗ ", style="bold red")
    out.append_text(aws(choice.family_revision, "bold" if choice.current or choice.default else ""))
    out.append(f"  {when(choice.registered_at)}  ", style="dim")
    if outcome is not None:
        out.append_text(aws(outcome_words(outcome), "red" if outcome.marked else ""))
        out.append("  ")
    out.append_text(aws(choice.diff.summary()))
    if choice.current:
        out.append("  (running)", style="green")
    elif choice.default:
        out.append("  (default: previous ACTIVE)", style="cyan")
    return out


def outcome_words(outcome: RevisionOutcome) -> str:
    words = outcome.outcome
    if outcome.steady_s is not None:
        words += f" {duration(outcome.steady_s)}"
    if outcome.deployed_by:
        words += f" by {outcome.deployed_by.rsplit('/', 1)[-1]}"
    return words


def diff_text(choice: RevisionChoice, marked: RevisionChoice | None = None) -> Text:
    out = Text(end="")
    diff = choice.diff
    if marked is not None and marked.td is not None and choice.td is not None and marked is not choice:
        diff = diff_revisions(marked.td, choice.td)
    elif choice.current:
        out.append("the running revision (m marks a revision to diff against)", style="dim")
        return out
    for i, line in enumerate(diff.lines()):
        if i:
            out.append("\n")
        out.append_text(aws(line))
    return out


class RevisionPickerScreen(PickerScreen):
    """Dismisses with the chosen revision's ARN, or None."""

    DEFAULT_CSS = """
    RevisionPickerScreen OptionList { height: auto; max-height: 12; }
    RevisionPickerScreen #revision-diff { height: auto; max-height: 14; }
    RevisionPickerScreen #revision-notes { color: $warning; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="revisions.cancel"),
        Binding("m", "mark", "Mark to diff", id="revisions.mark"),
    ]

    def __init__(
        self,
        service: Service,
        choices: Sequence[RevisionChoice],
        notes: Sequence[str] = (),
        outcomes: Mapping[str, RevisionOutcome] | None = None,
    ) -> None:
        super().__init__(service)
        self.choices = list(choices)
        self.notes = list(notes)
        self.outcomes = dict(outcomes or {})
        self.marked: RevisionChoice | None = None
        self.index: int | None = None

    def compose(self) -> ComposeResult:
        head = self.head("revision")
        head.append("  (enter: plan, m: mark to diff, esc: cancel; ✗ failed: asks twice)", style="dim")
        with Vertical():
            yield Static(head, id="revision-head")
            if self.notes:
                notes = Text("AWS's circuit breaker acted on this service:", end="")
                for note in self.notes:
                    notes.append("\n  ")
                    notes.append_text(aws(note))
                yield Static(notes, id="revision-notes")
            yield OptionList(
                *(Option(choice_prompt(c, self.outcomes.get(c.arn)), id=c.arn) for c in self.choices),
                id="revision-list",
            )
            with VerticalScroll(id="revision-diff"):
                yield Static("", id="revision-diff-text")

    def on_mount(self) -> None:
        start = next((i for i, c in enumerate(self.choices) if c.default), 0)
        self.focus_list(start if self.choices else None)
        self._show(start if self.choices else None)

    def _show(self, index: int | None) -> None:
        if index is None or not (0 <= index < len(self.choices)):
            return
        self.index = index
        self.query_one("#revision-diff-text", Static).update(diff_text(self.choices[index], self.marked))

    def action_mark(self) -> None:
        """Mark the highlighted revision: the diff below is then from it to the highlighted one."""
        if self.index is None:
            return
        choice = self.choices[self.index]
        self.marked = None if self.marked is choice else choice
        said = f"diff from {choice.family_revision}" if self.marked else "diff against the running revision"
        self.app.notify(said, timeout=3, markup=False)
        self._show(self.index)

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
