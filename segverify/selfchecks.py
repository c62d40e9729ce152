"""Orchestration: the self-checks of one check, beside the engine when the model is large.

Every verdict is re-derived by the reference semantics before it is reported (api.self_check).
On a large model that re-derivation is a third of the check (75 of 200 s at 100,000 hosts),
and it ran on one core while the other idled. Here self-checks may run in a forked child while
the engine goes on with the next policies:

- The child sees the model, the verdicts and the reference's tables as they were at the fork,
  without pickling, and sends back only the problems it found. Its additions to the
  reference's tables die with it, so the parent builds the per-profile ones
  (closure.targets_of) before forking.
- One child at a time, the engine keeps the other core; verdicts that come while a child runs
  go together to the next one (a child per verdict made the engine wait on each).
- Problems are raised in policy order, as inline: the first failing self-check stops the check.
- Memory: the child keeps the old copy of every page the parent rewrites while it lives (the
  solver's heap, mostly): up to 1.3 GB more at 100,000 hosts. A child is forked only when the
  machine has that much to spare (`_room`); otherwise the check goes on inline.
- Measured at 25,600 hosts: inline 29.8 s; a child per batch 22.6 s (1,075 MiB PSS against
  665); one child forked at the start and fed pickled verdicts 28.6 s (750 MiB), as pickling
  and unpickling 175,000-entry certificates made it fall behind.
- Small models check inline: a fork costs milliseconds and the flagship example's whole check
  takes a few hundred. So do platforms without fork or /proc (where room cannot be told).
"""

from __future__ import annotations

import json
import os
import select
import signal
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from segverify.analyses.base import Verdict
from segverify.errors import InternalError
from segverify.model.ir import Model, Policy
from segverify.results import ClosedSetCertificate
from segverify.semantics.closure import targets_of
from segverify.semantics.context import Semantics
from segverify.semantics.moves import setup_for

# Below this many hosts a check takes seconds at most and forking buys nothing (bench.md).
FORK_FROM_HOSTS = 5000

Problems = Callable[[Model, Policy, Verdict, bool, Semantics], Sequence[str]]


Item = tuple[Policy, Verdict]


@dataclass
class _Child:
    pid: int
    fd: int
    batch: list[Item]


class SelfChecks:
    """Runs `problems` for each verdict, inline or in forked children, and raises on the first failure."""

    def __init__(
        self, model: Model, sem: Semantics, certificates: bool, problems: Problems, fork: bool
    ) -> None:
        self.model, self.sem, self.certificates, self.problems = model, sem, certificates, problems
        self.fork = fork and hasattr(os, "fork")
        self._child: _Child | None = None
        self._pending: list[Item] = []  # verdicts waiting for the running child to end

    def __enter__(self) -> SelfChecks:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.finish()
        elif self._child is not None:  # the check failed: stop the child
            os.kill(self._child.pid, signal.SIGKILL)
            self._answers()

    def submit(self, policy: Policy, verdict: Verdict) -> None:
        if not self.fork:
            self._check_here([(policy, verdict)])
            return
        if self.certificates and isinstance(verdict.certificate, ClosedSetCertificate):
            # Built here, once per profile and via set; a child's own copy would die with it.
            targets_of(self.sem, setup_for(self.model, self.sem.resolver, policy))
        self._pending.append((policy, verdict))
        if self._child is not None and _ready(self._child.fd):
            self._settle()
        if self._child is None and not _room():
            self.finish()  # no memory to spare for a child now: check here
        elif self._child is None:
            # Everything that came while the last child ran goes to the next one.
            self._child, self._pending = self._spawn(self._pending), []

    def finish(self) -> None:
        """Wait for the running child; check what is left here (nothing else runs now); raise on failure."""
        if self._child is not None:
            self._settle()
        pending, self._pending = self._pending, []
        self._check_here(pending)

    def _check_here(self, batch: list[Item]) -> None:
        for policy, verdict in batch:
            _raise(policy, verdict, self.problems(self.model, policy, verdict, self.certificates, self.sem))

    def _spawn(self, batch: list[Item]) -> _Child:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: check, report, and leave without running any exit handler
            os.close(read)
            found: list[list[str]] = []
            try:
                for policy, verdict in batch:
                    found.append(
                        list(self.problems(self.model, policy, verdict, self.certificates, self.sem))
                    )
            except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
                found.append(["the self-check raised: " + traceback.format_exc()])
            with os.fdopen(write, "w", encoding="utf-8") as out:
                out.write(json.dumps(found))
            os._exit(0)
        os.close(write)
        return _Child(pid, read, batch)

    def _settle(self) -> None:
        """Wait for the running child and raise the first failure of its batch."""
        assert self._child is not None
        batch, answers = self._child.batch, self._answers()
        for (policy, verdict), found in zip(batch, answers, strict=False):
            _raise(policy, verdict, found)
        if len(answers) != len(batch):  # a verdict no one answered for is not checked: never a pass
            raise InternalError(f"the self-check process answered {len(answers)} of {len(batch)} verdicts")

    def _answers(self) -> list[list[str]]:
        child, self._child = self._child, None
        assert child is not None
        with os.fdopen(child.fd, "r", encoding="utf-8") as answer:
            text = answer.read()
        _, status = os.waitpid(child.pid, 0)
        if not text:
            return [[f"the self-check process ended without an answer (wait status {status})"]]
        found = json.loads(text)
        assert isinstance(found, list)
        return [[str(p) for p in problems] for problems in found]


def _ready(fd: int) -> bool:
    """The child has answered (it writes once, at its end) or died: reading will not wait long."""
    return bool(select.select([fd], [], [], 0)[0])


def _raise(policy: Policy, verdict: Verdict, problems: Sequence[str]) -> None:
    if problems:
        status = verdict.status.value
        raise InternalError(f"self-check failed for {policy.id} ({status}): " + "; ".join(problems))


def should_fork(model: Model) -> bool:
    return len(model.hosts) >= FORK_FROM_HOSTS and (os.cpu_count() or 1) >= 2 and _room()


def _room() -> bool:
    """Free memory (cgroup limit included) for a child that ends up holding a copy of this process."""
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
