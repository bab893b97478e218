"""The wizard's questions and the checks of their answers.

Every question is a questionary prompt that raises ``KeyboardInterrupt`` on Ctrl-C; tests
drive the same prompts through prompt_toolkit's pipe input (``Prompter(input=..., output=...)``).
An answer that fails its check is asked again, with the reason under the prompt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import questionary

from console.config import known_regions, split_regions
from console.errors import OpsError

T = TypeVar("T")

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


# --- prompts -------------------------------------------------------------------------
@dataclass
class Prompter:
    """questionary prompts on a given terminal (the real one, or a test's pipe)."""

    input: Any = None
    output: Any = None

    def _io(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self.input is not None:
            kwargs["input"] = self.input
        if self.output is not None:
            kwargs["output"] = self.output
        return kwargs

    async def select(self, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        items = [questionary.Choice(title, value=value) for title, value in choices]
        answer = await questionary.select(
            message, choices=items, default=default, **self._io()
        ).unsafe_ask_async()
        return str(answer)

    async def checkbox(
        self, message: str, choices: Sequence[tuple[str, T, bool]], *, at_least_one: bool = True
    ) -> list[T]:
        items = [questionary.Choice(title, value=value, checked=checked) for title, value, checked in choices]

        def validate(picked: list[Any]) -> bool | str:
            return bool(picked) or not at_least_one or "choose at least one (space toggles, a toggles all)"

        answer = await questionary.checkbox(
            message, choices=items, validate=validate, **self._io()
        ).unsafe_ask_async()
        return list(answer)

    async def text(
        self, message: str, default: str = "", validate: Callable[[str], str | None] | None = None
    ) -> str:
        def check(value: str) -> bool | str:
            if validate is None:
                return True
            problem = validate(value)
            return True if problem is None else problem

        answer = await questionary.text(
            message, default=default, validate=check, **self._io()
        ).unsafe_ask_async()
        return str(answer).strip()

    async def confirm(self, message: str, default: bool) -> bool:
        answer = await questionary.confirm(message, default=default, **self._io()).unsafe_ask_async()
        return bool(answer)


# --- validation ----------------------------------------------------------------------
def region_problem(value: str) -> str | None:
    regions = split_regions([value])
    if not regions:
        return "name at least one region, e.g. us-east-1"
    known = known_regions()
    for region in regions:
        if region not in known:
            import difflib

            close = difflib.get_close_matches(region, sorted(known), n=2)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            return f"'{region}' is not an AWS region{hint}"
    return None


def env_file_problem(value: str, keep: str | None = None) -> str | None:
    """None when ``value`` is empty (no file), the profile's current value, or a readable file."""
    value = value.strip()
    if not value or value == keep:
        return None
    path = Path(value).expanduser()
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except IsADirectoryError:
        return f"{value} is a folder: give the path of the .env file"
    except OSError as exc:
        return f"cannot read {value}: {exc.strerror or exc}"
    return None


def endpoint_problem(value: str) -> str | None:
    from console.endpoints import check_endpoint

    try:
        check_endpoint(value.strip(), timeout=2.0)
    except OpsError as exc:
        return str(exc).replace("--endpoint-url: ", "")
    return None


def name_problem(value: str) -> str | None:
    if not NAME_RE.match(value.strip()):
        return "letters, digits, '.', '_' and '-' only, starting with a letter or digit (it names the file)"
    return None
