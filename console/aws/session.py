"""One aiobotocore session per (profile, region, endpoint) and its reused clients.

Clients are expensive to create (endpoint resolution, credential lookup, an
HTTP connection pool), so each one is created once per event loop and kept
for the life of the :class:`AwsContext`.  Retries are botocore's adaptive
mode: it backs off on throttling with a client-side rate limiter, which is what
the ECS and Logs APIs ask of their callers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession, get_session
from botocore.context import get_context
from botocore.utils import parse_timestamp as _default_timestamp_parser

from console.accounts import Account, account_of
from console.aws.fastparse import CompiledParserFactory

# aiobotocore logs a failed credential refresh (an expired SSO session) as a warning with its
# traceback; with no handler of ours, Python's last-resort handler put ~45 lines on the screen
# before our one-line explanation. botocore gives its own loggers a NullHandler; so do we.
logging.getLogger("aiobotocore").addHandler(logging.NullHandler())

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_MAX_ATTEMPTS = 6


def parse_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser, minus its cost: epoch numbers become UTC datetimes directly.

    botocore's default goes through dateutil's tzlocal for every value, which at 2,000 services
    (tasks and events carry several timestamps each) is most of an inventory's CPU time.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    return _default_timestamp_parser(value)  # type: ignore[no-any-return]


def _is_local(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return host in {"localhost", "::1"} or host.startswith("127.")


def _env_credentials() -> bool:
    return bool(os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE"))


@dataclass(frozen=True, slots=True)
class Target:
    """Where calls go: an AWS profile (None for the default chain), a region, an endpoint, and
    the account of a fleet (None: the profile's own credentials)."""

    profile: str | None
    region: str
    endpoint_url: str | None = None
    account: Account | None = None


@dataclass
class ClientSettings:
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    retry_mode: str = "adaptive"
    max_pool_connections: int = 50

    def config(self, **extra: Any) -> AioConfig:
        return AioConfig(
            retries={"max_attempts": self.max_attempts, "mode": self.retry_mode},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=self.max_pool_connections,
            **extra,
        )


@dataclass
class AwsContext:
    """The client cache for one console or CLI run.

    Use as ``async with AwsContext(...) as aws:`` and then ``await aws.client("ecs", region)``.
    """

    profile: str | None = None
    endpoint_url: str | None = None
    settings: ClientSettings = field(default_factory=ClientSettings)
    _sessions: dict[str | None, AioSession] = field(default_factory=dict, init=False, repr=False)
    _clients: dict[tuple[str, str, str], Any] = field(default_factory=dict, init=False, repr=False)
    _stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack, init=False)
    _lock: asyncio.Lock | None = field(default=None, init=False, repr=False)
    _access: Any = field(default=None, init=False, repr=False)

    @property
    def access(self) -> Any:
        """Each fleet account's session and state (console.aws.account_access.AccountAccess)."""
        if self._access is None:
            from console.aws.account_access import AccountAccess

            self._access = AccountAccess(self.account_deadline)
        return self._access

    @property
    def account_deadline(self) -> float:
        """How long a fleet account may take to answer before it is a row state: the connect
        timeout; against a local endpoint (the demo, moto) a slow answer means a busy machine,
        not an unreachable account, so the read timeout."""
        local = bool(self.endpoint_url and _is_local(self.endpoint_url))
        return (
            max(self.settings.connect_timeout, self.settings.read_timeout)
            if local
            else self.settings.connect_timeout
        )

    def target(self, region: str) -> Target:
        return Target(self.profile, region, self.endpoint_url, account_of(region))

    def session(self) -> AioSession:
        if self.profile not in self._sessions:
            session = _new_session()
            if self.profile:
                session.set_config_variable("profile", self.profile)
            elif self.endpoint_url and _is_local(self.endpoint_url) and not _env_credentials():
                # A local moto/LocalStack endpoint accepts any key; do not make people invent one.
                session.set_credentials("testing", "testing")
            self._sessions[self.profile] = session
        return self._sessions[self.profile]

    async def account_session(self, account: Account) -> AioSession:
        """The session of a fleet account (its role assumed, or its AWS profile), made once."""
        from console.aws import account_access

        async def make(acct: Account) -> AioSession:
            if acct.aws_profile:
                return await account_access.profile_session(acct, _new_session)
            region = acct.regions[0] if acct.regions else "us-east-1"
            sts = await self.client("sts", str(region))  # the profile's own credentials
            return await account_access.assumed_session(sts, acct, _new_session)

        return await self.access.session(account, make)  # type: ignore[no-any-return]

    async def client(self, service: str, region: str) -> Any:
        """The cached client for ``service`` in ``region`` (of the place's account), made on first use."""
        account = account_of(region)
        key = (service, str(region), account.key if account else "")
        client = self._clients.get(key)
        if client is not None:
            if account is not None:
                self.access.check(account)  # an account in its backoff fails at once
            return client
        session = self.session() if account is None else await self.account_session(account)
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            client = self._clients.get(key)
            if client is None:
                extra: dict[str, Any] = {}
                if service == "logs":
                    # StartLiveTail uses a host prefix that a local endpoint cannot resolve.
                    extra["inject_host_prefix"] = self.endpoint_url is None
                # A plain-http endpoint (the demo, LocalStack) has no certificates to check:
                # skip building an SSL context per client (tens of ms of CPU each).
                plain_http = bool(self.endpoint_url and self.endpoint_url.startswith("http://"))
                client = await self._stack.enter_async_context(
                    session.create_client(
                        service,
                        region_name=str(region),
                        endpoint_url=self.endpoint_url,
                        config=self.settings.config(**extra),
                        **({"verify": False} if plain_http else {}),
                    )
                )
                cache_user_agent(client)
                self._clients[key] = client
        return client

    async def close(self) -> None:
        self._clients.clear()
        self._access = None  # assumed roles refresh through clients closed here
        await self._stack.aclose()
        self._stack = contextlib.AsyncExitStack()

    def sibling(self, settings: ClientSettings) -> AwsContext:
        """Clients of other settings (e.g. fewer retries) on the same sessions and fleet accounts:
        no second session to build (tens of ms of CPU) and no role assumed twice."""
        other = AwsContext(profile=self.profile, endpoint_url=self.endpoint_url, settings=settings)
        other._sessions = self._sessions
        other._access = self.access
        return other

    async def __aenter__(self) -> AwsContext:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


_SHARED: dict[str, Any] = {}


def _new_session() -> AioSession:
    """A session with the run's fast parsers; every session of the process shares one data loader,
    so a fleet of 20 accounts parses each service's model once, not 20 times."""
    session = get_session()
    parsers = CompiledParserFactory()
    parsers.set_parser_defaults(timestamp_parser=parse_timestamp)
    session.register_component("response_parser_factory", parsers)
    loader = _SHARED.get("data_loader")
    if loader is None:
        _SHARED["data_loader"] = session.get_component("data_loader")
    else:
        session.register_component("data_loader", loader)
    return session


def cache_user_agent(client: Any) -> None:
    """Build each distinct User-Agent header once per client instead of once per request.

    botocore rebuilds the whole string before every request, sanitizing each
    component character by character: about 0.1 ms of CPU per call, a tenth of
    the client's CPU in a manual redrive.  Only the feature ids of the request's
    context vary between requests, so the string is cached per set of them and
    the header sent is the same.  A botocore without this internal is left as is.
    """
    creator = getattr(client, "_user_agent_creator", None)
    build = getattr(creator, "to_string", None)
    if creator is None or build is None:
        return
    built: dict[frozenset[str], str] = {}

    def to_string() -> str:
        ctx = get_context()
        features = frozenset(ctx.features) if ctx is not None else frozenset()
        ua = built.get(features)
        if ua is None:
            ua = built[features] = build()
        return ua

    creator.to_string = to_string
