"""The strict .env reader and the exact writer, checked against python-dotenv itself."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import given, settings
from hypothesis import strategies as st

from console.env.dotenv import NAME_RE, DotenvError, format_dotenv, parse_dotenv, quote_value, read_dotenv
from console.errors import BadInput

# (file text, what it holds): python-dotenv reads each of these the same way.
GOOD: list[tuple[str, dict[str, str]]] = [
    ("", {}),
    ("\n\n   \n", {}),
    ("A=1\nB=2", {"A": "1", "B": "2"}),
    ("A=1\nB=2\n", {"A": "1", "B": "2"}),
    ("# a comment\n  # indented comment\nA=1", {"A": "1"}),
    ("export A=1\nexport\tB=2", {"A": "1", "B": "2"}),
    ("export=1", {"export": "1"}),
    ("exportA=1", {"exportA": "1"}),
    ("A = spaced \n  B=indented", {"A": "spaced", "B": "indented"}),
    ("A='single quoted'", {"A": "single quoted"}),
    ("A='no \\n escape here'", {"A": "no \\n escape here"}),
    ("A='it\\'s' \nB='back\\\\slash'", {"A": "it's", "B": "back\\slash"}),
    ('A="tab\\there\\nnewline"', {"A": "tab\there\nnewline"}),
    ('A="q\\"uote \\\'s \\\\ b"', {"A": "q\"uote 's \\ b"}),
    ('A="\\a\\b\\f\\r\\v"', {"A": "\a\b\f\r\v"}),
    ('A="unknown \\x41 \\u00e9 \\$ stays"', {"A": "unknown \\x41 \\u00e9 \\$ stays"}),
    ('A="it\'s"', {"A": "it's"}),
    ("A=b # inline comment", {"A": "b"}),
    ("A=b#not-a-comment", {"A": "b#not-a-comment"}),
    ("A= # empty with a note", {"A": ""}),
    ("A=#value", {"A": "#value"}),
    ("A='b' # after quotes", {"A": "b"}),
    ('A="b"\t# after quotes', {"A": "b"}),
    ('A="first\nsecond\n  third"\nB=after', {"A": "first\nsecond\n  third", "B": "after"}),
    ("A='multi\nline # not a comment'", {"A": "multi\nline # not a comment"}),
    ("\ufeffA=bom", {"A": "bom"}),
    ("A=1\r\nB='x'\r\nC=\"y\"\r\n", {"A": "1", "B": "x", "C": "y"}),
    ("A=1\rB=old mac", {"A": "1", "B": "old mac"}),
    (
        "A=postgres://u:p@h:5432/db?sslmode=require&x=a=b",
        {"A": "postgres://u:p@h:5432/db?sslmode=require&x=a=b"},
    ),
    ("A=a=b=c", {"A": "a=b=c"}),
    ("A=\nB=''\nC=\"\"", {"A": "", "B": "", "C": ""}),
    ("A=   \n", {"A": ""}),
    ("A=trailing   ", {"A": "trailing"}),
    ("A=\tvalue\t", {"A": "value"}),
    ("A=it's fine", {"A": "it's fine"}),
    ("A=${NOT_EXPANDED} $ALSO", {"A": "${NOT_EXPANDED} $ALSO"}),
    ("A=é ünïcødé ✓", {"A": "é ünïcødé ✓"}),
    ("'QUOTED_KEY'=v", {"QUOTED_KEY": "v"}),
    ("_A1=x\na_b=y", {"_A1": "x", "a_b": "y"}),
    ("SECRET_KEY=abc#def # real comment", {"SECRET_KEY": "abc#def"}),
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_good_input_reads_as_python_dotenv_does(text: str, expected: dict[str, str]) -> None:
    assert parse_dotenv(text) == expected
    assert dotenv_values(stream=io.StringIO(text), interpolate=False) == expected


def test_order_is_file_order() -> None:
    assert list(parse_dotenv("Z=1\nA=2\nM=3")) == ["Z", "A", "M"]


# (file text, the exact one-line error).
BAD: list[tuple[str, str]] = [
    ("A", "backend/.env:1: 'A' has no '=' (write A= for an empty value)"),
    ("A=1\nexport B\n", "backend/.env:2: 'B' has no '=' (write B= for an empty value)"),
    ("=value", "backend/.env:1: empty key before '='"),
    ("A=1\n  = x", "backend/.env:2: empty key before '='"),
    ("''=x", "backend/.env:1: empty key"),
    ("export \n", "backend/.env:1: expected a name after 'export'"),
    ("A B=1", "backend/.env:1: expected '=' after 'A', found 'B=1'"),
    ("A#B=1", "backend/.env:1: expected '=' after 'A', found '#B=1'"),
    ("A-B=1", "backend/.env:1: invalid name 'A-B' (use letters, digits and _, not starting with a digit)"),
    ("1A=1", "backend/.env:1: invalid name '1A' (use letters, digits and _, not starting with a digit)"),
    (
        "ÄPFEL=1",
        "backend/.env:1: invalid name 'ÄPFEL' (use letters, digits and _, not starting with a digit)",
    ),
    ('"A"=1', "backend/.env:1: invalid name '\"A\"' (use letters, digits and _, not starting with a digit)"),
    (
        "A.B=1\n",
        "backend/.env:1: invalid name 'A.B' (use letters, digits and _, not starting with a digit)",
    ),
    ("'A=1", "backend/.env:1: unterminated quote in a name"),
    (
        "DEBUG=1\nX=2\nSECRET_KEY=a\nY=3\nZ=4\nW=5\nSECRET_KEY=b\n",
        "backend/.env:7: duplicate key 'SECRET_KEY' (first set on line 3)",
    ),
    ('A="x\ny"\nB=1\nA=2', "backend/.env:4: duplicate key 'A' (first set on line 1)"),
    ("export A=1\nA=2", "backend/.env:2: duplicate key 'A' (first set on line 1)"),
    ("A='x", "backend/.env:1: unterminated single-quoted value of 'A'"),
    ('A=1\n\nB="abc\nC=2\n', "backend/.env:3: unterminated double-quoted value of 'B'"),
    ('A="ends with escaped quote\\"', "backend/.env:1: unterminated double-quoted value of 'A'"),
    ('A="x"y', "backend/.env:1: unexpected text 'y' after the closing quote of 'A'"),
    ("A='x' 'y'", "backend/.env:1: unexpected text \"'y'\" after the closing quote of 'A'"),
    ('A="line1\nline2" junk', "backend/.env:2: unexpected text 'junk' after the closing quote of 'A'"),
    ("A=1\nB=x\x00y", "backend/.env:2: NUL byte (binary file, not a .env)"),
    ("\x00\x01\x02", "backend/.env:1: NUL byte (binary file, not a .env)"),
    (
        "A=esc\x1b[31m",
        "backend/.env:1: control character U+001B in the unquoted value of 'A' (quote the value)",
    ),
    ("A=\x7f", "backend/.env:1: control character U+007F in the unquoted value of 'A' (quote the value)"),
    (
        "\x89PNG\x1a=1",
        "backend/.env:1: invalid name '\\x89PNG\\x1a' (use letters, digits and _, not starting with a digit)",
    ),
    (
        "A" * 60 + "-=1",
        f"backend/.env:1: invalid name '{'A' * 40}…' (use letters, digits and _, not starting with a digit)",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_input_is_one_line_naming_file_and_line(text: str, message: str) -> None:
    with pytest.raises(DotenvError) as caught:
        parse_dotenv(text, source="backend/.env")
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, BadInput)
    assert caught.value.exit_code == 2


def test_source_defaults_to_string() -> None:
    with pytest.raises(DotenvError, match=r"^<string>:1: empty key"):
        parse_dotenv("=1")


def test_expansion_is_off_by_default() -> None:
    assert parse_dotenv("A=1\nB=${A}") == {"A": "1", "B": "${A}"}


def test_expansion_uses_earlier_lines_then_environ_then_default() -> None:
    text = "HOST=db\nURL=\"postgres://${HOST}:${PORT}/${NAME:-app}\"\nLIT='${HOST}'\nBARE=$HOST\n"
    got = parse_dotenv(text, expand=True, environ={"PORT": "5432", "HOST": "ignored"})
    assert got == {"HOST": "db", "URL": "postgres://db:5432/app", "LIT": "${HOST}", "BARE": "$HOST"}


def test_expansion_of_a_later_or_unset_name_is_an_error() -> None:
    with pytest.raises(DotenvError) as caught:
        parse_dotenv("A=${B}\nB=1", expand=True, source=".env")
    assert (
        str(caught.value)
        == ".env:1: 'A' refers to ${B}, which is not set (write ${B:-} to allow an empty value)"
    )
    assert parse_dotenv("A=${B:-}", expand=True) == {"A": ""}


def test_expansion_of_an_invalid_reference_is_an_error() -> None:
    with pytest.raises(DotenvError, match=r"^\.env:2: invalid reference '\$\{\}' in 'B'$"):
        parse_dotenv("A=1\nB=x${}", expand=True, source=".env")


def test_expansion_never_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSCONSOLE_TEST_LOCAL", "from-laptop")
    with pytest.raises(DotenvError, match="not set"):
        parse_dotenv("A=${OPSCONSOLE_TEST_LOCAL}", expand=True)


# ---- files


def test_read_dotenv_reads_bytes_exactly(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes(b"\xef\xbb\xbfA=1\r\nB='cr\rinside'\r\nC=\xc3\xa9\r\n")
    assert read_dotenv(path) == {"A": "1", "B": "cr\rinside", "C": "é"}


def test_read_dotenv_names_the_path_when_unreadable(tmp_path: Path) -> None:
    missing = tmp_path / "nope.env"
    with pytest.raises(DotenvError) as caught:
        read_dotenv(missing)
    assert str(caught.value) == f"{missing}: cannot read: No such file or directory"
    with pytest.raises(DotenvError, match=r": cannot read: Is a directory$"):
        read_dotenv(tmp_path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"A=1\nB=\xff\n", "x.env:2: not valid UTF-8 (byte 0xff; binary file?)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x.env:1: not valid UTF-8 (byte 0x89; binary file?)"),
        (b"A=1\r\nB=2\r\nC=\xc3(\n", "x.env:3: not valid UTF-8 (byte 0xc3; binary file?)"),
        (b"A=1\nB=2\n\x00\x01\x02\x03", "x.env:3: NUL byte (binary file, not a .env)"),
        ("A=1\n".encode("utf-16"), "x.env:1: looks like UTF-16; save the file as UTF-8"),
    ],
)
def test_binary_files_are_refused_with_the_line(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "x.env"
    path.write_bytes(data)
    with pytest.raises(DotenvError) as caught:
        read_dotenv(path)
    assert str(caught.value) == f"{tmp_path}/{message}"


def test_read_dotenv_can_expand(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("A=x\nB=${A}y\n")
    assert read_dotenv(path, expand=True) == {"A": "x", "B": "xy"}


# ---- writing


def test_format_dotenv_quotes_only_what_needs_it() -> None:
    text = format_dotenv(
        {
            "PLAIN": "postgres://u:p@h:5432/db?x=1",
            "EMPTY": "",
            "SPACE": "a b",
            "HASH": "#x",
            "NEWLINE": "a\nb",
            "DOLLAR": "${HOME}",
            "QUOTES": 'it\'s "q"',
        },
        header="exported by opsconsole\nsecond line",
    )
    assert text == (
        "# exported by opsconsole\n"
        "# second line\n"
        "PLAIN=postgres://u:p@h:5432/db?x=1\n"
        "EMPTY=\n"
        'SPACE="a b"\n'
        'HASH="#x"\n'
        'NEWLINE="a\\nb"\n'
        "DOLLAR='${HOME}'\n"
        'QUOTES="it\'s \\"q\\""\n'
    )


def test_format_dotenv_refuses_what_no_file_can_hold() -> None:
    with pytest.raises(BadInput, match="invalid variable name 'A-B'"):
        format_dotenv({"A-B": "x"})
    with pytest.raises(BadInput, match="NUL"):
        format_dotenv({"A": "x\x00"})
    with pytest.raises(BadInput, match="NUL"):
        quote_value("\x00")


names = st.from_regex(NAME_RE, fullmatch=True).filter(lambda n: len(n) <= 40)
values = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=60)
tricky = st.text(alphabet="ab \t\n\r'\"\\#$={}:-é\x1b\u2028", max_size=30)
envs = st.dictionaries(names, st.one_of(values, tricky), max_size=12)


@settings(max_examples=300, deadline=None)
@given(envs)
def test_format_then_parse_round_trips(env: dict[str, str]) -> None:
    text = format_dotenv(env)
    assert parse_dotenv(text) == env
    assert list(parse_dotenv(text)) == list(env)
    assert parse_dotenv(text, expand=True) == env


@settings(max_examples=300, deadline=None)
@given(envs)
def test_python_dotenv_reads_our_files_the_same(env: dict[str, str]) -> None:
    """What `env export` writes, the application (python-dotenv) reads identically."""
    assert dotenv_values(stream=io.StringIO(format_dotenv(env)), interpolate=False) == env


@pytest.fixture(scope="module")
def scratch_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dotenv") / ".env"


@settings(max_examples=100, deadline=None)
@given(env=envs)
def test_round_trip_through_a_real_file(scratch_file: Path, env: dict[str, str]) -> None:
    scratch_file.write_bytes(format_dotenv(env).encode("utf-8"))
    assert read_dotenv(scratch_file) == env


def test_format_dotenv_refuses_lone_surrogates() -> None:
    with pytest.raises(BadInput, match=r"^the value of A is not valid Unicode text"):
        format_dotenv({"A": "x\ud800"})


@pytest.mark.timeout(30)
def test_long_lines_parse_in_linear_time() -> None:
    """python-dotenv's inline-comment regex is quadratic on long runs of spaces; ours is not."""
    assert parse_dotenv("A=" + " " * 300_000 + "x") == {"A": "x"}
    assert parse_dotenv("A=" + "a " * 200_000 + "# note") == {"A": ("a " * 200_000).rstrip()}
