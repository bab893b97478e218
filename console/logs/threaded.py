"""A follow on an event loop of its own, in a thread, so that reading never stalls a UI.

Parsing a FilterLogEvents page of 10,000 events costs about 100 ms of CPU (JSON, then
one LogEvent each).  On the console's loop that is a key press waiting 100 ms, so the
pane used to ask for pages of 2,000, which capped it at 10,000 lines/s under the
5 calls/s budget: a quarter of a plain boto3 loop.  Here the follow runs with its own
clients (aiobotocore clients belong to one loop) and its own token buckets (the same
rates) in a daemon thread; batches come back to the caller's loop through a bounded
queue (the reader waits when the UI is behind, so memory stays bounded), errors come
back as they were raised, and :meth:`stop` ends the thread's follow at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future
from typing import Any

from console.aws.paging import Budget
from console.aws.session import AwsContext
from console.logs.follow import Batch, Follower, FollowStats
from console.logs.sources import LogSource

QUEUE_BATCHES = 4  # batches waiting for the caller before the reader waits too
_END = object()


class ThreadedFollower:
    """The interface of :class:`~console.logs.follow.Follower` the pane uses, read in a thread."""

    def __init__(
        self,
        new_context: Callable[[], tuple[AwsContext, Budget]],
        sources: Sequence[LogSource],
        **options: Any,
    ) -> None:
        self._new_context = new_context
        self.sources = tuple(sources)
        self.options = options
        self.pattern: str = options.get("pattern", "")
        self._follower: Follower | None = None
        self._blank = FollowStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the thread's
        self._main: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[object] | None = None
        self._caller: asyncio.AbstractEventLoop | None = None

    @property
    def stats(self) -> FollowStats:
        return self._follower.stats if self._follower is not None else self._blank

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """End the follow (from the caller's loop); the thread closes its clients and exits."""
        self._stop.set()
        caller, queue = self._caller, self._queue
        if caller is not None and queue is not None and not caller.is_closed():
            with contextlib.suppress(RuntimeError):  # wake a reader waiting for the next batch
                caller.call_soon_threadsafe(self._wake, queue)
        loop, main = self._loop, self._main
        if loop is not None and main is not None:
            with contextlib.suppress(RuntimeError):  # the thread's loop has ended already
                loop.call_soon_threadsafe(main.cancel)

    @staticmethod
    def _wake(queue: asyncio.Queue[object]) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # full: the reader is not waiting, it sees the flag
            queue.put_nowait(_END)

    def __aiter__(self) -> AsyncIterator[Batch]:
        return self.batches()

    async def batches(self) -> AsyncIterator[Batch]:
        if self._thread is not None:
            raise RuntimeError("a threaded follow is iterated once")
        self._caller = asyncio.get_running_loop()
        self._queue = asyncio.Queue(QUEUE_BATCHES)
        self._thread = threading.Thread(target=self._run, name="opsconsole logs follow", daemon=True)
        self._thread.start()
        try:
            while True:
                item = await self._queue.get()
                if item is _END or self._stop.is_set():
                    return
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, list)
                yield item
        finally:
            self.stop()

    # --- the thread ---------------------------------------------------------------------
    def _run(self) -> None:
        with contextlib.suppress(Exception):
            asyncio.run(self._follow())

    async def _follow(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._main = asyncio.current_task()
        aws, budget = self._new_context()
        try:
            if self._stop.is_set():
                return
            follower = self._follower = Follower(aws, self.sources, budget=budget, **self.options)
            try:
                async for batch in follower:
                    if self._stop.is_set():
                        return
                    await self._hand(batch)
            except asyncio.CancelledError:
                return
            except Exception as exc:
                await self._hand(exc)
        finally:
            if (
                not self._stop.is_set()
            ):  # a caller still reading: it waits for the end (a stopped one does not)
                with contextlib.suppress(BaseException):
                    await self._hand(_END)
            with contextlib.suppress(BaseException):
                await aws.close()

    async def _hand(self, item: object) -> None:
        """Put ``item`` on the caller's queue, waiting (without blocking this loop) while it is full."""
        caller, queue = self._caller, self._queue
        if caller is None or queue is None or caller.is_closed():
            return
        try:
            future: Future[None] = asyncio.run_coroutine_threadsafe(queue.put(item), caller)
        except RuntimeError:  # the caller's loop has closed
            return
        try:
            await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()
            raise


__all__ = ["ThreadedFollower"]
