"""The faults of a chaos run, and the injector that fires them at random for the whole run.

Each fault is a function that breaks something and (for the ones that last)
repairs it; it returns when the system has been given back its part. The
injector then measures, in a thread, how long the system takes to settle:
every job that was active when the fault began has an outcome, and a fresh
refresh of an untouched project (the canary) completes. Faults follow one
another without waiting for that, so they overlap; a stopped worker (which
must stay stopped past its heartbeat timeout) runs in a thread of its own.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.chaos.githost import HangingRelay
from tests.chaos.stack import Stack

KINDS = (
    "kill_work_horse",
    "kill_worker",
    "stop_worker",
    "redis_restart_keep",
    "redis_restart_lose",
    "postgres_restart",
    "git_host_hang",
    "clone_dir_full",
)


class NothingToBreakError(Exception):
    """The fault found nothing to act on (no job running); it is not counted."""


@dataclass
class FaultEvent:
    kind: str
    began: float
    lifted: float = 0.0
    settled: float | None = None
    note: str = ""

    @property
    def settle_seconds(self) -> float | None:
        return None if self.settled is None else self.settled - self.lifted


@dataclass
class Injector:
    """Fires faults at random; knows the stack and how to ask whether things settled."""

    stack: Stack
    relay: HangingRelay
    clone_dir: Path
    clone_dir_is_small_fs: bool
    rng: random.Random
    heartbeat_timeout: float
    settle_check: Callable[[FaultEvent, set[str]], float | None]
    active_job_ids: Callable[[], set[str]]
    outage_seconds: float = 3.0
    hang_seconds: float = 12.0
    events: list[FaultEvent] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)
    _running: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- the faults ----------------------------------------------------------------

    def kill_work_horse(self, event: FaultEvent) -> None:
        deadline = time.monotonic() + 20
        busy = []
        while not busy and time.monotonic() < deadline and not self.stop.is_set():
            busy = [(w, c) for w in self.stack.worker_processes() for c in w.children()]
            if not busy:
                time.sleep(0.1)
        if not busy:
            raise NothingToBreakError("no job ran for 20 s")
        worker, horse = self.rng.choice(busy)
        os.kill(horse, signal.SIGKILL)
        event.note = f"{worker.name} work-horse {horse}"

    def kill_worker(self, event: FaultEvent) -> None:
        worker = self.rng.choice(self.stack.worker_processes())
        if worker.proc is None:
            return
        self.stack.expect_exit(worker)
        os.killpg(worker.proc.pid, signal.SIGKILL)  # the worker and its work-horse
        event.note = worker.name

    def stop_worker(self, event: FaultEvent) -> None:
        worker = self.rng.choice(self.stack.worker_processes())
        proc = worker.proc
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGSTOP)
        event.note = f"{worker.name} for {self.heartbeat_timeout:.0f} s"
        self.stop.wait(self.heartbeat_timeout)
        try:
            os.killpg(proc.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass

    def redis_restart_keep(self, event: FaultEvent) -> None:
        redis = self.stack.redis
        redis.stop_keeping_data()
        self.stop.wait(self.outage_seconds)
        redis.start()

    def redis_restart_lose(self, event: FaultEvent) -> None:
        redis = self.stack.redis
        redis.kill_and_wipe()
        self.stop.wait(self.outage_seconds)
        redis.start()

    def postgres_restart(self, event: FaultEvent) -> None:
        self.stack.postgres.restart()

    def git_host_hang(self, event: FaultEvent) -> None:
        self.relay.hang()
        self.stop.wait(self.hang_seconds)
        self.relay.answer()

    def clone_dir_full(self, event: FaultEvent) -> None:
        ballast = self.clone_dir / "chaos-ballast"
        # Fill what is free; dd stops at "No space left on device".
        subprocess.run(
            ["dd", "if=/dev/zero", f"of={ballast}", "bs=64k"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        self.stop.wait(self.hang_seconds)
        ballast.unlink(missing_ok=True)

    # -- firing ----------------------------------------------------------------------

    def available(self, kind: str) -> bool:
        if kind == "clone_dir_full":
            return self.clone_dir_is_small_fs
        return True

    def fire(self, kind: str) -> FaultEvent:
        """Inject one fault and wait until it is lifted; settling is measured in a thread."""
        event = FaultEvent(kind, began=time.monotonic())
        before = self.active_job_ids()
        print(f"[fault] {kind} ...", flush=True)
        try:
            getattr(self, kind)(event)
        except NothingToBreakError as exc:
            print(f"[fault] {kind} not injected: {exc}", flush=True)
            return event
        event.lifted = time.monotonic()
        with self._lock:
            self.events.append(event)
            self.counts[kind] += 1
        self._in_thread(f"settle-{kind}", lambda: self._measure(event, before))
        return event

    def _measure(self, event: FaultEvent, before: set[str]) -> None:
        event.settled = self.settle_check(event, before)
        shown = (
            "NOT settled"
            if event.settled is None
            else f"settled in {event.settled - event.lifted:.1f} s"
        )
        print(f"[fault] {event.kind} {event.note} lifted; {shown}", flush=True)

    def _in_thread(self, name: str, work: Callable[[], object]) -> None:
        def run() -> None:
            try:
                work()
            finally:
                with self._lock:
                    self._running.discard(name)

        with self._lock:
            self._running.add(name)
        threading.Thread(target=run, name=name, daemon=True).start()

    def run(self, *, until: float, gap: tuple[float, float]) -> None:
        """Fire faults until ``until`` (monotonic): every kind once first, in random order.

        Then at random. A stopped worker runs alongside the others; the rest
        fire one after another with a random gap.
        """
        kinds = [k for k in KINDS if self.available(k)]
        for k in KINDS:
            if not self.available(k):
                self.skipped[k] += 1
        first_round = [k for k in kinds if k != "stop_worker"]
        self.rng.shuffle(first_round)
        # Last to pop, so first to fire: it lasts longest and overlaps the others.
        first_round.append("stop_worker")
        while not self.stop.is_set() and time.monotonic() < until:
            kind = first_round.pop() if first_round else self.rng.choice(kinds)
            if kind == "stop_worker":
                if "fault-stop_worker" in self._running:
                    continue
                self._in_thread("fault-stop_worker", lambda: self.fire("stop_worker"))
            else:
                self.fire(kind)
            self.stop.wait(self.rng.uniform(*gap))

    def wait_for_all(self, timeout: float) -> None:
        """Wait until every fault is lifted and every settle measurement has ended."""
        deadline = time.monotonic() + timeout
        while self._running and time.monotonic() < deadline:
            time.sleep(0.5)
