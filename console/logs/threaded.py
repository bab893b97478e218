"""Follows on an event loop of their own, in a thread, so that reading never stalls a UI.

Parsing a FilterLogEvents page of 10,000 events costs about 100 ms of CPU (JSON, then
one LogEvent each).  On the console's loop that is a key press waiting 100 ms, so the
pane used to ask for pages of 2,000, which capped it at 10,000 lines/s under the
5 calls/s budget: a quarter of a plain boto3 loop.  Here follows run on a
:class:`ReaderLoop`: one daemon thread with its own loop, its own clients (aiobotocore
clients belong to one loop; made once, so a new range does not load botocore's models
again) and its own token buckets (the same rates); batches come back to the caller's loop through a bounded
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


class ReaderLoop:
    """A daemon thread running an event loop, with the clients and budget its follows share."""

    def __init__(self, new_context: Callable[[], tuple[AwsContext, Budget]]) -> None:
        self._new_context = new_context
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.aws: AwsContext | None = None
        self.budget: Budget | None = None

    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop (started on first use)."""
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                ready = threading.Event()
                self._thread = threading.Thread(
                    target=self._run, args=(ready,), name="opsconsole logs reader", daemon=True
                )
                self._thread.start()
                ready.wait()
            assert self._loop is not None
            return self._loop

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.aws, self.budget = self._new_context()
        self._loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(self.aws.close())
            loop.close()

    def close(self) -> None:
        """Stop the loop (its clients are closed first); a later follow starts a new one."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = None
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(loop.stop)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)


class ThreadedFollower:
    """The interface of :class:`~console.logs.follow.Follower` the pane uses, read in a thread."""

    def __init__(
        self, reader: ReaderLoop, sources: Sequence[LogSource], *, own_reader: bool = False, **options: Any
    ) -> None:
        self._reader = reader
        self._own_reader = own_reader  # close the reader (thread, clients) when this follow ends
        self.sources = tuple(sources)
        self.options = options
        self.pattern: str = options.get("pattern", "")
        self._follower: Follower | None = None
        self._blank = FollowStats()
        self._stop = threading.Event()
        self._future: Future[None] | None = None  # the follow, on the reader's loop
        self._loop: asyncio.AbstractEventLoop | None = None  # the reader's
        self._handing: Future[None] | None = None
        self._queue: asyncio.Queue[object] | None = None
        self._caller: asyncio.AbstractEventLoop | None = None
        self._held: object | None = None  # an end or error met by ready(), given by the next get

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
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the reader's loop has ended already
                loop.call_soon_threadsafe(self._stop_on_reader)

    def _stop_on_reader(self) -> None:
        """Stop between calls, never inside one: a request cancelled mid-flight can leave its pooled
        connection hanging the next request on it (seen as a follow that never delivers)."""
        if self._follower is not None:
            self._follower.stop()
        handing = self._handing
        if handing is not None:  # waiting for a caller that no longer reads
            handing.cancel()

    @staticmethod
    def _wake(queue: asyncio.Queue[object]) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # full: the reader is not waiting, it sees the flag
            queue.put_nowait(_END)

    def __aiter__(self) -> AsyncIterator[Batch]:
        return self.batches()

    async def batches(self) -> AsyncIterator[Batch]:
        if self._future is not None:
            raise RuntimeError("a threaded follow is iterated once")
        self._caller = asyncio.get_running_loop()
        self._queue = asyncio.Queue(QUEUE_BATCHES)
        self._future = asyncio.run_coroutine_threadsafe(self._follow(), self._reader.loop())
        try:
            while True:
                item, self._held = (self._held, None) if self._held is not None else (None, None)
                if item is None:
                    item = await self._queue.get()
                if item is _END or self._stop.is_set():
                    return
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, list)
                yield item
        finally:
            self.stop()

    def ready(self) -> list[Batch]:
        """The batches already waiting, taken without waiting (a caller that fell behind takes them at
        once: what its bound would drop at once need not be handled line by line)."""
        out: list[Batch] = []
        queue = self._queue
        while queue is not None and self._held is None and not queue.empty():
            item = queue.get_nowait()
            if isinstance(item, list):
                out.append(item)
            else:
                self._held = item  # the end, or an error: handed on after these batches
        return out

    @property
    def done(self) -> bool:
        """The follow has ended on the reader's loop."""
        return self._future is not None and self._future.done()

    # --- on the reader's loop ---------------------------------------------------------------
    async def _follow(self) -> None:
        self._loop = asyncio.get_running_loop()
        aws, budget = self._reader.aws, self._reader.budget
        assert aws is not None and budget is not None
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
        self._handing = future
        try:
            await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()
            raise
        finally:
            self._handing = None


__all__ = ["ReaderLoop", "ThreadedFollower"]
