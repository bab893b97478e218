"""The key hints at the bottom of a screen: one widget drawing one line of text.

Textual's ``Footer`` is a widget per binding, recomposed (unmounted, mounted, styled)
whenever the bindings change: on every focus change and every screen push. At the
console's scale that DOM churn cost more than drawing the first screenful of services,
and it ran again each time a modal opened. Here the hints are one ``Text``: rebuilt
when the screen's bindings change, drawn like any static line. A click on a hint
presses its key, so the mouse still works; ``?`` lists every binding.

The hints are in the order of use: the screen's own keys first (in the order the
screen lists them: Enter, detail, the operations...), then the pane's (Esc, ``/``),
then the app's (``:``, ``?``, ``q``). A hint is shown whole or not at all; when some
have no room, the ``?`` hint says "more" and is kept, since ``?`` lists them all.
A disabled key is drawn in the bar's colour blended halfway into its background,
so it reads as dimmed in the dark and the light theme alike.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.screen import Screen
from textual.widget import Widget

DISABLED_BLEND = 0.55  # how far a disabled hint's colour moves towards the background
HELP_ACTIONS = ("help", "app.help")


def _rank(binding: Binding, from_app: bool) -> int:
    """0: the screen's own keys, 1: the pane's (back, filter), 2: the app's (command, help, quit)."""
    if from_app or (binding.id or "").startswith("app."):
        return 2
    if (binding.id or "").startswith("pane."):
        return 1
    return 0


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
        self._hints: list[
            tuple[str, str, bool, str, bool]
        ] = []  # (key shown, description, enabled, key, help)
        self._shown_width = -1
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

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._shown_width = -1  # a theme change: the hints are drawn again in its colours

    def _disabled_style(self) -> Style:
        """The bar's own colour blended into its background: dim in every theme.

        (``$text-disabled`` is a colour with alpha, which a partial Rich style cannot resolve:
        it came out as pure white, brighter than the enabled hints.)
        """
        background = self.styles.background if self.styles.background.a else Color(0, 0, 0)
        foreground = self.styles.color
        return Style(color=foreground.blend(background, DISABLED_BLEND).rich_color)

    def _rebuild(self) -> None:
        hints: list[tuple[int, int, tuple[str, str, bool, str, bool]]] = []
        seen: set[str] = set()
        for index, (node, binding, enabled, _tooltip) in enumerate(self.screen.active_bindings.values()):
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)  # one hint per action, like Footer (its first key)
            hint = (
                self.app.get_key_display(binding),
                binding.description,
                enabled,
                binding.key,
                binding.action in HELP_ACTIONS,
            )
            hints.append((_rank(binding, node is self.app), index, hint))
        hints.sort(key=lambda h: (h[0], h[1]))
        palette = Text(no_wrap=True, end="")
        found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if self.app.ENABLE_COMMAND_PALETTE and found is not None:
            palette.append(f" {self.app.get_key_display(found.binding)} ", self._style("key"))
            palette.append(f"{found.binding.description} ", self._style("description"))
            self._palette_key = found.binding.key
        ordered = [h for _r, _i, h in hints]
        if (ordered, palette.plain) != (self._hints, self._palette.plain):
            self._hints, self._palette = ordered, palette
            self._shown_width = -1
            self.refresh()

    def _style(self, part: str) -> Style:
        return self.get_component_rich_style(f"key-bar--{part}", partial=True)

    def _layout(self, room: int) -> None:
        """The hints that fit in ``room`` cells, whole, in order; ``?`` kept (as "more") when some do not."""
        key_style, description_style = self._style("key"), self._style("description")
        disabled = self._disabled_style()

        def build(
            hints: list[tuple[str, str, bool, str, bool]], more: bool
        ) -> tuple[Text, list[tuple[int, int, str]]]:
            text = Text(no_wrap=True, end="")
            spans: list[tuple[int, int, str]] = []
            for shown, description, enabled, key, is_help in hints:
                start = text.cell_len
                text.append(f" {shown} ", key_style if enabled else disabled)
                label = "more" if is_help and more else description
                text.append(f"{label} ", description_style if enabled else disabled)
                spans.append((start, text.cell_len, key))
            return text, spans

        text, spans = build(self._hints, False)
        if text.cell_len > room:
            kept = [h for h in self._hints if h[4]]  # the help key: it lists every key
            for hint in self._hints:
                if hint[4]:
                    continue
                trial = sorted([*kept, hint], key=self._hints.index)
                if build(trial, True)[0].cell_len > room:
                    break
                kept = trial
            text, spans = build(kept, True)
            if text.cell_len > room:
                text.truncate(room, overflow="ellipsis")
        self._text, self._spans = text, spans

    def render(self) -> Text:
        """The hints from the left, the command palette's key pinned right (as Footer does)."""
        width = self.size.width
        room = max(0, width - self._palette.cell_len)
        if room != self._shown_width:
            self._layout(room)
            self._shown_width = room
        line = self._text.copy()
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
        if self._shown_width < 0:
            self._layout(max(0, self.size.width - self._palette.cell_len) or 10**6)
        return self._text.plain + self._palette.plain
