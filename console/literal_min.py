"""Make a short name inert for a terminal: control characters shown, never executed.

The full treatment of AWS text (log lines, bodies) is in ``console.literal``;
this is the small piece the inventory needs without depending on it.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
