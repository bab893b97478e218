"""Text from AWS, made inert before it reaches a terminal or a Rich renderable.

Log lines, event messages, queue bodies and even resource names are written
by other people's programs.  A terminal acts on control bytes (ESC starts CSI
cursor moves and OSC 52 clipboard writes, BEL rings, CR and BS overwrite what
was printed), and Rich acts on ``[markup]``.  So everything shown from AWS goes
through :func:`literal_text` (for plain output) or :func:`rich_literal` (for
Rich/Textual), which replace every control character with a visible picture
and never parse markup.  The full text stays in the model value; only the
displayed copy is escaped and truncated.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

# Longest text shown for one value; beyond that a marker says how much was cut.
# 1 MB log lines exist (a JSON dump on one line); a terminal row never needs them whole.
MAX_DISPLAY = 16_384

TRUNCATION_MARK = "… [+{n} chars]"


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):  # C0: ␀ … ␟ (Unicode "control pictures")
        table[code] = chr(0x2400 + code)
    table[0x7F] = "\u2421"  # DEL -> ␡
    for code in range(0x80, 0xA0):  # C1: 0x9b is a one-byte CSI, 0x9d a one-byte OSC
        table[code] = f"\\x{code:02x}"
    # Characters that reorder or break lines without being C0/C1 controls.
    for code in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C):
        table[code] = f"\\u{code:04x}"
    for code in range(0xD800, 0xE000):  # lone surrogates (surrogateescape) cannot be encoded
        table[code] = "\ufffd"
    del table[0x09]  # tabs are expanded, not pictured
    return table


_TABLE = _table()
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def literal_text(text: str | bytes, *, max_len: int | None = MAX_DISPLAY, tabsize: int = 4) -> str:
    """``text`` with every control character replaced by a visible picture, on one line.

    ESC becomes ``␛``, BEL ``␇``, CR ``␍``, newline ``␊``, one-byte C1 controls
    ``\\x9b``; tabs are expanded; bytes are decoded as UTF-8 with U+FFFD for what
    is not UTF-8.  A trailing newline (most log lines carry one) is dropped.  The
    result holds no byte a terminal would act on, and is at most about
    ``max_len`` characters (None: no limit), with ``… [+N chars]`` when cut.
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    if text.endswith("\n"):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    cut = 0
    if max_len is not None and len(text) > max_len:
        cut = len(text) - max_len
        text = text[:max_len]
    if _UNSAFE.search(text) is not None:
        if "\t" in text:
            text = text.expandtabs(tabsize)
        text = text.translate(_TABLE)
        if max_len is not None and len(text) > max_len:  # pictures of C1 bytes are longer
            cut += len(text) - max_len
            text = text[:max_len]
    if cut:
        text += TRUNCATION_MARK.format(n=f"{cut:,}")
    return text


def rich_literal(text: str | bytes, style: str | Style = "", *, max_len: int | None = MAX_DISPLAY) -> Text:
    """A Rich ``Text`` of :func:`literal_text`: ``[bold]`` stays the characters ``[bold]``."""
    # Text() never parses markup or emoji codes (unlike Text.from_markup / console.print(str)).
    return Text(literal_text(text, max_len=max_len), style=style, no_wrap=False, end="")


def is_literal_safe(text: str) -> bool:
    """True when ``text`` holds nothing :func:`literal_text` would change (apart from length)."""
    return _UNSAFE.search(text) is None
