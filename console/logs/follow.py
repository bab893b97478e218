"""The log follow engine, shared by the logs pane and ``opsconsole logs``.

It polls FilterLogEvents the way ``aws logs tail --follow`` does, with the
guarantees an on-call needs from a tail:

* **no gaps**: each poll of a source starts from the newest timestamp seen
  there minus an overlap, never from "now", and pages through every
  nextToken; the overlap grows to the ingestion delay observed (the awslogs
  driver flushes every 5 s), so a late event from a slow stream lands inside it;
* **no duplicates**: events seen inside the overlap window are remembered by
  eventId, and the memory is pruned as the window moves, so it stays bounded;
* **no overlapping polls**: one loop, the next round starts after the last one
  ended; every call is taken from the shared ``logs_filter`` bucket (5 TPS per
  account and region), so many groups slow down instead of being throttled;
* **keeps its place**: a throttled or failed page is retried after a backoff
  from the same nextToken (or the same start when the token is refused).

Several sources are polled in the same round and their events interleaved by
timestamp.  Stream prefixes and the include/exclude terms are always applied
here as well as on the server, because a server may ignore them (moto ignores
``logStreamNamePrefix`` and complex filter patterns) and AWS's term matching
is not Python's.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import inspect
import random
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from console.aws import logs as logs_api
from console.aws.paging import Budget
from console.aws.session import AwsContext
from console.errors import THROTTLE_CODES, BadInput, OpsError, describe_aws_error
from console.logs.buffer import message_size
from console.logs.filter import LineFilter
from console.logs.ranges import read_range
from console.logs.sources import LogSource
from console.logs.timespec import now_ms
from console.model import LogEvent

DEFAULT_INTERVAL = 1.0  # seconds between the end of one poll and the start of the next
DEFAULT_OVERLAP_MS = 2_000  # the least overlap; it grows with the ingestion delay observed
MAX_OVERLAP_MS = 300_000
LAG_MARGIN_MS = 1_000
LAG_DECAY = 0.99  # per completed poll: a slow stream's delay is remembered for a few minutes
MAX_BACKOFF = 30.0
MAX_BATCH = 10_000  # events per source per round; the rest follows in the next round at once
# ... and bytes per source per round: with 1 MB events a round of 10,000 would hold gigabytes
# between the reader and the pane (a few rounds wait in the threaded reader's queue).
MAX_BATCH_BYTES = 2**20
PRUNE_AT = 5_000  # remembered ids before a mid-poll prune
YIELD_EVERY = 500  # events handled between turns of the event loop (a page holds up to 10,000)
HISTORY_FLOOR_MS = 30 * 86_400_000  # how far back fetch_before looks when the group's age is unknown

# --- errors --------------------------------------------------------------------------------

_TRANSIENT_CODES = THROTTLE_CODES | {
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalFailure",
    "InternalServerError",
    "RequestTimeout",
    "RequestTimeoutException",
    "LimitExceededException",
}


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def is_throttle(exc: BaseException) -> bool:
    return error_code(exc) in THROTTLE_CODES


def is_transient(exc: BaseException) -> bool:
    """An error that waiting out fixes: throttling, 5xx, a dropped or slow connection."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0
        return error_code(exc) in _TRANSIENT_CODES or int(status) >= 500
    if isinstance(exc, ConnectionError | HTTPClientError | asyncio.TimeoutError | OSError):
        return True
    try:
        import aiohttp

        return isinstance(exc, aiohttp.ClientError)
    except ImportError:  # pragma: no cover
        return False


def _server_streams(source: LogSource) -> tuple[str, ...]:
    """Stream names for the request; above AWS's 100 only the client-side check narrows them."""
    return source.streams if len(source.streams) <= logs_api.MAX_STREAM_NAMES else ()


# --- the engine ----------------------------------------------------------------------------


@dataclass
class FollowStats:
    polls: int = 0  # completed rounds
    calls: int = 0  # FilterLogEvents calls made
    events: int = 0  # events delivered
    duplicates: int = 0  # events seen again in an overlap and dropped
    filtered: int = 0  # events the include/exclude terms dropped
    throttled: int = 0  # calls that failed with throttling after botocore's retries
    errors: int = 0  # other failed calls that were waited out
    last_error: str = ""  # one line, empty once a round succeeds
    retry_in: float = 0.0  # seconds until the next try after an error


@dataclass
class _Cursor:
    """Where one source stands: the next start, the overlap's event ids, a page to resume."""

    start: int | None
    newest: int | None = None  # newest event time seen (capped at its ingestion time)
    floor: int | None = None  # no poll starts before this again: ids below it are forgotten
    lag: float = 0.0  # ingestion delay observed (ms, slowly decaying): the overlap covers it
    seen: dict[str, int] = field(default_factory=dict)  # eventId -> timestamp
    # The same ids in arrival order (nearly time order): pruning pops from the left instead
    # of rebuilding ``seen``, so its cost is what it forgets, not what it keeps.
    arrivals: deque[tuple[int, str]] = field(default_factory=deque)
    token: str | None = None
    poll_start: int | None = None


Batch = list[LogEvent]
BatchCallback = Callable[[Batch], "Awaitable[None] | None"]


class Follower:
    """Follow (or read the history of) one or several log sources.

    ``async for batch in follower:`` yields lists of new events, oldest first,
    until :meth:`stop` or, with ``until``, once the range is complete.
    :meth:`history` streams a bounded range, :meth:`fetch_before` pages back.
    """

    def __init__(
        self,
        aws: AwsContext,
        sources: Sequence[LogSource],
        *,
        budget: Budget | None = None,
        since: int | None = None,
        until: int | None = None,
        pattern: str = "",
        line_filter: LineFilter | None = None,
        interval: float = DEFAULT_INTERVAL,
        overlap_ms: int = DEFAULT_OVERLAP_MS,
        max_backoff: float = MAX_BACKOFF,
        page_size: int | None = None,
        max_batch: int = MAX_BATCH,
        max_batch_bytes: int = MAX_BATCH_BYTES,
        on_status: Callable[[FollowStats], None] | None = None,
    ) -> None:
        if not sources:
            raise BadInput("nothing to follow: give at least one log group")
        self.aws = aws
        self.sources = tuple(sources)
        self.budget = budget or Budget()
        self.since = since
        self.until = until
        self.pattern = pattern
        self.line_filter = line_filter or LineFilter()
        self.interval = interval
        self.overlap_ms = overlap_ms
        self.max_backoff = max_backoff
        self.page_size = page_size
        self.max_batch = max_batch
        self.max_batch_bytes = max_batch_bytes
        self.on_status = on_status
        self.stats = FollowStats()
        self._cursors: dict[LogSource, _Cursor] = {}
        self._stopping = asyncio.Event()
        self._failures = 0
        self._caught_up = False

    # --- following ------------------------------------------------------------------------
    def stop(self) -> None:
        """End the follow after the current poll (safe to call from any task of the loop)."""
        self._stopping.set()

    @property
    def stopped(self) -> bool:
        return self._stopping.is_set()

    def _cursor(self, source: LogSource) -> _Cursor:
        cursor = self._cursors.get(source)
        if cursor is None:
            start = self.since if self.since is not None else now_ms() - self.overlap_ms
            cursor = self._cursors[source] = _Cursor(start=start)
        return cursor

    def overlap(self, cursor: _Cursor) -> int:
        """How far back from the newest event the next poll starts.

        At least ``overlap_ms``, and more when events arrive later than that
        after their timestamp (awslogs flushes every 5 s; a reconnecting agent
        can be minutes late): an event is only missed if it is ingested more
        than the overlap after its own timestamp.
        """
        return int(min(MAX_OVERLAP_MS, max(self.overlap_ms, cursor.lag + LAG_MARGIN_MS)))

    def _next_start(self, cursor: _Cursor) -> int | None:
        if cursor.newest is None:
            return cursor.start
        start = cursor.newest - self.overlap(cursor)
        for bound in (cursor.start, cursor.floor):
            if bound is not None:
                start = max(start, bound)
        return start

    def _remember(self, source: LogSource, cursor: _Cursor, event: LogEvent) -> bool:
        """Record an event of ``source``; False when it was seen before (an overlap repeat)."""
        key = event.event_id or f"{event.stream}|{event.timestamp}|{hash(event.message)}"
        if key in cursor.seen:
            self.stats.duplicates += 1
            return False
        cursor.seen[key] = event.timestamp
        cursor.arrivals.append((event.timestamp, key))
        # A timestamp in the future (a skewed clock) must not move the start past events still to come.
        anchor = min(event.timestamp, event.ingestion_time) if event.ingestion_time else event.timestamp
        if cursor.newest is None or anchor > cursor.newest:
            cursor.newest = anchor
        if event.ingestion_time and event.ingestion_time - event.timestamp > cursor.lag:
            cursor.lag = float(event.ingestion_time - event.timestamp)
        return True

    def _prune(self, cursor: _Cursor, *, force: bool = False) -> None:
        """Forget ids below the next poll's start: they cannot come back, and memory stays bounded."""
        if not force and len(cursor.seen) < PRUNE_AT:
            return
        floor = self._next_start(cursor)
        if floor is None:
            return
        cursor.floor = floor
        seen, arrivals = cursor.seen, cursor.arrivals
        # An id that arrived out of order stays until those before it go: kept a little longer, never lost early.
        while arrivals and arrivals[0][0] < floor:
            ts, key = arrivals.popleft()
            if seen.get(key) == ts:
                del seen[key]

    async def _poll_source(self, source: LogSource) -> tuple[Batch, BaseException | None]:
        """New events of one source since its cursor (at most ``max_batch`` events or, at a page's
        end, ``max_batch_bytes`` of messages per round).

        On error, the events read before it are returned with the error, and
        the cursor keeps the nextToken so that the next round resumes there.
        """
        cursor = self._cursor(source)
        if cursor.token is None:
            cursor.poll_start = self._next_start(cursor)
        fresh: Batch = []
        size = 0
        try:
            while True:
                self.stats.calls += 1
                try:
                    page = await logs_api.filter_page(
                        self.aws,
                        self.budget,
                        source.region,
                        source.group,
                        start=cursor.poll_start,
                        end=self.until,
                        stream_names=_server_streams(source),
                        stream_prefix=source.server_prefix,
                        pattern=self.pattern,
                        token=cursor.token,
                        limit=self.page_size,
                    )
                except Exception as exc:
                    if cursor.token and error_code(exc) == "InvalidParameterException":
                        # An expired token: poll again from where the ids still dedupe.
                        cursor.token = None
                        cursor.poll_start = self._next_start(cursor)
                        continue
                    raise
                for n, event in enumerate(page.events, 1):
                    if n % YIELD_EVERY == 0:
                        await asyncio.sleep(0)  # a UI on this loop gets a turn within a big page
                    if not source.accepts(event) or not self._remember(source, cursor, event):
                        continue
                    if self.line_filter and not self.line_filter.matches(event.message):
                        self.stats.filtered += 1
                        continue
                    fresh.append(event)
                    size += message_size(event.message)
                cursor.token = page.next_token
                self._prune(cursor)
                if not cursor.token or len(fresh) >= self.max_batch or size >= self.max_batch_bytes:
                    break
        except Exception as exc:
            return fresh, exc
        if cursor.token is None:
            self._prune(cursor, force=True)
            cursor.lag *= LAG_DECAY
        return fresh, None

    async def poll_once(self) -> Batch:
        """One round over every source: the new events, interleaved by timestamp.

        Transient errors are counted in :attr:`stats` (and slow the next round
        down in :meth:`batches`); any other error is raised as an OpsError.
        """
        results = await asyncio.gather(*(self._poll_source(s) for s in self.sources))
        batch: Batch = []
        failed: list[tuple[LogSource, BaseException]] = []
        for source, (events, error) in zip(self.sources, results, strict=True):
            batch.extend(events)
            if error is not None:
                failed.append((source, error))
        batch.sort(key=lambda e: e.timestamp)
        self.stats.polls += 1
        self.stats.events += len(batch)
        if not failed:
            self._failures = 0
            self.stats.last_error = ""
            self.stats.retry_in = 0.0
            return batch
        for source, error in failed:
            if error_code(error) == "ResourceNotFoundException":
                self.stats.errors += 1  # a group not created yet (or deleted): keep waiting for it
            elif is_throttle(error):
                self.stats.throttled += 1
            elif is_transient(error):
                self.stats.errors += 1
            else:
                raise OpsError(describe_aws_error(error, where=source.group)) from error
        self._failures += 1
        source, error = failed[0]
        self.stats.retry_in = min(self.max_backoff, self.interval * 2 ** min(self._failures, 6))
        self.stats.last_error = describe_aws_error(error, where=source.group)
        return batch

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    def _complete(self, round_started: int) -> bool:
        """With ``until``, the range is complete once a clean round started after it (plus the overlap)."""
        return (
            self.until is not None
            and not self.stats.last_error
            and round_started > self.until + self.overlap_ms
        )

    async def batches(self, *, catch_up: bool = True) -> AsyncIterator[Batch]:
        """Follow: yield new events (non-empty lists, oldest first) until stopped or complete.

        With ``since``, the range up to now is first read as :meth:`history`
        (merged in time order, page by page), then polling takes over from the
        newest event seen, without a gap or a repeat at the seam.
        """
        if catch_up and not self._caught_up and self.since is not None:
            self._caught_up = True
            started = now_ms()
            end = started if self.until is None else min(self.until, started)
            async for batch in self.history(self.since, end, _track=True):
                self.stats.events += len(batch)
                yield batch
            if self.until is not None and started > self.until + self.overlap_ms:
                return
        while not self._stopping.is_set():
            started = now_ms()
            batch = await self.poll_once()
            if self.on_status is not None:
                self.on_status(self.stats)
            if batch:
                yield batch
            del batch  # not held through the sleep: the pane keeps what it keeps, in its bound
            pending = any(c.token for c in self._cursors.values())
            if self._stopping.is_set() or (not pending and self._complete(started)):
                return
            if self.stats.last_error:
                await self._sleep(self.stats.retry_in * random.uniform(0.8, 1.2))
            elif not pending:  # a round cut at max_batch (events or bytes) goes on at once
                await self._sleep(self.interval)

    def __aiter__(self) -> AsyncIterator[Batch]:
        return self.batches()

    async def run(self, callback: BatchCallback) -> None:
        """Follow, handing each batch to ``callback`` (sync or async) until :meth:`stop`."""
        async for batch in self.batches():
            result = callback(batch)
            if inspect.isawaitable(result):
                await result

    # --- history --------------------------------------------------------------------------
    async def history(
        self,
        since: int | None = None,
        until: int | None = None,
        *,
        limit: int | None = None,
        _track: bool = False,
    ) -> AsyncIterator[Batch]:
        """Every event between ``since`` and ``until`` (inclusive ms), in time order, page by page.

        Sources are merged as their pages arrive, holding about one page per
        source, so a long range streams in bounded memory.  ``limit`` stops after
        that many events.
        """
        start = self.since if since is None else since
        end = self.until if until is None else until
        pages: dict[LogSource, AsyncIterator[Batch]] = {
            source: self._pages(source, start, end, track=_track) for source in self.sources
        }
        buffers: dict[LogSource, deque[LogEvent]] = {source: deque() for source in self.sources}
        live = set(self.sources)
        sent = 0
        while live or any(buffers.values()):
            if _track and self._stopping.is_set():
                return
            empty = [s for s in self.sources if s in live and not buffers[s]]
            fetched = await asyncio.gather(*(self._next_page(pages[s]) for s in empty))
            for source, events in zip(empty, fetched, strict=True):
                if events is None:
                    live.discard(source)
                else:
                    buffers[source].extend(events)
            if any(s in live and not buffers[s] for s in self.sources):
                continue  # a page that the filters emptied: fetch that source's next one first
            horizon = min((buffers[s][-1].timestamp for s in live), default=None)
            ready: list[Iterable[LogEvent]] = []
            for source in self.sources:
                buf = buffers[source]
                take: list[LogEvent] = []
                while buf and (horizon is None or buf[0].timestamp <= horizon):
                    take.append(buf.popleft())
                ready.append(take)
            batch = list(heapq.merge(*ready, key=lambda e: e.timestamp))
            if limit is not None and sent + len(batch) >= limit:
                batch = batch[: limit - sent]
                if batch:
                    yield batch
                return
            sent += len(batch)
            if batch:
                yield batch

    async def _pages(
        self, source: LogSource, start: int | None, end: int | None, *, track: bool = False
    ) -> AsyncIterator[Batch]:
        """The kept events of each page of a range (``track``: and remember them for the follow)."""
        cursor = self._cursor(source) if track else None

        def fetch(lo: int | None, hi: int | None, token: str | None) -> Awaitable[logs_api.FilterPage]:
            return self._retrying(
                source,
                functools.partial(
                    logs_api.filter_page,
                    self.aws,
                    self.budget,
                    source.region,
                    source.group,
                    start=lo,
                    end=hi,
                    stream_names=_server_streams(source),
                    stream_prefix=source.server_prefix,
                    pattern=self.pattern,
                    token=token,
                    limit=self.page_size,
                ),
            )

        # A long or busy range is read in parts, concurrently, within the budget (console.logs.ranges).
        async for events in read_range(fetch, start, end):
            kept: Batch = []
            for n, event in enumerate(events, 1):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # a UI on this loop gets a turn within a big page
                if not source.accepts(event):
                    continue
                if cursor is not None and not self._remember(source, cursor, event):
                    continue
                if self.line_filter and not self.line_filter.matches(event.message):
                    self.stats.filtered += 1
                    continue
                kept.append(event)
            if cursor is not None:
                self._prune(cursor)
            kept.sort(key=lambda e: e.timestamp)
            yield kept

    async def _retrying(
        self, source: LogSource, call: Callable[[], Awaitable[logs_api.FilterPage]]
    ) -> logs_api.FilterPage:
        """One page, waiting out throttling and transient failures (with backoff) until stopped."""
        failures = 0
        while True:
            self.stats.calls += 1
            try:
                page = await call()
            except Exception as exc:
                if not is_transient(exc) or self._stopping.is_set():
                    raise OpsError(describe_aws_error(exc, where=source.group)) from exc
                failures += 1
                if is_throttle(exc):
                    self.stats.throttled += 1
                else:
                    self.stats.errors += 1
                self.stats.retry_in = min(self.max_backoff, self.interval * 2 ** min(failures, 6))
                self.stats.last_error = describe_aws_error(exc, where=source.group)
                if self.on_status is not None:
                    self.on_status(self.stats)
                await self._sleep(self.stats.retry_in * random.uniform(0.8, 1.2))
                continue
            if failures:
                self.stats.last_error, self.stats.retry_in = "", 0.0
            return page

    @staticmethod
    async def _next_page(pages: AsyncIterator[Batch]) -> Batch | None:
        try:
            return await anext(pages)
        except StopAsyncIteration:
            return None

    async def fetch_range(
        self, since: int | None = None, until: int | None = None, *, limit: int | None = None
    ) -> Batch:
        """The events of a range as one list (see :meth:`history`; mind the size of the range)."""
        out: Batch = []
        async for batch in self.history(since, until, limit=limit):
            out.extend(batch)
        return out

    async def fetch_before(self, ts: int, limit: int = 500, *, floor: int | None = None) -> Batch:
        """The newest ``limit`` events older than ``ts``, oldest first: paging back through history.

        FilterLogEvents reads forwards only (portably), so this searches windows
        that grow backwards from ``ts`` (1 min, 4 min, 16 min…) until it has
        ``limit`` events or reaches ``floor`` (default: 30 days back).
        """
        floor = ts - HISTORY_FLOOR_MS if floor is None else floor
        collected: deque[LogEvent] = deque()
        hi = ts - 1
        width = 60_000
        while len(collected) < limit and hi >= floor:
            lo = max(floor, hi - width + 1)
            window = await self.fetch_range(lo, hi)
            collected.extendleft(reversed(window))
            hi = lo - 1
            width *= 4
        return list(collected)[-limit:] if limit else []


__all__ = ["Batch", "FollowStats", "Follower", "error_code", "is_throttle", "is_transient"]
