"""The one filter language (console.logs.filter), tested once as a unit: every ``/`` and ``--include``."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.errors import BadInput
from console.logs.filter import LineFilter, TextFilter, matches
from screens.pane import matches as pane_matches

WORD = st.text(alphabet="abcdefgXYZ019-_.", min_size=1, max_size=6).filter(
    lambda w: not w.startswith(("!", '"', "/")) and w != "|"
)
LINE = st.text(alphabet="abcdefgXYZ019-_. /!|", max_size=40)


def q(text: str) -> TextFilter:
    return TextFilter.parse(text)


def test_terms_all_apply_and_exclude() -> None:
    assert q("GET orders").matches("GET /api/orders 502")
    assert not q("GET orders").matches("GET /api/users")
    assert not q("orders !slow").matches("slow query on orders")
    assert q("").matches("anything") and not q("")
    assert not q("   ")


def test_phrases_regexes_and_plain_slashes() -> None:
    assert q('"upstream timeout"').matches("502 upstream timeout") and not q('"upstream timeout"').matches(
        "timeout upstream"
    )
    assert not q('!"GET /health"').matches("GET /health 200")
    assert q(r"/ 5\d\d/").matches("GET / 502") and not q(r"/ 5\d\d/").matches("GET / 200")
    assert q("/health").matches("GET /health 200"), "no closing slash: the plain text /health"
    assert q("/err(or)?/i").matches("ERROR: x")
    assert q(r"/a\/b/").matches("a/b")


def test_smart_case_and_ignore_case() -> None:
    assert q("timeout").matches("Timeout talking to qdrant")
    assert not q("Timeout").matches("upstream timeout")
    assert q(r"/\S+ok/").matches("xOK"), r"\S is not a capital: the regex ignores case"
    assert TextFilter.parse("Timeout", ignore_case=True).matches("timeout")


def test_alternatives() -> None:
    f = q("timeout | 502 !health")
    assert f.matches("read timeout") and f.matches("GET /x 502")
    assert not f.matches("GET /health 502") and not f.matches("GET /x 200")
    assert q("a|b").matches("x a|b y") and not q("a|b").matches("a"), "| inside a word is text"


def test_errors_are_one_line_in_strict_mode_and_text_in_lenient_mode() -> None:
    with pytest.raises(BadInput, match="not a valid regular expression"):
        q("/(unclosed/")
    with pytest.raises(BadInput, match='unbalanced "'):
        q('"open phrase')
    assert matches("a (unclosed b", "/(unclosed/"), "lenient (the panes): a bad regex is its text"
    assert not matches("a b", "/(unclosed/")
    assert matches("an open phrase", '"open phrase')


def test_line_filter_includes_are_alternatives() -> None:
    flt = LineFilter.build(["GET", "POST"], ["/health"])
    assert flt.matches("GET /items") and flt.matches("POST /x") and not flt.matches("GET /health")
    assert not flt.matches("DELETE /x")
    assert LineFilter.build().matches("anything") and not LineFilter.build()
    assert LineFilter.build(["o"]).spans("foo boo") == [(1, 2), (2, 3), (5, 6), (6, 7)]
    assert LineFilter.build(["error"], ignore_case=True).matches("ERROR") and not LineFilter.build(
        ["Error"]
    ).matches("ERROR")


@given(WORD, LINE)
def test_a_word_is_a_substring_with_smart_case(word: str, line: str) -> None:
    expected = word in line if any(c.isupper() for c in word) else word.lower() in line.lower()
    assert q(word).matches(line) is expected
    assert q(f"!{word}").matches(line) is (not expected)
    assert pane_matches(line, word) is expected, "the panes' / speaks the same language"


@given(st.lists(WORD, min_size=1, max_size=4), LINE)
def test_terms_combine_with_and_alternatives_with_or(words: list[str], line: str) -> None:
    each = [q(w).matches(line) for w in words]
    assert q(" ".join(words)).matches(line) is all(each)
    assert q(" | ".join(words)).matches(line) is any(each)
    assert LineFilter.build(words).matches(line) is any(each)
    assert LineFilter.build(exclude=words).matches(line) is not any(each)


@given(WORD, WORD, LINE)
def test_a_phrase_is_one_term(a: str, b: str, line: str) -> None:
    phrase = f"{a} {b}"
    fold = not any(c.isupper() for c in phrase)
    expected = (phrase.lower() in line.lower()) if fold else (phrase in line)
    assert q(f'"{phrase}"').matches(line) is expected


@given(st.text(max_size=30), st.text(max_size=60))
def test_any_query_parses_or_fails_with_bad_input_and_lenient_never_fails(query: str, line: str) -> None:
    try:
        parsed = q(query)
    except BadInput:
        pass
    else:
        for start, end in parsed.spans(line):
            assert 0 <= start < end <= len(line)
    assert isinstance(matches(line, query), bool)


def test_highlight_spans_cover_positive_terms_only() -> None:
    f = q("orders !slow /5\\d\\d/")
    text = "GET /api/orders 502"
    assert [text[s:e] for s, e in f.spans(text)] == ["orders", "502"]
    assert all(isinstance(p, re.Pattern) for p in f.positive)
