"""Close matches for a name someone typed: the one list of suggestions CLI and TUI give.

difflib alone misses what people type at 3 a.m.: a prefix (``doc`` for
``docu-cr-backend-cluster``) or a fragment (``verif``) is too short to score as
"close".  So names that start with the text come first, then names that contain it,
then difflib's close matches; case is ignored throughout.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_matches(typed: str, known: Iterable[str], *, n: int = 3) -> list[str]:
    """Up to ``n`` known names nearest to ``typed``, best first, without repeats."""
    names = list(dict.fromkeys(k for k in known if k))
    needle = typed.strip().lower()
    if not needle:
        return []
    lowered = {name: name.lower() for name in names}
    prefix = sorted((k for k, v in lowered.items() if v.startswith(needle)), key=len)
    inside = sorted((k for k, v in lowered.items() if needle in v and k not in prefix), key=len)
    fuzzy = difflib.get_close_matches(needle, list(lowered.values()), n=n, cutoff=0.5)
    by_lower = {v: k for k, v in lowered.items()}
    out = [*prefix, *inside, *(by_lower[f] for f in fuzzy)]
    return list(dict.fromkeys(out))[:n]


def did_you_mean(typed: str, known: Iterable[str], *, n: int = 3) -> str:
    """``"; did you mean a, b?"`` or ``""``: the tail of an "unknown …" line."""
    close = close_matches(typed, known, n=n)
    return f"; did you mean {', '.join(close)}?" if close else ""
