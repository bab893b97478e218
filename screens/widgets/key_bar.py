"""The key hints at the bottom of a screen: one widget drawing one line of text.

Textual's ``Footer`` is a widget per binding, recomposed (unmounted, mounted, styled)
whenever the bindings change: on every focus change and every screen push. At the
console's scale that DOM churn cost more than drawing the first screenful of services,
and it ran again each time a modal opened. Here the hints are one ``Text``: rebuilt
when the screen's bindings change, drawn like any static line. A click on a hint
presses its key, so the mouse still works; ``?`` lists every binding.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    """``key description`` for every shown binding of the screen, greyed out when disabled."""

    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        dock: bottom;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .key-bar--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
    KeyBar > .key-bar--description { color: $footer-description-foreground; background: $footer-description-background; }
    KeyBar > .key-bar--disabled { color: $text-disabled; }
    """

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = Text(no_wrap=True, overflow="ellipsis", end="")
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each hint, for clicks
        self._palette = Text(no_wrap=True, end="")
        self._palette_key = ""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._rebuild)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen and self.is_attached:
            self._rebuild()

    def _rebuild(self) -> None:
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        description_style = self.get_component_rich_style("key-bar--description", partial=True)
        disabled_style = self.get_component_rich_style("key-bar--disabled", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        spans: list[tuple[int, int, str]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)  # one hint per action, like Footer (its first key)
            start = text.cell_len
            text.append(f" {self.app.get_key_display(binding)} ", key_style if enabled else disabled_style)
            text.append(f"{binding.description} ", description_style if enabled else disabled_style)
            spans.append((start, text.cell_len, binding.key))
        palette = Text(no_wrap=True, end="")
        found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if self.app.ENABLE_COMMAND_PALETTE and found is not None:
            palette.append(f" {self.app.get_key_display(found.binding)} ", key_style)
            palette.append(f"{found.binding.description} ", description_style)
            self._palette_key = found.binding.key
        if (text.plain, text.spans, palette.plain) != (
            self._text.plain,
            self._text.spans,
            self._palette.plain,
        ):
            self._text, self._spans, self._palette = text, spans, palette
            self.refresh()

    def render(self) -> Text:
        """The hints from the left, the command palette's key pinned right (as Footer does)."""
        width = self.size.width
        room = max(0, width - self._palette.cell_len)
        line = self._text.copy()
        if line.cell_len > room:
            line.truncate(room, overflow="ellipsis")
        line.pad_right(room - line.cell_len)
        line.append_text(self._palette)
        return line

    def on_click(self, event: events.Click) -> None:
        if self._palette.cell_len and event.x >= self.size.width - self._palette.cell_len:
            self.app.simulate_key(self._palette_key.split(",")[0])
            return
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key.split(",")[0])
                return

    @property
    def hints(self) -> str:
        """The line as shown (tests read it)."""
        return self._text.plain + self._palette.plain
