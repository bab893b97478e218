"""The ``:`` command line's verbs and aliases, and the command palette's provider.

One table (:data:`VERBS`) feeds both: the command line parses ``:svc`` or
``:cluster wwhd-cluster`` into a verb and an argument, and the palette lists
the same navigation verbs plus every binding of the screen it opened on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from screens.app import OpsConsoleApp


@dataclass(frozen=True)
class Verb:
    name: str
    aliases: tuple[str, ...]
    help: str
    takes_arg: bool = False


VERBS: tuple[Verb, ...] = (
    Verb(
        "clusters",
        ("cl", "cluster", "clu", "ctx"),
        "Clusters of every region (`:cluster NAME` opens one)",
        True,
    ),
    Verb("services", ("svc", "service", "services", "s"), "Services of the current cluster (or all)"),
    Verb("tasks", ("task", "t", "tk"), "Tasks of the current service or cluster"),
    Verb("queues", ("queue", "qs", "sqs", "dlq"), "SQS queues and DLQs"),
    Verb("logs", ("log", "l"), "Logs (`:logs GROUP`)", True),
    Verb("region", ("regions", "reg"), "Look at one region (`:region us-east-1`, `:region all`)", True),
    Verb("profile", ("prof", "p"), "Switch to another opsconsole profile (`:profile NAME`)", True),
    Verb("help", ("h", "?"), "Keys of this screen"),
    Verb("quit", ("q", "q!", "exit"), "Leave opsconsole"),
)

COMMAND_WORDS = sorted({v.name for v in VERBS} | {a for v in VERBS for a in v.aliases} | {"cluster "})


class UnknownCommand(ValueError):
    pass


def parse(text: str) -> tuple[str, str]:
    """``"svc"`` -> ("services", ""), ``"cluster x"`` -> ("cluster", "x"), ``"q"`` -> ("quit", "")."""
    text = text.strip().lstrip(":").strip()
    if not text:
        raise UnknownCommand("empty command")
    word, _, arg = text.partition(" ")
    word = word.lower()
    arg = arg.strip()
    if word in ("cluster", "cl", "clu", "ctx") and arg:
        return "cluster", arg
    for verb in VERBS:
        if word == verb.name or word in verb.aliases:
            return verb.name, arg
    import difflib

    close = difflib.get_close_matches(word, COMMAND_WORDS, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise UnknownCommand(f"unknown command ':{word}'{hint}")


class PaneCommands(Provider):
    """The palette's view of the console: navigation verbs and the current screen's keys."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        from screens.modals.help import binding_rows

        app: OpsConsoleApp = self.app  # type: ignore[assignment]
        out: list[tuple[str, Callable[[], object], str]] = []
        for verb in VERBS:
            if verb.name in ("help", "quit"):
                continue
            out.append((f"Go to {verb.name}", partial(app.run_command_line, verb.name), f":{verb.name}"))
        screen = self.screen
        for key, description, action, binding_id, enabled in binding_rows(screen):
            if not enabled or action.startswith("command_palette"):
                continue
            title = f"{getattr(screen, 'crumb', '') or 'app'}: {description} ({key})"
            out.append((title, partial(app.run_binding_action, screen, action), binding_id))
        return out

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
