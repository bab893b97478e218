"""The env editor (``e`` on a service): edit every container's environment, save once.

The containers of the service's current revision, one tab each, with a table
of every variable and where it comes from: a plain value, a secret
(``valueFrom``, shown by name and ARN only) or an ``environmentFiles`` entry.
Plain variables can be added, changed, renamed, deleted (and restored), or
loaded from a ``.env`` file; nothing is sent until Save.  The pending edits
are kept as a diff against the revision the editor loaded, shown as
added/changed/removed/unchanged, so a long session ends in one new revision
and one deployment through the operations' plan → confirm → apply → verify.
A cancelled confirmation returns here with the edits intact.  In read-only mode
the editor opens as a viewer: the edit keys are shown disabled and say why when
pressed, so there are never edits that cannot be saved.

Values of secret-looking names are masked until ``v`` reveals them; every
value is drawn inert (no markup, no control characters acting).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, DataTable, Input, Static, Tab, Tabs

from console.env.dotenv import NAME_RE, read_dotenv
from console.env.envdiff import shown_value
from console.errors import OpsError, describe_aws_error
from console.model import Service, TaskDefinition
from console.ops.envsync import ContainerEdit, ContainerView, EnvOp, container_views, editor_edit
from screens.bindings import mutating
from screens.format import aws, plain
from screens.host import Host, host_of
from screens.modals import key_label
from screens.widgets.bars import StatusLine
from screens.widgets.key_bar import KeyBar

MODAL_CSS = """
{name} {{ align: center middle; background: $background 60%; }}
{name} > Vertical {{
    width: 80; max-width: 95%; height: auto; border: round $accent; background: $surface; padding: 0 1;
}}
{name} #env-value-error {{ color: $error; height: auto; }}
{name} Horizontal {{ height: 3; align: center middle; }}
{name} Button {{ margin: 0 2; }}
"""

EDIT_ACTIONS = ("add", "change", "rename", "delete", "load_file")
"""What read-only mode turns off: the editor is then a viewer, with no edits to lose."""

MARKS = {"added": "+", "changed": "~", "removed": "-", "renamed": ">", "": ""}
MARK_STYLES = {"added": "green", "changed": "yellow", "removed": "red strike", "renamed": "cyan", "": ""}


class PendingEnv:
    """One container's pending edits: the desired plain variables and renames, against what was loaded."""

    def __init__(self, view: ContainerView) -> None:
        self.view = view
        self.desired: dict[str, str] = dict(view.environment)
        self.renames: dict[str, str] = {}  # loaded name -> new name

    @property
    def current(self) -> dict[str, str]:
        return self.view.variables

    def check_new_name(self, name: str, *, allow: str = "") -> str:
        """'' when ``name`` may be given to a plain variable, else why not."""
        if NAME_RE.fullmatch(name) is None:
            return "letters, digits and _, not starting with a digit"
        if name in self.view.secret_names:
            return f"{name} is a secret (valueFrom) in {self.view.name}"
        if name != allow and name in self.desired:
            return f"{name} is already set"
        return ""

    def set(self, name: str, value: str) -> None:
        self.desired[name] = value

    def delete(self, name: str) -> None:
        self.desired.pop(name, None)
        for old, new in list(self.renames.items()):
            if new == name:
                del self.renames[old]

    def restore(self, name: str) -> None:
        """Undo the removal of a loaded variable (or a rename of it)."""
        if name in self.renames:
            self.desired.pop(self.renames.pop(name), None)
        self.desired[name] = self.current[name]

    def rename(self, old: str, new: str) -> None:
        value = self.desired.pop(old)
        origin = next((o for o, n in self.renames.items() if n == old), None)
        if origin is not None:
            del self.renames[origin]
        else:
            origin = old if old in self.current else None
        if origin is not None and origin != new and new not in self.current:
            self.renames[origin] = new
        self.desired[new] = value

    def load(self, variables: dict[str, str], *, prune: bool) -> list[str]:
        """Merge a .env file's variables (prune: drop what it lacks); the secret names it skipped."""
        skipped = [n for n in variables if n in self.view.secret_names]
        if prune:
            for name in [n for n in self.desired if n not in variables]:
                self.delete(name)
        for name, value in variables.items():
            if name not in self.view.secret_names:
                self.desired[name] = value
        return skipped

    def edit(self) -> ContainerEdit:
        return editor_edit(self.view, self.desired, self.renames)

    def rows(self) -> Iterator[tuple[str, str, str, str, str]]:
        """(row key, name, value, source, change kind) in the table's order."""
        targets = {new: old for old, new in self.renames.items()}
        for name, value in self.view.environment:
            if name in self.renames:
                new = self.renames[name]
                yield f"env:{name}", f"{new} (was {name})", self.desired[new], "plain", "renamed"
            elif name in self.desired:
                kind = "changed" if self.desired[name] != value else ""
                yield f"env:{name}", name, self.desired[name], "plain", kind
            else:
                yield f"env:{name}", name, value, "plain", "removed"
        for name, value in self.desired.items():
            if name not in self.current and name not in targets:
                yield f"new:{name}", name, value, "plain", "added"
        for name, value_from in self.view.secrets:
            yield f"secret:{name}", name, value_from, "secret (valueFrom)", ""
        for i, (kind, value) in enumerate(self.view.environment_files):
            yield f"file:{i}", f"({kind} environmentFiles)", value, "environmentFiles", ""


class EnvValueScreen(ModalScreen[tuple[str, str] | None]):
    """Ask for a name and/or a value: add (both), change (value), rename (name)."""

    DEFAULT_CSS = MODAL_CSS.format(name="EnvValueScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="env_value.cancel")]

    def __init__(
        self, title: str, pending: PendingEnv, *, name: str = "", value: str = "", mode: str
    ) -> None:
        super().__init__()
        self.title_text = title
        self.pending = pending
        self.mode = mode  # add | change | rename
        self.start_name = name
        self.start_value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(aws(self.title_text, "bold"), id="env-value-title")
            yield Input(
                value=self.start_name,
                placeholder="NAME",
                id="env-name",
                disabled=self.mode == "change",
                select_on_focus=True,
            )
            yield Input(
                value=self.start_value,
                placeholder="value",
                id="env-value",
                disabled=self.mode == "rename",
                select_on_focus=False,
            )
            yield Static("", id="env-value-error")
            with Horizontal():
                yield Button(key_label("Enter", "OK"), id="env-value-ok", variant="primary")
                yield Button(key_label("Esc", "Cancel"), id="env-value-cancel")

    def on_mount(self) -> None:
        self.query_one("#env-value" if self.mode == "change" else "#env-name", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#env-value-ok")
    def _submit(self) -> None:
        name = self.query_one("#env-name", Input).value.strip()
        value = self.query_one("#env-value", Input).value
        if self.mode != "change":
            allow = self.start_name if self.mode == "rename" else ""
            why = self.pending.check_new_name(name, allow=allow)
            if why:
                self.query_one("#env-value-error", Static).update(aws(why))
                return
        self.dismiss((name, value))

    @on(Button.Pressed, "#env-value-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class LoadEnvScreen(ModalScreen[tuple[str, bool] | None]):
    """Ask for a .env file to load into the pending edits (merge, or prune)."""

    DEFAULT_CSS = MODAL_CSS.format(name="LoadEnvScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="env_load.cancel")]

    def __init__(self, container: str, default: str = "") -> None:
        super().__init__()
        self.container = container
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(aws(f"Load a .env file into {self.container}", "bold"))
            yield Input(value=self.default, placeholder="path/to/.env", id="env-load-path")
            yield Checkbox("also remove variables the file lacks (prune)", id="env-load-prune")
            with Horizontal():
                yield Button(key_label("Enter", "Load"), id="env-load-ok", variant="primary")
                yield Button(key_label("Esc", "Cancel"), id="env-load-cancel")

    def on_mount(self) -> None:
        self.query_one("#env-load-path", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#env-load-ok")
    def _submit(self) -> None:
        path = self.query_one("#env-load-path", Input).value.strip()
        if path:
            self.dismiss((path, self.query_one("#env-load-prune", Checkbox).value))

    @on(Button.Pressed, "#env-load-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class EnvEditorScreen(Screen[None]):
    CSS_PATH = "env_editor.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="env.close"),
        Binding("a", "add", "Add", id="env.add"),
        Binding("c", "change", "Change", id="env.change"),
        Binding("n", "rename", "Rename", id="env.rename"),
        Binding("d", "delete", "Delete/restore", id="env.delete"),
        Binding("v", "reveal", "Reveal", id="env.reveal"),
        Binding("f", "load_file", "Load .env", id="env.load"),
        Binding("right_square_bracket", "next_container", "Next container", id="env.next", show=False),
        Binding("left_square_bracket", "previous_container", "Previous", id="env.previous", show=False),
        mutating("ctrl+s", "save_env", "Save", id="env.save"),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.base: TaskDefinition | None = None
        self.pending: dict[str, PendingEnv] = {}
        self.container = ""
        self.reveal = False
        self.loaded = False
        self.saving = False

    @property
    def host(self) -> Host:
        return host_of(self.app)

    # --- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="env-title")
        yield Tabs(id="env-tabs")
        yield DataTable(id="env-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="env-diff-box"):
            yield Static("loading…", id="env-diff")
        yield StatusLine(id="status")
        yield KeyBar()

    def _title(self) -> Text:
        head = Text(end="")
        if self.host.read_only:
            head.append("Env viewer (read-only)  ", style="bold")
        else:
            head.append("Env editor  ", style="bold")
        head.append_text(aws(f"{self.service.cluster_name}/{self.service.name}", "bold"))
        head.append_text(aws(f"  {self.base.family_revision if self.base else self.service.revision}", "dim"))
        head.append(f"  ({self.service.region})", style="dim")
        return head

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#env-table", DataTable)

    def on_mount(self) -> None:
        self.table.add_columns("", "NAME", "VALUE", "SOURCE")
        self.load()

    # --- loading ---------------------------------------------------------------------
    @work(group="env-load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        try:
            self.service, self.base = await self.host.operations.env_base(self.service)
        except Exception as exc:
            self.query_one("#env-diff", Static).update(aws(describe_aws_error(exc), "red"))
            self.notify(describe_aws_error(exc), severity="error", timeout=6)
            return
        self.show_revision(self.base)

    def show_revision(self, base: TaskDefinition) -> None:
        self.base = base
        views = container_views(base)
        self.pending = {v.name: PendingEnv(v) for v in views}
        tabs = self.query_one("#env-tabs", Tabs)
        tabs.clear()
        for view in views:
            tabs.add_tab(Tab(view.name, id=f"tab-{len(tabs.query(Tab))}"))
        if self.container not in self.pending:
            self.container = views[0].name if views else ""
        self._activate_tab()
        self.query_one("#env-title", Static).update(self._title())
        self.loaded = True
        self.render_all()

    def _activate_tab(self) -> None:
        tabs = self.query_one("#env-tabs", Tabs)
        for tab in tabs.query(Tab):
            if str(tab.label.plain) == self.container:
                tabs.active = tab.id or ""

    @on(Tabs.TabActivated, "#env-tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        name = str(event.tab.label.plain) if event.tab else ""
        if name in self.pending and name != self.container:
            self.container = name
            self.render_all()

    # --- rendering -------------------------------------------------------------------
    @property
    def current(self) -> PendingEnv | None:
        return self.pending.get(self.container)

    def render_all(self) -> None:
        self.render_table()
        self.render_diff()

    def render_table(self) -> None:
        pending = self.current
        table = self.table
        keep = table.cursor_row
        table.clear()
        if pending is None:
            return
        for key, name, value, source, kind in pending.rows():
            style = MARK_STYLES[kind]
            if source == "plain":
                shown = shown_value([name.split(" ", 1)[0]], value, reveal=self.reveal)
            else:
                shown = value  # a secret's ARN or an S3 object: never the value itself
            table.add_row(
                plain(MARKS[kind], style),
                aws(name, style),
                aws(shown, "dim" if kind == "removed" else ""),
                plain(source, "dim" if source == "plain" else "magenta"),
                key=key,
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    def edits(self) -> list[ContainerEdit]:
        return [p.edit() for p in self.pending.values()]

    def diff_text(self) -> Text:
        out = Text(end="")
        try:
            edits = self.edits()
        except OpsError as exc:
            return aws(str(exc), "red")
        pending = [e for e in edits if not e.is_empty]
        out.append("pending: ", style="bold")
        if not pending:
            out.append("no edits", style="dim")
        for edit in edits:
            out.append("\n")
            out.append_text(
                aws(f"{edit.container}: {edit.diff.summary()}", "bold" if not edit.is_empty else "dim")
            )
            for line in edit.diff.render_lines(reveal=self.reveal):
                out.append("\n  ")
                out.append_text(aws(line, MARK_STYLES[_kind_of(line)]))
        return out

    def render_diff(self) -> None:
        self.query_one("#env-diff", Static).update(self.diff_text())

    # --- the row under the cursor ----------------------------------------------------
    def _selected(self) -> tuple[str, str] | None:
        """(kind, name) of the row under the cursor: kind env/new/secret/file."""
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        kind, _, name = key.partition(":")
        return kind, name

    def _plain_name(self) -> str | None:
        """The current name of the selected plain variable, or None (with a note) for other rows."""
        picked = self._selected()
        pending = self.current
        if picked is None or pending is None:
            return None
        kind, name = picked
        if kind in ("secret", "file"):
            self.notify(
                "secrets (valueFrom) and environmentFiles are not edited here", severity="warning", timeout=4
            )
            return None
        if kind == "env" and name in pending.renames:
            return pending.renames[name]
        if kind == "env" and name not in pending.desired:
            self.notify(f"{name} is deleted: d restores it", timeout=3)
            return None
        return name

    # --- actions ---------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.host.refusal(self, action):
            return None  # shown disabled; pressed, it says why
        return True

    def refusal_of(self, action: str) -> str:
        if action in EDIT_ACTIONS and self.host.read_only:
            return f"read-only: {action.replace('_', ' ')} is disabled (the env editor is a viewer)"
        return ""

    def _ask(self, screen: EnvValueScreen, then: Any) -> None:
        if self.current is None:
            return
        self.app.push_screen(screen, then)

    def action_add(self) -> None:
        pending = self.current
        if pending is None:
            return

        def done(answer: tuple[str, str] | None) -> None:
            if answer:
                pending.set(*answer)
                self.render_all()

        self._ask(EnvValueScreen(f"Add a variable to {pending.view.name}", pending, mode="add"), done)

    def action_change(self) -> None:
        pending = self.current
        name = self._plain_name()
        if pending is None or name is None:
            return

        def done(answer: tuple[str, str] | None) -> None:
            if answer:
                pending.set(name, answer[1])
                self.render_all()

        value = pending.desired[name]
        self._ask(EnvValueScreen(f"Change {name}", pending, name=name, value=value, mode="change"), done)

    def action_rename(self) -> None:
        pending = self.current
        name = self._plain_name()
        if pending is None or name is None:
            return

        def done(answer: tuple[str, str] | None) -> None:
            if answer and answer[0] != name:
                pending.rename(name, answer[0])
                self.render_all()

        self._ask(EnvValueScreen(f"Rename {name}", pending, name=name, mode="rename"), done)

    def action_delete(self) -> None:
        picked = self._selected()
        pending = self.current
        if picked is None or pending is None:
            return
        kind, name = picked
        if kind in ("secret", "file"):
            self._plain_name()  # says why not
            return
        if kind == "env" and (name not in pending.desired or name in pending.renames):
            if name in pending.renames:
                pending.delete(pending.renames[name])
            else:
                pending.restore(name)
        else:
            pending.delete(name)
        self.render_all()

    def action_reveal(self) -> None:
        self.reveal = not self.reveal
        self.render_all()

    def action_next_container(self) -> None:
        self._step_container(1)

    def action_previous_container(self) -> None:
        self._step_container(-1)

    def _step_container(self, step: int) -> None:
        names = list(self.pending)
        if len(names) > 1 and self.container in names:
            self.container = names[(names.index(self.container) + step) % len(names)]
            self._activate_tab()
            self.render_all()

    def action_load_file(self) -> None:
        pending = self.current
        if pending is None:
            return
        rules = self.host.settings.rules_for(self.service.cluster_name, self.service.name)

        def done(answer: tuple[str, bool] | None) -> None:
            if not answer:
                return
            path, prune = answer
            try:
                variables = read_dotenv(Path(path).expanduser())
            except OpsError as exc:
                self.notify(str(exc), severity="error", timeout=8)
                return
            skipped = pending.load(variables, prune=prune)
            if skipped:
                self.notify(
                    f"skipped secrets (valueFrom): {', '.join(skipped)}", severity="warning", timeout=6
                )
            self.notify(f"loaded {len(variables)} variables from {path}", timeout=3)
            self.render_all()

        self.app.push_screen(LoadEnvScreen(pending.view.name, rules.env_file or ""), done)

    def action_close(self) -> None:
        try:
            pending = any(not e.is_empty for e in self.edits())
        except OpsError:
            pending = True
        if pending and not getattr(self, "_warned_close", False):
            self._warned_close = True
            self.notify("unsaved edits: Esc again discards them, ctrl+s saves", severity="warning", timeout=4)
            return
        self.dismiss(None)

    def action_save_env(self) -> None:
        if self.base is None or self.saving:
            return
        try:
            edits = self.edits()
        except OpsError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        if all(e.is_empty for e in edits):
            self.notify("no pending edits", timeout=3)
            return
        self.saving = True
        self.app.run_worker(
            self._save(self.base, edits), group="operation", exclusive=True, exit_on_error=False
        )

    async def _save(self, base: TaskDefinition, edits: list[ContainerEdit]) -> None:
        from screens.operations import pacing_for

        host = self.host
        prepared: list[EnvOp] = []

        async def prepare() -> EnvOp:
            op = await host.operations.prepare_env_save(self.service, base, edits, pacing=pacing_for(host))
            prepared.append(op)
            return op

        try:
            outcome = await host.run_operation(prepare)
        finally:
            self.saving = False
        if outcome is not None and outcome.confirmed and prepared and prepared[0].registered is not None:
            self._warned_close = False
            self.show_revision(prepared[0].registered)  # the new revision, no pending edits


def _kind_of(line: str) -> str:
    return {"+": "added", "~": "changed", "-": "removed", ">": "renamed"}.get(line[:1], "")
