"""Reads fan out per (account, region), and each place is heard as soon as it answers: one slow
account never holds the others' rows back, and a failed one is its account's state."""

from __future__ import annotations

import asyncio

import pytest

from console.accounts import Account, Place
from console.aws.account_access import AccountAccess, AccountUnavailable, per_place

FAST = Account("staging", "111111111111", role_arn="arn:aws:iam::111111111111:role/ops")
SLOW = Account("prod", "222222222222", role_arn="arn:aws:iam::222222222222:role/ops")
DENIED = Account("legacy", "333333333333", role_arn="arn:aws:iam::333333333333:role/ops")


async def test_each_place_is_heard_when_it_answers_while_a_slow_one_is_still_read() -> None:
    slow_may_answer = asyncio.Event()
    heard: list[tuple[str, str, list[str]]] = []
    fast, slow = Place("us-east-1", FAST), Place("us-east-1", SLOW)

    async def read(place: str) -> list[str]:
        if place == slow:
            await slow_may_answer.wait()
        return [f"{place.account.name}-cluster"]  # type: ignore[attr-defined]

    def on_place(place: str, found: list[str]) -> None:
        heard.append((place.account.name, str(place), found))  # type: ignore[attr-defined]
        if place == fast:
            slow_may_answer.set()  # the slow account answers only once the fast one was heard

    access = AccountAccess(connect_timeout=5.0)
    got = await asyncio.wait_for(per_place(access, [slow, fast], read, on_place=on_place), 10)
    assert heard == [
        ("staging", "us-east-1", ["staging-cluster"]),
        ("prod", "us-east-1", ["prod-cluster"]),
    ]
    assert got == ["prod-cluster", "staging-cluster"]  # the places' order, not the answers'


async def test_a_failed_place_is_its_account_state_and_the_others_are_heard() -> None:
    heard: list[str] = []
    ok, bad = Place("eu-west-1", FAST), Place("eu-west-1", DENIED)

    async def read(place: str) -> list[str]:
        if place == bad:
            raise PermissionError("AssumeRole denied")
        return ["cluster"]

    access = AccountAccess(connect_timeout=5.0)
    got = await per_place(access, [bad, ok], read, on_place=lambda p, _: heard.append(p.account.name))  # type: ignore[attr-defined]
    assert got == ["cluster"] and heard == ["staging"]
    [problem] = access.problems([FAST, DENIED])
    assert problem.account == DENIED and "denied" in problem.message


async def test_every_place_failing_raises_the_first_accounts_line() -> None:
    async def read(place: str) -> list[str]:
        raise PermissionError("AssumeRole denied")

    access = AccountAccess(connect_timeout=5.0)
    with pytest.raises(AccountUnavailable) as caught:
        await per_place(access, [Place("us-east-1", DENIED), Place("us-east-1", SLOW)], read)
    assert caught.value.account == DENIED


async def test_one_set_of_credentials_raises_as_it_always_did() -> None:
    async def read(place: str) -> list[str]:
        raise KeyError(place)

    with pytest.raises(KeyError):
        await per_place(None, ["us-east-1"], read, on_place=lambda *_: None)
