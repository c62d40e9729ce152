"""Orchestration: the self-checks of one check, beside the engine when the model is large.

Every verdict is re-derived by the reference semantics before it is reported
(analyses/crosscheck.self_check_problems).
On a large model that re-derivation is about half of the work, and inline it ran on one core
while the other idled. Here the self-checks may run in one child process, forked when the
check starts, while the engine goes on with the next policies:

- The child has the model and the reference's tables from the fork. Verdicts go to it
  pickled, over a pipe, by one pickler for the whole check: an object sent before (a boundary
  entry that many certificates share, a host name) goes again as a reference to the first.
  A writer thread feeds the pipe, so the engine never waits for the child to read.
- The child answers each verdict, in order, with the problems it found (one JSON line).
  Problems are raised in policy order, as inline: the first failing self-check stops the check.
- When the engine is done, the parent takes verdicts from the end of the queue while the child
  works from the front, until they meet: both cores stay busy to the end.
- Memory: the child was forked before the engine built anything, so it never holds copies of
  the engine's pages (the solver's heap, mostly). A child forked later, per batch of verdicts,
  kept the old copy of every page the parent rewrote, costing both time and memory
  (docs/bench.md, "Design measurements").
- A child that dies, or that does not answer, fails the check: a verdict no one answered for
  is not checked, and never a pass.
- Small models check inline: a fork costs milliseconds and the flagship example's whole check
  takes a few hundred. So do platforms without fork or /proc, and machines without memory to
  spare (`_room`).
"""

from __future__ import annotations

import io
import json
import os
import pickle
import queue
import select
import signal
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from segverify.analyses.base import Verdict
from segverify.errors import InternalError
from segverify.model.ir import Model, Policy
from segverify.semantics.context import Semantics

# Below this many hosts a check takes seconds at most and forking buys nothing (bench.md).
FORK_FROM_HOSTS = 5000

Problems = Callable[[Model, Policy, Verdict, bool, Semantics], Sequence[str]]
Item = tuple[Policy, Verdict]


class SelfChecks:
    """Runs `problems` for each verdict, inline or in a forked child, and raises on the first failure."""

    def __init__(
        self, model: Model, sem: Semantics, certificates: bool, problems: Problems, fork: bool
    ) -> None:
        self.model, self.sem, self.certificates, self.problems = model, sem, certificates, problems
        self.fork = fork and hasattr(os, "fork")
        self._child: _Child | None = None
        self._items: list[Item] = []

    def __enter__(self) -> SelfChecks:
        if self.fork:
            self._child = _Child.spawn(self._check_stream)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.finish()
        elif self._child is not None:  # the check failed: stop the child
            self._child.stop()

    def submit(self, policy: Policy, verdict: Verdict) -> None:
        if self._child is None:
            _raise(policy, verdict, self._problems(policy, verdict))
            return
        self._items.append((policy, verdict))
        self._child.send((policy, verdict))
        answered = self._child.collect()
        self._raise_answered(answered)
        if self._child.ended:
            child, self._child = self._child, None
            self._raise_unanswered(answered, child.stop())

    def finish(self) -> None:
        """Check what the child has not reached here, from the end; raise the first failure."""
        child, self._child = self._child, None
        if child is None:
            return
        mine: dict[int, Sequence[str]] = {}
        try:
            child.send(None)
            answered = child.collect()
            while len(answered) + len(mine) < len(self._items) and not child.ended:
                j = len(self._items) - 1 - len(mine)
                mine[j] = self._answer(self._items[j])
                answered = child.collect()
        finally:
            status = child.stop()
        if len(answered) + len(mine) < len(self._items):
            self._raise_unanswered(answered, status)
        self._raise_answered(answered + [mine[j] for j in range(len(answered), len(self._items))])

    def _raise_answered(self, answers: list[Sequence[str]]) -> None:
        for (policy, verdict), found in zip(self._items, answers, strict=False):
            _raise(policy, verdict, found)

    def _raise_unanswered(self, answered: list[Sequence[str]], status: int) -> None:
        """The child ended early: its failures first, else the verdicts no one checked."""
        self._raise_answered(answered)
        raise InternalError(
            f"the self-check process ended after {len(answered)} of {len(self._items)} verdicts "
            f"without answering the rest (wait status {status})"
        )

    def _problems(self, policy: Policy, verdict: Verdict) -> Sequence[str]:
        return self.problems(self.model, policy, verdict, self.certificates, self.sem)

    def _answer(self, item: Item) -> list[str]:
        """The problems of one verdict, as the child reports them (also when the check raises)."""
        try:
            return list(self._problems(*item))
        except Exception:  # noqa: BLE001 - reported as a problem, which fails the check
            return ["the self-check raised: " + traceback.format_exc()]

    def _check_stream(self, source: BinaryIO, answers: BinaryIO) -> None:
        """The child's work: answer each verdict in order until the end marker (None)."""
        verdicts = pickle.Unpickler(source)
        index = 0
        while (item := verdicts.load()) is not None:
            # Each answer names its verdict: a lost or repeated one cannot shift the rest.
            answers.write(json.dumps([index, self._answer(item)]).encode() + b"\n")
            answers.flush()
            index += 1


class _Child:
    """The forked process, the pipes to it and from it, and the thread that feeds it."""

    def __init__(self, pid: int, to_child: int, from_child: int) -> None:
        self.pid, self.ended, self._status = pid, False, 0
        self._from_child = from_child
        self._received = b""
        self._answers: list[Sequence[str]] = []
        # One pickler for the whole check: its memo sends a repeated object as a reference.
        self._buffer = io.BytesIO()
        self._pickler = pickle.Pickler(self._buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=_feed, args=(to_child, self._outbox), daemon=True)
        self._writer.start()

    @classmethod
    def spawn(cls, work: Callable[[BinaryIO, BinaryIO], None]) -> _Child:
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: work, then leave without running any exit handler
            code = 0
            try:
                os.close(down_write)
                os.close(up_read)
                with os.fdopen(down_read, "rb") as source, os.fdopen(up_write, "wb") as answers:
                    work(source, answers)
            except BaseException:  # noqa: BLE001 - the parent sees the missing answers
                code = 1
            os._exit(code)
        os.close(down_read)
        os.close(up_write)
        return cls(pid, down_write, up_read)

    def send(self, item: Item | None) -> None:
        """Queue a verdict (None: no more) for the writer thread; never waits for the child."""
        if item is None:
            self._outbox.put(None)
            return
        self._pickler.dump(item)
        self._outbox.put(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()

    def collect(self) -> list[Sequence[str]]:
        """Every answer so far, in order; reads what has arrived without waiting for more."""
        while not self.ended and select.select([self._from_child], [], [], 0)[0]:
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                self.ended = True
                break
            self._received += chunk
        *lines, self._received = self._received.split(b"\n")
        for line in lines:
            index, problems = json.loads(line)
            if index != len(self._answers):
                raise InternalError(
                    f"the self-check process answered verdict {index} in place of {len(self._answers)}"
                )
            self._answers.append([str(p) for p in problems])
        return self._answers

    def stop(self) -> int:
        """End the child (done, or no longer needed) and return its wait status."""
        if not self.ended:
            os.kill(self.pid, signal.SIGKILL)
        self._outbox.put(None)
        _, status = os.waitpid(self.pid, 0)
        self._writer.join()
        os.close(self._from_child)
        self.ended = True
        return status


def _feed(fd: int, outbox: queue.SimpleQueue[bytes | None]) -> None:
    """The writer thread: blocking writes to the child, in order, until the end marker."""
    try:
        with os.fdopen(fd, "wb") as pipe:
            while (data := outbox.get()) is not None:
                pipe.write(data)
                pipe.flush()  # the child waits for each verdict whole
            pipe.write(pickle.dumps(None))
    except BrokenPipeError:  # the child is gone; the parent sees its missing answers
        pass


def _raise(policy: Policy, verdict: Verdict, problems: Sequence[str]) -> None:
    if problems:
        status = verdict.status.value
        raise InternalError(f"self-check failed for {policy.id} ({status}): " + "; ".join(problems))


def should_fork(model: Model) -> bool:
    return len(model.hosts) >= FORK_FROM_HOSTS and (os.cpu_count() or 1) >= 2 and _room()


def _room() -> bool:
    """Free memory (cgroup limit included) for a child as large as this process."""
    try:
        need = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        free = _meminfo_available()
    except (OSError, ValueError):
        return False
    limit = Path("/sys/fs/cgroup/memory.max")
    if limit.exists() and (text := limit.read_text().strip()) != "max":
        used = int(Path("/sys/fs/cgroup/memory.current").read_text())
        free = min(free, int(text) - used)
    return free >= need


def _meminfo_available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    raise ValueError("no MemAvailable in /proc/meminfo")
