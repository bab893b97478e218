"""A strict reader and an exact writer for ``.env`` files in python-dotenv's dialect.

The seeds keep each service's configuration in a ``.env`` that python-dotenv
reads, so ``env sync`` must read a file exactly as the application would.
python-dotenv itself is lenient: it logs and skips a line it cannot parse and
lets a later duplicate win silently.  Pushing such a file to ECS would quietly
drop or replace production settings, so here every doubt is an error that names
the file and line, raised before anything is sent.

The grammar follows ``dotenv/parser.py`` (python-dotenv 1.2): ``#`` comments,
an optional ``export`` prefix, single-quoted values (only ``\\\\`` and ``\\'``
are escapes), double-quoted values (``\\\\ \\' \\" \\a \\b \\f \\n \\r \\t \\v``
are escapes, any other backslash stays), quoted values that span lines,
unquoted values that end at `` #`` (whitespace then ``#``) and are stripped on
the right, ``KEY= # note`` for an empty value, a leading BOM, and ``\\n``,
``\\r\\n`` or ``\\r`` line ends.

Where this reader is stricter than python-dotenv (each is an error here):
a line without ``=`` (python-dotenv gives it the value None), a name that is
not ``[A-Za-z_][A-Za-z0-9_]*``, a duplicate name, an unterminated quote, text
after a closing quote, a NUL byte, invalid UTF-8, a control character in an
unquoted value, and, when expanding, a reference to an unset variable without
a ``:-`` default.

``${VAR}`` expansion is off unless asked for.  When on, it follows python-dotenv
(``${NAME}`` and ``${NAME:-default}``; a bare ``$NAME`` stays as it is) except
that single-quoted values stay literal, as in a shell, and names resolve against
earlier lines of the file and then the ``environ`` passed in, never the local
process environment: a deploy must not depend on whose laptop ran it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from os import PathLike
from pathlib import Path

from console.errors import BadInput

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Pieces of python-dotenv's grammar (dotenv/parser.py), used with .match(text, pos).
_NEWLINE = re.compile(r"\r\n|\n|\r")
_SPACE_AND_BLANK_LINES = re.compile(r"\s*")
_HSPACE = re.compile(r"[^\S\r\n]*")
_EXPORT = re.compile(r"export[^\S\r\n]+")
_QUOTED_KEY = re.compile(r"'([^'\r\n]*)'")
_UNQUOTED_KEY = re.compile(r"[^=#\s]+")
_EQUAL_SIGN = re.compile(r"=[^\S\r\n]*")
_SINGLE_QUOTED = re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL)
_DOUBLE_QUOTED = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
_UNQUOTED_VALUE = re.compile(r"[^\r\n]*")
_INLINE_COMMENT = re.compile(r"\s#")
_COMMENT = re.compile(r"[^\S\r\n]*#[^\r\n]*")
_END_OF_LINE = re.compile(r"[^\S\r\n]*(?:\r\n|\n|\r|$)")
_REST_OF_LINE = re.compile(r"[^\r\n]*")
_SINGLE_ESCAPES = re.compile(r"\\[\\']")
_DOUBLE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_DOUBLE_ESCAPE_VALUES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_VARIABLE = re.compile(r"\$\{(?P<name>[^}:]*)(?::-(?P<default>[^}]*))?\}")
# Control characters that have no business in an unquoted value (tab is fine).
_UNQUOTED_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

# Values written bare by format_dotenv: nothing the grammar treats specially.
_BARE_SAFE = re.compile(r"[A-Za-z0-9_./:@+,%=?&-]+")
_DOUBLE_QUOTE_OUT = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\v": "\\v",
}
_DOUBLE_QUOTE_OUT_RE = re.compile(r'[\\"\n\r\t\a\b\f\v]')

_SURROGATE = re.compile(r"[\ud800-\udfff]")

_MAX_SHOWN = 40


class DotenvError(BadInput):
    """A ``.env`` file that cannot be read exactly; the message names file and line."""


def _shown(text: str) -> str:
    """A name or fragment for an error message: quoted, escaped, one line, short."""
    if len(text) > _MAX_SHOWN:
        text = text[:_MAX_SHOWN] + "…"
    return repr(text)


class _Lines:
    """Maps a character offset to its 1-based line, counting line ends as python-dotenv does."""

    def __init__(self, text: str) -> None:
        self._starts = [m.end() for m in _NEWLINE.finditer(text)]

    def at(self, pos: int) -> int:
        return bisect.bisect_right(self._starts, pos) + 1


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.lines = _Lines(text)
        self.pos = 0

    def fail(self, message: str, pos: int | None = None) -> DotenvError:
        line = self.lines.at(self.pos if pos is None else pos)
        return DotenvError(f"{self.source}:{line}: {message}")

    def match(self, regex: re.Pattern[str]) -> re.Match[str] | None:
        m = regex.match(self.text, self.pos)
        if m is not None:
            self.pos = m.end()
        return m

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def bindings(self) -> list[tuple[str, str, bool, int]]:
        """(name, value, single_quoted, line) for each assignment, in file order."""
        out: list[tuple[str, str, bool, int]] = []
        while True:
            self.match(_SPACE_AND_BLANK_LINES)
            if self.pos >= len(self.text):
                return out
            if self.peek() == "#":
                self.match(_REST_OF_LINE)
                continue
            out.append(self.binding())

    def binding(self) -> tuple[str, str, bool, int]:
        start = self.pos
        line = self.lines.at(start)
        exported = self.match(_EXPORT) is not None
        name = self.key(exported)
        self.match(_HSPACE)
        if self.peek() != "=":
            if self.pos >= len(self.text) or self.peek() in "\r\n":
                raise self.fail(f"{_shown(name)} has no '=' (write {name}= for an empty value)", start)
            rest = _REST_OF_LINE.match(self.text, self.pos)
            assert rest is not None
            raise self.fail(f"expected '=' after {_shown(name)}, found {_shown(rest.group())}", start)
        equal = self.match(_EQUAL_SIGN)
        assert equal is not None
        single = False
        if len(equal.group()) > 1 and self.peek() == "#":
            value = ""  # `KEY= # comment`: python-dotenv's empty value with a note
        else:
            value, single = self.value(name, line)
        self.match(_COMMENT)
        if self.match(_END_OF_LINE) is None:
            self.match(_HSPACE)
            rest = _REST_OF_LINE.match(self.text, self.pos)
            assert rest is not None
            raise self.fail(
                f"unexpected text {_shown(rest.group())} after the closing quote of {_shown(name)}"
            )
        return name, value, single, line

    def key(self, exported: bool) -> str:
        char = self.peek()
        if char == "'":
            m = self.match(_QUOTED_KEY)
            if m is None:
                raise self.fail("unterminated quote in a name")
            name = m.group(1)
        elif char == "=":
            raise self.fail("empty key before '='")
        elif char in ("", "\r", "\n", "#"):
            # Only reachable after `export `: blank lines and comments are skipped earlier.
            raise self.fail("expected a name after 'export'")
        else:
            m = self.match(_UNQUOTED_KEY)
            assert m is not None
            name = m.group()
        if not name:
            raise self.fail("empty key")
        if NAME_RE.fullmatch(name) is None:
            raise self.fail(
                f"invalid name {_shown(name)} (use letters, digits and _, not starting with a digit)"
            )
        return name

    def value(self, name: str, line: int) -> tuple[str, bool]:
        char = self.peek()
        if char == "'":
            m = self.match(_SINGLE_QUOTED)
            if m is None:
                raise self.fail(f"unterminated single-quoted value of {_shown(name)}")
            return _SINGLE_ESCAPES.sub(lambda e: e.group()[1], m.group(1)), True
        if char == '"':
            m = self.match(_DOUBLE_QUOTED)
            if m is None:
                raise self.fail(f"unterminated double-quoted value of {_shown(name)}")
            return _DOUBLE_ESCAPES.sub(lambda e: _DOUBLE_ESCAPE_VALUES[e.group()[1]], m.group(1)), False
        if char in ("", "\r", "\n"):
            return "", False
        m = self.match(_UNQUOTED_VALUE)
        assert m is not None
        raw = m.group()
        bad = _UNQUOTED_CONTROL.search(raw)
        if bad is not None:
            raise self.fail(
                f"control character U+{ord(bad.group()):04X} in the unquoted value of {_shown(name)}"
                " (quote the value)"
            )
        # python-dotenv drops `\s+#.*`; cutting at the first whitespace-then-# is the same, in linear time.
        comment = _INLINE_COMMENT.search(raw)
        return (raw[: comment.start()] if comment else raw).rstrip(), False


def _expand(
    value: str,
    *,
    name: str,
    line: int,
    source: str,
    known: Mapping[str, str],
    environ: Mapping[str, str],
) -> str:
    def resolve(m: re.Match[str]) -> str:
        ref, default = m.group("name"), m.group("default")
        if NAME_RE.fullmatch(ref) is None:
            raise DotenvError(f"{source}:{line}: invalid reference {_shown(m.group())} in {_shown(name)}")
        if ref in known:
            return known[ref]
        if ref in environ:
            return environ[ref]
        if default is not None:
            return default
        raise DotenvError(
            f"{source}:{line}: {_shown(name)} refers to ${{{ref}}}, which is not set "
            f"(write ${{{ref}:-}} to allow an empty value)"
        )

    return _VARIABLE.sub(resolve, value)


def parse_dotenv(
    text: str,
    *,
    source: str = "<string>",
    expand: bool = False,
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The variables of a ``.env`` text, in file order; DotenvError on any doubt.

    ``source`` names the file in messages (``backend/.env:7: …``).  ``environ``
    is consulted only with ``expand`` and only after the file's own earlier lines.
    """
    text = text.removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        raise DotenvError(f"{source}:{_Lines(text).at(nul)}: NUL byte (binary file, not a .env)")
    parser = _Parser(text, source)
    result: dict[str, str] = {}
    first_line: dict[str, int] = {}
    env = environ if environ is not None else {}
    for name, value, single, line in parser.bindings():
        if name in first_line:
            raise DotenvError(
                f"{source}:{line}: duplicate key {_shown(name)} (first set on line {first_line[name]})"
            )
        first_line[name] = line
        if expand and not single:
            value = _expand(value, name=name, line=line, source=source, known=result, environ=env)
        result[name] = value
    return result


def decode_dotenv(data: bytes, *, source: str) -> str:
    """Bytes of a ``.env`` file as text; invalid UTF-8 is an error naming the line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DotenvError(f"{source}:1: looks like UTF-16; save the file as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[: exc.start].decode("utf-8", "replace")
        line = _Lines(head).at(len(head))
        raise DotenvError(
            f"{source}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x}; binary file?)"
        ) from None


def read_dotenv(
    path: str | PathLike[str],
    *,
    expand: bool = False,
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The variables of the ``.env`` file at ``path``; DotenvError naming the path on any problem."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DotenvError(f"{source}: cannot read: {reason}") from None
    # Bytes, not text mode: universal newlines would turn a CR kept inside a quoted value into LF.
    return parse_dotenv(decode_dotenv(data, source=source), source=source, expand=expand, environ=environ)


def quote_value(value: str) -> str:
    """``value`` written so that parse_dotenv (with or without expansion) reads it back exactly."""
    if "\x00" in value:
        raise BadInput("a .env file cannot hold a NUL character")
    if value == "" or _BARE_SAFE.fullmatch(value):
        return value
    if "$" in value:
        # Double quotes cannot protect `${` from expansion; single quotes can (and hold any character).
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return '"' + _DOUBLE_QUOTE_OUT_RE.sub(lambda m: _DOUBLE_QUOTE_OUT[m.group()], value) + '"'


def format_dotenv(items: Mapping[str, str], *, header: str | None = None) -> str:
    """A ``.env`` text holding exactly ``items`` (in their order), one ``NAME=value`` per line.

    ``header`` lines become ``#`` comments at the top.  Invalid names and NUL
    characters are BadInput: no file could carry them.
    """
    lines: list[str] = []
    if header:
        lines.extend(f"# {h}".rstrip() for h in header.splitlines())
    for name, value in items.items():
        if NAME_RE.fullmatch(name) is None:
            raise BadInput(f"invalid variable name {_shown(name)} for a .env file")
        if "\x00" in value:
            raise BadInput(f"the value of {name} holds a NUL character, which a .env file cannot carry")
        if _SURROGATE.search(value):
            raise BadInput(f"the value of {name} is not valid Unicode text (a lone surrogate)")
        lines.append(f"{name}={quote_value(value)}")
    return "".join(line + "\n" for line in lines)
