"""The one filter language: the panes' ``/``, the logs view's ``/`` and ``opsconsole logs --include/--exclude``.

An operator types the same thing everywhere, so it means the same thing everywhere:

* words separated by spaces are **terms**, and a line must match **every** term
  (typing more narrows down, as while reading);
* ``!term`` **excludes**: the line must not match it;
* ``"a phrase"`` is one term with its spaces (``!"a phrase"`` excludes it);
* ``/regex/`` is a Python regular expression (``/regex/i`` ignores case);
  ``/health`` with no closing slash is the plain text ``/health``;
* a lone ``|`` separates **alternatives**: ``timeout | 502 !health`` keeps lines
  with "timeout", and lines with "502" but not "health";
* **smart case** (as ``less`` and ripgrep): a term written in lower case
  ignores case, a term with a capital letter is matched exactly; ``-i`` on the
  command line ignores case for every term.

``--include Q`` given several times keeps a line matching any of them (they are
alternatives, as if joined with ``|``); ``--exclude Q`` drops lines matching Q.

The language is parsed once per query (cached) and tested once, as a unit
(tests/logs/test_filter.py); nothing else in the code base matches text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from console.errors import BadInput

_TOKEN = re.compile(
    r'(?P<neg>!?)(?:"(?P<phrase>[^"]*)(?P<close>"?)|/(?P<re>(?:\\.|[^/\\])+)/(?P<flag>i?)(?=\s|$)|(?P<word>\S+))'
)
_ESCAPE = re.compile(r"\\.")
OR = "|"


@dataclass(frozen=True, slots=True)
class Term:
    """One term: what it matches, whether it must not match, and what was typed."""

    pattern: re.Pattern[str]
    negate: bool = False
    text: str = ""


def _has_upper(text: str) -> bool:
    """Smart case: a capital letter the user typed (``\\S``, ``\\W`` in a regex are not capitals)."""
    return any(ch.isupper() for ch in _ESCAPE.sub("", text))


def _compile(body: str, *, regex: bool, ignore_case: bool, strict: bool) -> re.Pattern[str]:
    flags = re.IGNORECASE if ignore_case else 0
    if regex:
        try:
            return re.compile(body, flags)
        except re.error as exc:
            if strict:
                raise BadInput(f"'{body}' is not a valid regular expression: {exc}") from None
    return re.compile(re.escape(body), flags)


def _terms(text: str, *, ignore_case: bool, strict: bool) -> list[Term | None]:
    """The terms of a query, with None where a lone ``|`` separates alternatives."""
    out: list[Term | None] = []
    for match in _TOKEN.finditer(text):
        negate = bool(match.group("neg"))
        if match.group("phrase") is not None:
            if not match.group("close") and strict:
                raise BadInput('unbalanced " in the filter: close the phrase with "')
            body, regex, forced = match.group("phrase"), False, False
        elif match.group("re") is not None:
            body, regex, forced = match.group("re"), True, bool(match.group("flag"))
        else:
            body, regex, forced = match.group("word"), False, False
            if body == OR and not negate:
                out.append(None)
                continue
            if body == "!":  # a "!" typed before its term: nothing yet
                continue
        if not body:
            continue
        fold = ignore_case or forced or not _has_upper(body)
        pattern = _compile(body, regex=regex, ignore_case=fold, strict=strict)
        out.append(Term(pattern, negate, match.group(0)))
    return out


@dataclass(frozen=True)
class TextFilter:
    """A parsed query: alternatives, each a conjunction of terms.  Empty: everything matches."""

    alternatives: tuple[tuple[Term, ...], ...] = ()
    text: str = ""

    @classmethod
    def parse(cls, text: str, *, ignore_case: bool = False, strict: bool = True) -> TextFilter:
        """``strict`` raises BadInput on a bad regex or an open quote; otherwise they are plain text."""
        return _parse(text.strip(), ignore_case, strict)

    def __bool__(self) -> bool:
        return bool(self.alternatives)

    def matches(self, text: str) -> bool:
        if not self.alternatives:
            return True
        return any(
            all((term.pattern.search(text) is None) is term.negate for term in alternative)
            for alternative in self.alternatives
        )

    @property
    def positive(self) -> tuple[re.Pattern[str], ...]:
        """The patterns a shown line may hold (to highlight), from every alternative."""
        return tuple(t.pattern for alt in self.alternatives for t in alt if not t.negate)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the positive terms match ``text`` (sorted, non-empty), for highlighting."""
        found = [m.span() for p in self.positive for m in p.finditer(text) if m.end() > m.start()]
        return sorted(found)


@functools.lru_cache(maxsize=128)
def _parse(text: str, ignore_case: bool, strict: bool) -> TextFilter:
    alternatives: list[tuple[Term, ...]] = []
    current: list[Term] = []
    for term in _terms(text, ignore_case=ignore_case, strict=strict):
        if term is None:
            if current:
                alternatives.append(tuple(current))
            current = []
        else:
            current.append(term)
    if current:
        alternatives.append(tuple(current))
    return TextFilter(tuple(alternatives), text)


def matches(text: str, query: str) -> bool:
    """Does ``text`` pass ``query``?  Lenient: what cannot be parsed is taken as plain text."""
    return TextFilter.parse(query, strict=False).matches(text)


@dataclass(frozen=True)
class LineFilter:
    """``--include`` (any of them) and ``--exclude`` (none of them), each a query of the language."""

    include: TextFilter = field(default_factory=TextFilter)
    exclude: tuple[TextFilter, ...] = ()

    @classmethod
    def build(
        cls, include: Iterable[str] = (), exclude: Iterable[str] = (), *, ignore_case: bool = False
    ) -> LineFilter:
        wanted = [q.strip() for q in include if q.strip()]
        joined = f" {OR} ".join(wanted)
        return cls(
            TextFilter.parse(joined, ignore_case=ignore_case),
            tuple(f for q in exclude if (f := TextFilter.parse(q, ignore_case=ignore_case))),
        )

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)

    def matches(self, message: str) -> bool:
        if not self.include.matches(message):
            return False
        return not any(f.matches(message) for f in self.exclude)

    def spans(self, message: str) -> list[tuple[int, int]]:
        return self.include.spans(message)


__all__ = ["OR", "LineFilter", "Term", "TextFilter", "matches"]
