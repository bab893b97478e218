"""Env change sets: computing, showing (masked), applying in place, planning a .env sync."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.env.dotenv import NAME_RE, format_dotenv, parse_dotenv
from console.env.envdiff import (
    EnvChange,
    EnvDiff,
    StaleDiff,
    apply_env,
    diff_env,
    env_mapping,
    one_line,
    plan_sync,
)
from console.env.secrets_mask import MASK
from console.errors import BadInput

CURRENT = {"DEBUG": "0", "SECRET_KEY": "old-secret", "LOG_LEVEL": "info", "CORS_ORIGINS": "*"}


def as_list(env: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in env.items()]


def test_merge_adds_and_changes_but_never_removes() -> None:
    diff = diff_env(CURRENT, {"DEBUG": "1", "NEW": "x", "LOG_LEVEL": "info"}, prune=False)
    assert diff.changes == (
        EnvChange("DEBUG", "changed", "0", "1"),
        EnvChange("NEW", "added", None, "x"),
    )
    assert [c.name for c in diff.added] == ["NEW"]
    assert [c.name for c in diff.changed] == ["DEBUG"]
    assert diff.removed == ()
    assert diff.unchanged_count == 3
    assert diff.summary() == "1 added, 1 changed, 0 removed, 3 unchanged"


def test_prune_removes_what_the_desired_set_lacks() -> None:
    diff = diff_env(CURRENT, {"DEBUG": "0", "SECRET_KEY": "new-secret"}, prune=True)
    assert [(c.name, c.kind) for c in diff.changes] == [
        ("SECRET_KEY", "changed"),
        ("LOG_LEVEL", "removed"),
        ("CORS_ORIGINS", "removed"),
    ]
    assert diff.summary() == "0 added, 1 changed, 2 removed, 1 unchanged"
    assert diff.keys_changed() == ("SECRET_KEY", "LOG_LEVEL", "CORS_ORIGINS")


def test_no_change_is_empty() -> None:
    diff = diff_env(CURRENT, dict(CURRENT), prune=True)
    assert diff.is_empty
    assert diff.summary() == "0 added, 0 changed, 0 removed, 4 unchanged"
    assert diff.audit_text() == "(no change)"
    assert diff.render_lines() == []


def test_renames_keep_the_value_and_the_place() -> None:
    desired = {"DEBUG": "0", "DJANGO_SECRET_KEY": "old-secret", "LOG_LEVEL": "debug", "CORS_ORIGINS": "*"}
    diff = diff_env(CURRENT, desired, prune=False, renames={"SECRET_KEY": "DJANGO_SECRET_KEY"})
    assert diff.renamed == (
        EnvChange("DJANGO_SECRET_KEY", "renamed", "old-secret", "old-secret", "SECRET_KEY"),
    )
    assert diff.summary() == "0 added, 1 changed, 0 removed, 1 renamed, 2 unchanged"
    assert diff.keys_changed() == ("SECRET_KEY", "DJANGO_SECRET_KEY", "LOG_LEVEL")
    assert diff.audit_text() == "SECRET_KEY>DJANGO_SECRET_KEY ~LOG_LEVEL"
    applied = apply_env(as_list(CURRENT), diff)
    assert [e["name"] for e in applied] == ["DEBUG", "DJANGO_SECRET_KEY", "LOG_LEVEL", "CORS_ORIGINS"]
    assert env_mapping(applied) == desired


@pytest.mark.parametrize(
    ("renames", "desired", "message"),
    [
        ({"NOPE": "X"}, {"X": "1"}, "cannot rename NOPE: no such variable"),
        (
            {"DEBUG": "LOG_LEVEL"},
            {"LOG_LEVEL": "0"},
            "cannot rename DEBUG to LOG_LEVEL: LOG_LEVEL already exists",
        ),
        (
            {"DEBUG": "X"},
            {"DEBUG": "0", "X": "0"},
            "rename of DEBUG to X does not match the desired variables",
        ),
        ({"DEBUG": "X", "LOG_LEVEL": "X"}, {"X": "0"}, "two variables renamed to the same name"),
    ],
)
def test_bad_renames_are_refused(renames: dict[str, str], desired: dict[str, str], message: str) -> None:
    with pytest.raises(BadInput) as caught:
        diff_env(CURRENT, desired, prune=False, renames=renames)
    assert str(caught.value) == message


def test_render_lines_masks_secrets_unless_revealed() -> None:
    current = {"SECRET_KEY": "old-secret", "DATABASE_URL": "postgres://app:pw1@db/app", "GONE": "bye"}
    desired = {
        "SECRET_KEY": "new-secret",
        "DATABASE_URL": "postgres://app:pw2@db/app",
        "MODE": "line1\nline2\x1b[31m",
    }
    diff = diff_env(current, desired, prune=True)
    lines = diff.render_lines()
    assert lines == [
        f"~ SECRET_KEY = {MASK} → {MASK}",
        f"~ DATABASE_URL = postgres://app:{MASK}@db/app → postgres://app:{MASK}@db/app",
        "- GONE = bye",
        "+ MODE = line1\\nline2\\x1b[31m",
    ]
    text = "\n".join(lines)
    for secret in ("old-secret", "new-secret", "pw1", "pw2"):
        assert secret not in text
    revealed = diff.render_lines(reveal=True)
    assert revealed[0] == "~ SECRET_KEY = old-secret → new-secret"
    assert revealed[1] == "~ DATABASE_URL = postgres://app:pw1@db/app → postgres://app:pw2@db/app"


def test_a_rename_to_or_from_a_secret_name_is_masked() -> None:
    diff = diff_env(
        {"TOKEN_VALUE": "t0p"}, {"SETTING": "t0p"}, prune=False, renames={"TOKEN_VALUE": "SETTING"}
    )
    assert diff.render_lines() == [f"> TOKEN_VALUE → SETTING = {MASK}"]
    diff = diff_env({"A": "1"}, {"B": "2"}, prune=False, renames={"A": "B"})
    assert diff.render_lines() == ["> A → B = 1 → 2"]


def test_audit_text_has_names_and_never_values() -> None:
    diff = diff_env({"A": "1", "B": "2"}, {"A": "one", "C": "three"}, prune=True)
    assert diff.audit_text() == "~A -B +C"
    assert not any(v in diff.audit_text() for v in ("one", "three"))


def test_long_values_are_cut_with_a_count() -> None:
    assert one_line("x" * 130) == "x" * 120 + "… [+10 chars]"
    assert one_line("a\u2028b\u202ec\x9bd\te") == "a\\u2028b\\u202ec\\x9bd\\te"


def test_diffs_are_frozen() -> None:
    diff = EnvDiff()
    with pytest.raises(dataclasses.FrozenInstanceError):
        diff.unchanged_count = 3  # type: ignore[misc]


# ---- applying


def test_apply_keeps_order_of_untouched_and_appends_new() -> None:
    current = [{"name": "Z", "value": "1"}, {"name": "A", "value": "2"}, {"name": "M", "value": "3"}]
    diff = diff_env(env_mapping(current), {"Z": "1", "M": "30", "B": "new"}, prune=True)
    assert apply_env(current, diff) == [
        {"name": "Z", "value": "1"},
        {"name": "M", "value": "30"},
        {"name": "B", "value": "new"},
    ]
    assert current[2] == {"name": "M", "value": "3"}  # the input is not modified


def test_apply_collapses_a_repeated_name_only_when_it_changes() -> None:
    current = [
        {"name": "A", "value": "1"},
        {"name": "R", "value": "x"},
        {"name": "A", "value": "2"},
        {"name": "R", "value": "x"},
    ]
    diff = diff_env(env_mapping(current), {"A": "3", "R": "x"}, prune=False)
    assert apply_env(current, diff) == [
        {"name": "A", "value": "3"},
        {"name": "R", "value": "x"},
        {"name": "R", "value": "x"},
    ]


@pytest.mark.parametrize(
    ("now", "message"),
    [
        ({"A": "1", "B": "2", "NEW": "x"}, "NEW was added by someone else since the diff was made; reload"),
        ({"A": "1"}, "B was removed by someone else since the diff was made; reload"),
        ({"A": "1", "B": "changed"}, "B was changed by someone else since the diff was made; reload"),
    ],
)
def test_apply_refuses_a_stale_diff(now: dict[str, str], message: str) -> None:
    diff = diff_env({"A": "1", "B": "2"}, {"B": "3", "NEW": "n"}, prune=False)
    with pytest.raises(StaleDiff) as caught:
        apply_env(as_list(now), diff)
    assert str(caught.value) == message
    assert "3" not in str(caught.value)  # names only, never values


def test_apply_refuses_a_rename_onto_a_new_name() -> None:
    diff = diff_env({"A": "1"}, {"B": "1"}, prune=False, renames={"A": "B"})
    with pytest.raises(StaleDiff, match=r"^B was added by someone else"):
        apply_env(as_list({"A": "1", "B": "9"}), diff)


env_values = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)
env_names = st.from_regex(NAME_RE, fullmatch=True).filter(lambda n: len(n) <= 20)
env_dicts = st.dictionaries(env_names, env_values, max_size=10)


@settings(max_examples=200, deadline=None)
@given(env_dicts, env_dicts, st.booleans())
def test_apply_of_diff_reaches_the_desired_state(
    current: dict[str, str], desired: dict[str, str], prune: bool
) -> None:
    diff = diff_env(current, desired, prune=prune)
    result = env_mapping(apply_env(as_list(current), diff))
    assert result == (desired if prune else {**current, **desired})
    assert len(diff.changes) + diff.unchanged_count == len(set(current) | set(desired))
    assert diff_env(result, desired, prune=prune).is_empty


@settings(max_examples=200, deadline=None)
@given(env_dicts)
def test_export_then_sync_changes_nothing(env: dict[str, str]) -> None:
    """`env export > .env` then `env sync .env --prune` is a no-op."""
    plan = plan_sync(env, set(), parse_dotenv(format_dotenv(env)), prune=True, allow_secret_override=False)
    assert plan.is_empty
    assert plan.diff.unchanged_count == len(env)


# ---- planning a sync


def test_sync_merge_and_prune() -> None:
    file_vars = {"DEBUG": "1", "NEW": "n"}
    merged = plan_sync(CURRENT, set(), file_vars, prune=False, allow_secret_override=False)
    assert merged.diff.summary() == "1 added, 1 changed, 0 removed, 3 unchanged"
    assert merged.warnings == () and merged.secret_overrides == () and not merged.is_empty
    pruned = plan_sync(CURRENT, set(), file_vars, prune=True, allow_secret_override=False)
    assert pruned.diff.summary() == "1 added, 1 changed, 3 removed, 0 unchanged"


def test_sync_skips_secrets_with_a_warning() -> None:
    plan = plan_sync(
        {"DEBUG": "0"},
        {"DB_PASSWORD", "API_TOKEN"},
        {"DEBUG": "0", "DB_PASSWORD": "plain-pw"},
        prune=True,
        allow_secret_override=False,
    )
    assert plan.is_empty
    assert plan.skipped == ("DB_PASSWORD",)
    assert plan.secret_overrides == ()
    assert plan.warnings == (
        "DB_PASSWORD is a secret (valueFrom) in the container; skipped "
        "(allow a secret override to replace it with a plain value)",
    )
    assert "plain-pw" not in " ".join(plan.warnings)


def test_sync_can_override_a_secret_when_allowed() -> None:
    plan = plan_sync(
        {"DEBUG": "0"}, {"DB_PASSWORD"}, {"DB_PASSWORD": "plain-pw"}, prune=False, allow_secret_override=True
    )
    assert plan.secret_overrides == ("DB_PASSWORD",)
    assert plan.skipped == ()
    assert plan.diff.added == (EnvChange("DB_PASSWORD", "added", None, "plain-pw"),)
    assert plan.warnings == ("DB_PASSWORD: the secret (valueFrom) will be replaced by a plain value",)


def test_sync_prune_leaves_a_skipped_name_that_is_also_plain() -> None:
    plan = plan_sync({"X": "1"}, {"X"}, {"X": "2"}, prune=True, allow_secret_override=False)
    assert plan.is_empty
    assert plan.diff.unchanged_count == 1
