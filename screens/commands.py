"""The ``:`` command line's verbs and aliases, and the command palette's provider.

One table (:data:`VERBS`) feeds both: the command line parses ``:svc`` or
``:cluster wwhd-cluster`` into a verb and an argument, and the palette lists
the same navigation verbs plus every binding of the screen it opened on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
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
    Verb(
        "services",
        ("svc", "service", "services", "s"),
        "Services of the current cluster (or all; `:svc NAME` opens one)",
        True,
    ),
    Verb("tasks", ("task", "t", "tk"), "Tasks of the current service or cluster"),
    Verb("queues", ("queue", "qs", "sqs", "dlq"), "SQS queues and DLQs (`:queues NAME` opens one)", True),
    Verb("alarms", ("alarm", "al"), "CloudWatch alarms: firing and changed in 24 h"),
    Verb("logs", ("log", "l"), "Logs (`:logs GROUP`)", True),
    Verb("region", ("regions", "reg"), "Look at one region (`:region us-east-1`, `:region all`)", True),
    Verb(
        "account",
        ("accounts", "acct"),
        "Look at one account of the fleet (`:account NAME`, `:account` all)",
        True,
    ),
    Verb("profile", ("prof", "p"), "Switch to another opsconsole profile (`:profile NAME`)", True),
    Verb(
        "incident",
        ("incidents",),
        "Demo only: stage an incident (`:incident NAME`, `:incident resolve NAME`)",
        True,
    ),
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
    if word in ("cluster", "clusters", "cl", "clu", "ctx") and arg:
        return "cluster", arg
    for verb in VERBS:
        if word == verb.name or word in verb.aliases:
            return verb.name, arg
    import difflib

    close = difflib.get_close_matches(word, COMMAND_WORDS, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise UnknownCommand(f"unknown command ':{word}'{hint}")


# --- names: Tab completion and close matches -----------------------------------------

NAME_KINDS = {"cluster": "cluster", "services": "service", "queues": "queue", "logs": "log group"}
"""The verbs whose argument is a name the command line completes, and what that name is."""


def kind_of(word: str) -> str | None:
    """The name kind a verb word completes (``"svc"`` -> ``"services"``), or None."""
    word = word.lower()
    if word in ("cluster", "cl", "clu", "ctx", "clusters"):
        return "cluster"
    for verb in VERBS:
        if verb.name in NAME_KINDS and (word == verb.name or word in verb.aliases):
            return verb.name
    return None


def matching(term: str, names: Sequence[str]) -> list[str]:
    """Names starting with ``term`` (shortest first), then names containing it; case ignored."""
    needle = term.lower()
    start = sorted((n for n in names if n.lower().startswith(needle)), key=lambda n: (len(n), n))
    inside = sorted((n for n in names if needle in n.lower() and n not in start), key=lambda n: (len(n), n))
    return [*start, *inside]


@dataclass(frozen=True)
class Completion:
    """What Tab can make of the typed text: the candidates, each as the whole new line."""

    kind: str | None  # the name kind being completed, None for the verb itself
    term: str  # the word being completed
    candidates: tuple[str, ...]  # the names (or verbs) that fit, best first
    lines: tuple[str, ...]  # the command line after choosing each candidate

    @property
    def first(self) -> str | None:
        return self.lines[0] if self.lines else None


def complete(text: str, names: Callable[[str], Sequence[str]]) -> Completion:
    """Complete the verb, or the last word of its argument from ``names(kind)``.

    ``:logs`` takes several groups, so only the last word is completed there;
    the others take one name.
    """
    text = text.lstrip(":")
    word, space, rest = text.partition(" ")
    if not space:
        verbs = [w for w in COMMAND_WORDS if w.startswith(word.lower()) and w != word.lower()]
        verbs.sort(key=lambda w: (len(w), w))
        return Completion(None, word, tuple(verbs), tuple(verbs))
    kind = kind_of(word)
    if kind is None:
        return Completion(None, rest, (), ())
    head, _, term = rest.rpartition(" ") if kind == "logs" else ("", "", rest)
    term = term.strip()
    found = [n for n in matching(term, names(kind)) if n != term]
    prefix = f"{word} {head + ' ' if head.strip() else ''}"
    return Completion(kind, term, tuple(found), tuple(prefix + n for n in found))


@dataclass
class CommandNames:
    """The names the command line completes, per kind: what the app knows at once, then what
    ``load(kind)`` reads (once per command line; a failed read keeps what is known)."""

    known: Callable[[str], Sequence[str]]
    load: Callable[[str], Awaitable[Sequence[str]]] | None = None
    loaded: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def __call__(self, kind: str) -> list[str]:
        return list(dict.fromkeys([*self.known(kind), *self.loaded.get(kind, ())]))

    async def fetch(self, kind: str) -> None:
        if self.load is None or kind in self.loaded:
            return
        self.loaded[kind] = []
        try:
            self.loaded[kind] = list(await self.load(kind))
        except Exception as exc:  # the completion falls back on what is known; the line says so
            from console.errors import describe_aws_error

            self.failed[kind] = describe_aws_error(exc)


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
